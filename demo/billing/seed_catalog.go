package billing

import (
	"math/rand/v2"
	"strings"
	"time"
)

// plan is a product the demo account sells, with its price in each
// currency it bills, in minor units (whole yen).
type plan struct {
	key, name, nickname string
	interval            string
	amounts             map[string]int64
}

// Keys of the demo catalog.
const (
	planStarter    = "starter"
	planGrowth     = "growth"
	planEnterprise = "enterprise"
	planSeats      = "seats"
	planSupport    = "support"
	planAnalytics  = "analytics"
)

var plans = []plan{
	{planStarter, "Starter plan", "Starter monthly", "month", map[string]int64{"usd": 4900, "eur": 4500, "jpy": 7000}},
	{planGrowth, "Growth plan", "Growth monthly", "month", map[string]int64{"usd": 29900, "eur": 27900, "jpy": 45000}},
	{planEnterprise, "Enterprise plan", "Enterprise monthly", "month", map[string]int64{"usd": 149900, "eur": 139900, "jpy": 220000}},
	{planSeats, "Additional seats", "Seats monthly", "month", map[string]int64{"usd": 1500, "eur": 1400, "jpy": 2000}},
	{planSupport, "Premium support", "Premium support yearly", "year", map[string]int64{"usd": 240000, "eur": 220000, "jpy": 360000}},
	{planAnalytics, "Analytics add-on", "Analytics monthly", "month", map[string]int64{"usd": 9900, "eur": 8900, "jpy": 15000}},
}

// Professional services billed by hand, outside subscriptions: a workshop
// and consulting hours, in minor units.
var (
	workshopFee = map[string]int64{"usd": 150000, "eur": 140000, "jpy": 200000}
	hourlyRate  = map[string]int64{"usd": 20000, "eur": 18000, "jpy": 25000}
)

// catalog is the demo account's prices by plan key and currency.
type catalog map[string]map[string]Price

// newCatalog creates the products and prices, with ids from r: the catalog
// is the same whatever the accounts.
func newCatalog(r *rand.Rand, created time.Time) catalog {
	cat := catalog{}
	for _, p := range plans {
		product := Product{ID: newID(r, "prod_", 14), Name: p.name, Created: created}
		cat[p.key] = map[string]Price{}
		for _, cur := range []string{"usd", "eur", "jpy"} {
			cat[p.key][cur] = Price{ID: newID(r, "price_", 24), Nickname: p.nickname, Currency: cur,
				UnitAmount: p.amounts[cur], Interval: p.interval, IntervalCount: 1, Product: product, Created: created}
		}
	}
	return cat
}

const idChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newID returns an id of Stripe's form: a prefix and n letters and digits.
func newID(r *rand.Rand, prefix string, n int) string {
	b := []byte(prefix)
	for range n {
		b = append(b, idChars[r.IntN(len(idChars))])
	}
	return string(b)
}

// countryCodes maps the country names of CRM addresses to ISO codes.
var countryCodes = map[string]string{
	"united states": "US", "canada": "CA", "united kingdom": "GB", "ireland": "IE", "france": "FR",
	"germany": "DE", "netherlands": "NL", "belgium": "BE", "switzerland": "CH", "austria": "AT",
	"italy": "IT", "spain": "ES", "portugal": "PT", "sweden": "SE", "denmark": "DK", "norway": "NO",
	"finland": "FI", "poland": "PL", "czech republic": "CZ", "australia": "AU", "new zealand": "NZ",
	"singapore": "SG", "japan": "JP", "south korea": "KR", "india": "IN", "brazil": "BR",
	"mexico": "MX", "south africa": "ZA",
}

// euro lists the countries of the codes above that pay in euros.
var euro = map[string]bool{"IE": true, "FR": true, "DE": true, "NL": true, "BE": true, "AT": true,
	"IT": true, "ES": true, "PT": true, "FI": true}

// countryCode returns the ISO code of a country given by code or English
// name; "" when it is not known.
func countryCode(country string) string {
	c := strings.TrimSpace(country)
	if len(c) == 2 && strings.ToUpper(c) == c {
		return c
	}
	return countryCodes[strings.ToLower(c)]
}
