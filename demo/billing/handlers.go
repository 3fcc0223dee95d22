package billing

import (
	"net/http"
	"slices"
	"strings"
)

// Parameters every list call knows; an endpoint adds its own with
// slices.Concat, never append, which could write into this array.
var listParams = []string{"limit", "starting_after", "ending_before", "created"}

func (s *Server) getCustomer(r *http.Request) (any, *apiError) {
	now := s.now()
	return retrieve(r, "customer", s.store.customerByID, func(c *customerRecord) customerJSON { return c.render(now) })
}

// listCustomers lists customers; the email filter is exact and, as
// Stripe's, case-sensitive.
func (s *Server) listCustomers(r *http.Request) (any, *apiError) {
	p, err := parseParams(r, slices.Concat(listParams, []string{"email"})...)
	if err != nil {
		return nil, err
	}
	email, now := p.Get("email"), s.now()
	return listPage(p, "/v1/customers", "customer", s.store.customers, s.store.customerByID,
		func(c *customerRecord) bool { return email == "" || c.email == email },
		func(c *customerRecord) customerJSON { return c.render(now) })
}

func (s *Server) getInvoice(r *http.Request) (any, *apiError) {
	return retrieve(r, "invoice", s.store.invoiceByID, func(inv *invoiceRecord) invoiceJSON { return inv.wire })
}

var invoiceStatuses = []string{"draft", "open", "paid", "uncollectible", "void"}

func (s *Server) listInvoices(r *http.Request) (any, *apiError) {
	p, err := parseParams(r, slices.Concat(listParams, []string{"customer", "status", "subscription"})...)
	if err != nil {
		return nil, err
	}
	customer, status, sub := p.Get("customer"), p.Get("status"), p.Get("subscription")
	if err := checkRef("customer", customer, s.store.customerByID); err != nil {
		return nil, err
	}
	if err := checkEnum("status", status, invoiceStatuses); err != nil {
		return nil, err
	}
	if err := checkRef("subscription", sub, s.store.subscriptionByID); err != nil {
		return nil, err
	}
	return listPage(p, "/v1/invoices", "invoice", s.store.invoices, s.store.invoiceByID,
		func(inv *invoiceRecord) bool {
			return (customer == "" || inv.customer == customer) && (status == "" || string(inv.status) == status) &&
				(sub == "" || inv.subscription == sub)
		},
		func(inv *invoiceRecord) invoiceJSON { return inv.wire })
}

func (s *Server) getSubscription(r *http.Request) (any, *apiError) {
	return retrieve(r, "subscription", s.store.subscriptionByID,
		func(sub *subscriptionRecord) subscriptionJSON { return sub.wire })
}

var subscriptionStatuses = []string{"active", "all", "canceled", "ended", "incomplete", "incomplete_expired",
	"past_due", "paused", "trialing", "unpaid"}

// listSubscriptions lists subscriptions; without a status filter, those
// that are not canceled, as Stripe does.
func (s *Server) listSubscriptions(r *http.Request) (any, *apiError) {
	p, err := parseParams(r, slices.Concat(listParams, []string{"customer", "status", "price"})...)
	if err != nil {
		return nil, err
	}
	customer, status, price := p.Get("customer"), p.Get("status"), p.Get("price")
	if err := checkRef("customer", customer, s.store.customerByID); err != nil {
		return nil, err
	}
	if err := checkEnum("status", status, subscriptionStatuses); err != nil {
		return nil, err
	}
	keepStatus := func(st SubscriptionStatus) bool {
		switch status {
		case "":
			return st != SubscriptionCanceled && st != "incomplete_expired"
		case "all":
			return true
		case "ended":
			return st == SubscriptionCanceled || st == "incomplete_expired"
		}
		return string(st) == status
	}
	return listPage(p, "/v1/subscriptions", "subscription", s.store.subscriptions, s.store.subscriptionByID,
		func(sub *subscriptionRecord) bool {
			return (customer == "" || sub.customer == customer) && keepStatus(sub.status) &&
				(price == "" || slices.Contains(sub.prices, price))
		},
		func(sub *subscriptionRecord) subscriptionJSON { return sub.wire })
}

func (s *Server) getProduct(r *http.Request) (any, *apiError) {
	return retrieve(r, "product", s.store.productByID, func(p *productRecord) productJSON { return p.wire })
}

// listProducts lists products, by ids when given; every product of the demo
// account is active.
func (s *Server) listProducts(r *http.Request) (any, *apiError) {
	p, err := parseParams(r, slices.Concat(listParams, []string{"ids", "active"})...)
	if err != nil {
		return nil, err
	}
	ids, active := p.list("ids"), p.Get("active")
	if err := checkEnum("active", active, []string{"false", "true"}); err != nil {
		return nil, err
	}
	return listPage(p, "/v1/products", "product", s.store.products, s.store.productByID,
		func(pr *productRecord) bool {
			return active != "false" && (len(ids) == 0 || slices.Contains(ids, pr.id))
		},
		func(pr *productRecord) productJSON { return pr.wire })
}

func (s *Server) getBalance(r *http.Request) (any, *apiError) {
	if _, err := parseParams(r); err != nil {
		return nil, err
	}
	return s.store.balance, nil
}

// retrieve answers a call for the object of the path's {id}, which takes no
// parameters: the object rendered, or a 404 when the index has no such id.
func retrieve[T, J any](r *http.Request, object string, byID map[string]T, render func(T) J) (any, *apiError) {
	if _, err := parseParams(r); err != nil {
		return nil, err
	}
	id := r.PathValue("id")
	o, ok := byID[id]
	if !ok {
		return nil, errNoSuch(object, id, "id")
	}
	return render(o), nil
}

// checkRef refuses a filter parameter (named as the object it refers to)
// naming no object of the index, with a 400 as for any missing object a
// parameter names; "" is no filter.
func checkRef[T any](object, id string, byID map[string]T) *apiError {
	if _, ok := byID[id]; id != "" && !ok {
		return errNoSuch(object, id, object)
	}
	return nil
}

// checkEnum refuses a value outside a parameter's set; "" is no value.
func checkEnum(name, value string, allowed []string) *apiError {
	if value == "" || slices.Contains(allowed, value) {
		return nil
	}
	last := len(allowed) - 1
	set := strings.Join(allowed[:last], ", ") + ", or " + allowed[last]
	return errInvalidParam(name, "Invalid %s: must be one of %s", name, set)
}
