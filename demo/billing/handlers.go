package billing

import (
	"net/http"
	"slices"
	"strings"
)

// Parameters every list call knows.
var listParams = []string{"limit", "starting_after", "ending_before", "created"}

func (s *Server) getCustomer(r *http.Request) (any, *apiError) {
	if _, err := parseParams(r); err != nil {
		return nil, err
	}
	c, ok := s.store.customerByID[r.PathValue("id")]
	if !ok {
		return nil, errNoSuch("customer", r.PathValue("id"), "id")
	}
	return c.render(s.now()), nil
}

// listCustomers lists customers; the email filter is exact and, as
// Stripe's, case-sensitive.
func (s *Server) listCustomers(r *http.Request) (any, *apiError) {
	p, err := parseParams(r, append(listParams, "email")...)
	if err != nil {
		return nil, err
	}
	email, now := p.Get("email"), s.now()
	return listPage(p, "/v1/customers", "customer", s.store.customers, findIn(s.store.customerByID),
		func(c *customerRecord) bool { return email == "" || c.email == email },
		func(c *customerRecord) customerJSON { return c.render(now) })
}

func (s *Server) getInvoice(r *http.Request) (any, *apiError) {
	if _, err := parseParams(r); err != nil {
		return nil, err
	}
	inv, ok := s.store.invoiceByID[r.PathValue("id")]
	if !ok {
		return nil, errNoSuch("invoice", r.PathValue("id"), "id")
	}
	return inv.wire, nil
}

var invoiceStatuses = []string{"draft", "open", "paid", "uncollectible", "void"}

func (s *Server) listInvoices(r *http.Request) (any, *apiError) {
	p, err := parseParams(r, append(listParams, "customer", "status", "subscription")...)
	if err != nil {
		return nil, err
	}
	customer, status, sub := p.Get("customer"), p.Get("status"), p.Get("subscription")
	if err := s.checkCustomer(customer); err != nil {
		return nil, err
	}
	if err := checkEnum("status", status, invoiceStatuses); err != nil {
		return nil, err
	}
	if _, ok := s.store.subscriptionByID[sub]; sub != "" && !ok {
		return nil, errNoSuch("subscription", sub, "subscription")
	}
	return listPage(p, "/v1/invoices", "invoice", s.store.invoices, findIn(s.store.invoiceByID),
		func(inv *invoiceRecord) bool {
			return (customer == "" || inv.customer == customer) && (status == "" || string(inv.status) == status) &&
				(sub == "" || inv.subscription == sub)
		},
		func(inv *invoiceRecord) invoiceJSON { return inv.wire })
}

func (s *Server) getSubscription(r *http.Request) (any, *apiError) {
	if _, err := parseParams(r); err != nil {
		return nil, err
	}
	sub, ok := s.store.subscriptionByID[r.PathValue("id")]
	if !ok {
		return nil, errNoSuch("subscription", r.PathValue("id"), "id")
	}
	return sub.wire, nil
}

var subscriptionStatuses = []string{"active", "all", "canceled", "ended", "incomplete", "incomplete_expired",
	"past_due", "paused", "trialing", "unpaid"}

// listSubscriptions lists subscriptions; without a status filter, those
// that are not canceled, as Stripe does.
func (s *Server) listSubscriptions(r *http.Request) (any, *apiError) {
	p, err := parseParams(r, append(listParams, "customer", "status", "price")...)
	if err != nil {
		return nil, err
	}
	customer, status, price := p.Get("customer"), p.Get("status"), p.Get("price")
	if err := s.checkCustomer(customer); err != nil {
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
	return listPage(p, "/v1/subscriptions", "subscription", s.store.subscriptions, findIn(s.store.subscriptionByID),
		func(sub *subscriptionRecord) bool {
			return (customer == "" || sub.customer == customer) && keepStatus(sub.status) &&
				(price == "" || slices.Contains(sub.prices, price))
		},
		func(sub *subscriptionRecord) subscriptionJSON { return sub.wire })
}

func (s *Server) getProduct(r *http.Request) (any, *apiError) {
	if _, err := parseParams(r); err != nil {
		return nil, err
	}
	p, ok := s.store.productByID[r.PathValue("id")]
	if !ok {
		return nil, errNoSuch("product", r.PathValue("id"), "id")
	}
	return p.wire, nil
}

// listProducts lists products, by ids when given; every product of the demo
// account is active.
func (s *Server) listProducts(r *http.Request) (any, *apiError) {
	p, err := parseParams(r, append(listParams, "ids", "active")...)
	if err != nil {
		return nil, err
	}
	ids, active := p.list("ids"), p.Get("active")
	if err := checkEnum("active", active, []string{"false", "true"}); err != nil {
		return nil, err
	}
	return listPage(p, "/v1/products", "product", s.store.products, findIn(s.store.productByID),
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

// checkCustomer refuses a customer filter naming no customer, with a 400 as
// for any missing object a parameter names.
func (s *Server) checkCustomer(id string) *apiError {
	if _, ok := s.store.customerByID[id]; id != "" && !ok {
		return errNoSuch("customer", id, "customer")
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
