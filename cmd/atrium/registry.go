package main

import (
	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/rest"
	"github.com/atrium-dev/atrium/adapters/salesforce"
	"github.com/atrium-dev/atrium/adapters/sqldb"
	"github.com/atrium-dev/atrium/adapters/stripe"
)

// registry lists the system kinds this binary can connect. Adding a kind is one
// line here and one package under adapters/.
func registry() *adapters.Registry {
	r := adapters.NewRegistry()
	r.Add("rest", rest.Type())
	r.Add("salesforce", salesforce.Type())
	r.Add("sqldb", sqldb.Type())
	r.Add("stripe", stripe.Type())
	return r
}
