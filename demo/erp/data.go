package erp

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"time"
)

// Order statuses.
const (
	StatusOpen      = "open"
	StatusShipped   = "shipped"
	StatusDelivered = "delivered"
	StatusCancelled = "cancelled"
)

// historyDays is how far back the orders of a customer go.
const historyDays = 540

type product struct {
	sku, description string
	cents            int64 // unit price in the currency's minor unit, at 1:1
}

// catalog is what the demo manufacturer sells.
var catalog = []product{
	{"HX-2040", "Hydraulic pump HX-2040", 124900},
	{"VL-110", "Ball valve DN50, stainless", 8650},
	{"SN-775", "Inductive proximity sensor M18", 4290},
	{"CB-300", "Control cabinet 600×800 mm", 68900},
	{"MT-55K", "Servo motor 5.5 kW", 231000},
	{"BR-6204", "Deep groove ball bearing 6204-2RS", 780},
	{"FL-900", "Air filter cartridge F9", 5800},
	{"GB-12", "Planetary gearbox i=12", 94000},
	{"PL-S7", "PLC I/O module, 16 DI/DO", 41500},
	{"CBL-25", "Shielded cable 4×1.5 mm², 25 m", 6400},
	{"HS-10", `Hydraulic hose 1/2", 10 m`, 11200},
	{"TC-K", "Thermocouple type K", 1990},
	{"VFD-7", "Frequency inverter 7.5 kW", 148000},
	{"SL-40", "Safety light curtain 40 mm", 119500},
	{"LB-5", "Industrial lubricant, 5 l", 3850},
	{"CN-M12", "M12 connector, 5-pin", 940},
}

type place struct{ city, country string }

var places = []place{
	{"Hamburg", "DE"}, {"Munich", "DE"}, {"Rotterdam", "NL"}, {"Lyon", "FR"}, {"Milan", "IT"},
	{"Manchester", "GB"}, {"Denver", "US"}, {"Atlanta", "US"}, {"Toronto", "CA"}, {"Osaka", "JP"},
}

var carriers = []string{"DHL", "UPS", "FedEx", "DB Schenker"}

// order is an order with its lines and, once shipped, its shipment.
type order struct {
	no, customer, status, currency string
	orderedAt                      time.Time
	totalCents                     int64
	lines                          []line
	shipment                       *shipment
}

type line struct {
	no               int
	sku, description string
	qty              int
	unitCents        int64
}

type shipment struct {
	no, carrier, tracking string
	shippedAt             time.Time
	deliveredAt           *time.Time
}

// sequence numbers orders and shipments across customers.
type sequence struct{ order, shipment int }

// rngFor returns a random source that depends only on the account and the
// stream, so that adding a customer changes no other customer's data.
func rngFor(a Account, stream uint64) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(a.Name))
	return rand.New(rand.NewPCG(h.Sum64(), stream))
}

func customerOf(i int, a Account) Customer {
	r := rngFor(a, 1)
	p := places[r.IntN(len(places))]
	if a.City == "" {
		a.City = p.city
	}
	if a.Country == "" {
		a.Country = p.country
	}
	c := Customer{Account: a, No: fmt.Sprintf("C-%d", 10001+41*i)}
	c.BillingEmail = []string{"accounts.payable@", "invoices@", "billing@"}[r.IntN(3)] + a.Domain
	digits := func(n int) string { return randomString(r, decimal, n) }
	switch a.Country {
	case "US", "CA":
		c.Currency = "USD"
	case "GB":
		c.Currency, c.VATID = "GBP", "GB"+digits(9)
	case "JP":
		c.Currency, c.VATID = "JPY", "T"+digits(13)
	case "NL":
		c.Currency, c.VATID = "EUR", "NL"+digits(9)+"B01"
	default:
		c.Currency, c.VATID = "EUR", a.Country+digits(9)
	}
	return c
}

// ordersOf generates a customer's orders, oldest first.
func ordersOf(c Customer, now time.Time, seq *sequence) []order {
	r := rngFor(c.Account, 2)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	ages := make([]int, 4+r.IntN(13))
	for i := range ages {
		ages[i] = r.IntN(historyDays)
	}
	ages[0] = r.IntN(5) // every customer has a recent order
	slices.Sort(ages)
	slices.Reverse(ages)
	var out []order
	for _, age := range ages {
		seq.order++
		o := order{no: fmt.Sprintf("SO-%d", seq.order), customer: c.No, currency: c.Currency,
			orderedAt: today.AddDate(0, 0, -age)}
		for n := range 1 + r.IntN(5) {
			p := catalog[r.IntN(len(catalog))]
			qty := 1 + r.IntN(4)
			if p.cents < 10000 {
				qty *= 5 + r.IntN(6) // small parts go by the box
			}
			unit := p.cents
			if c.Currency == "JPY" {
				unit = p.cents * 150 // about 150 yen to the euro, in whole yen
			}
			o.lines = append(o.lines, line{no: n + 1, sku: p.sku, description: p.description, qty: qty, unitCents: unit})
			o.totalCents += int64(qty) * unit
		}
		o.status, o.shipment = fulfil(r, o.orderedAt, now, seq)
		out = append(out, o)
	}
	return out
}

// fulfil decides how far an order has come by now, and its shipment.
func fulfil(r *rand.Rand, ordered, now time.Time, seq *sequence) (string, *shipment) {
	if r.IntN(20) == 0 {
		return StatusCancelled, nil
	}
	shipped := ordered.AddDate(0, 0, 1+r.IntN(3)).Add(time.Duration(8+r.IntN(9))*time.Hour + time.Duration(r.IntN(60))*time.Minute)
	if !shipped.Before(now) {
		return StatusOpen, nil
	}
	seq.shipment++
	carrier := carriers[r.IntN(len(carriers))]
	s := &shipment{no: fmt.Sprintf("SH-%d", seq.shipment), carrier: carrier, tracking: trackingNo(r, carrier), shippedAt: shipped}
	delivered := shipped.AddDate(0, 0, 1+r.IntN(5)).Add(time.Duration(r.IntN(6)) * time.Hour)
	if !delivered.Before(now) {
		return StatusShipped, s
	}
	s.deliveredAt = &delivered
	return StatusDelivered, s
}

// trackingNo makes a number of the carrier's shape.
func trackingNo(r *rand.Rand, carrier string) string {
	const alnum = decimal + "ABCDEFGHJKLMNPQRSTUVWXYZ"
	switch carrier {
	case "UPS":
		return "1Z" + randomString(r, alnum, 16)
	case "FedEx":
		return randomString(r, decimal, 12)
	case "DHL":
		return randomString(r, decimal, 10)
	}
	return "SCH" + randomString(r, decimal, 9)
}

const decimal = "0123456789"

// randomString returns n characters drawn from set.
func randomString(r *rand.Rand, set string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = set[r.IntN(len(set))]
	}
	return string(b)
}

// amount writes minor units as a decimal, e.g. 123450 → "1234.50".
func amount(cents int64) string {
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}
