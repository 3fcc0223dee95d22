package stripe

import (
	"math"
	"strings"

	"github.com/atrium-dev/atrium/adapters"
)

// zeroDecimal lists the currencies whose amounts Stripe gives in whole units
// (5000 JPY is 5000 yen, not 50).
var zeroDecimal = map[string]bool{
	"BIF": true, "CLP": true, "DJF": true, "GNF": true, "JPY": true, "KMF": true, "KRW": true, "MGA": true,
	"PYG": true, "RWF": true, "UGX": true, "VND": true, "VUV": true, "XAF": true, "XOF": true, "XPF": true,
}

// threeDecimal lists the currencies whose amounts Stripe gives in thousandths.
var threeDecimal = map[string]bool{"BHD": true, "JOD": true, "KWD": true, "OMR": true, "TND": true}

// decimals returns how many decimal places a Stripe amount in the currency
// has. ISK is whole units but Stripe still gives it in hundredths, like most.
func decimals(currency string) int {
	switch {
	case zeroDecimal[currency]:
		return 0
	case threeDecimal[currency]:
		return 3
	}
	return 2
}

// money returns the value of an amount in Stripe's minor units.
func money(minor int64, currency string) adapters.Value {
	currency = strings.ToUpper(currency)
	if currency == "" {
		return adapters.Value{Kind: adapters.KindMoney}
	}
	return adapters.Value{
		Kind:     adapters.KindMoney,
		Number:   float64(minor) / math.Pow10(decimals(currency)),
		Currency: currency,
		Valid:    true,
	}
}
