// Package billing is the billing system that `atrium demo` runs in process in
// place of Stripe: a read-only HTTP server that speaks Stripe's REST API, wire
// format included, for the part of it Atrium reads: customers (retrieve, list,
// search), invoices, subscriptions, products and the balance.
//
// Stripe's own simulator, stripe-mock, proves requests and response shapes
// but keeps no data: it answers every call with one fixture and ignores
// filters. This server holds a seeded account instead (see Demo), so that
// searches, filters and pagination give answers that belong together. Its
// objects carry a subset of the fields Stripe sends, with Stripe's names,
// types and nulls, and its errors are Stripe's error bodies with Stripe's
// statuses, so that the official SDK decodes both as it decodes Stripe's.
//
// A test serves it behind httptest and points the SDK at it:
//
//	srv, err := billing.New(billing.Options{APIKey: "sk_test_demo", Customers: billing.Demo(accounts, now)})
//	ts := httptest.NewServer(srv)
//	backend := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{URL: stripe.String(ts.URL)})
//	client := stripe.NewClient("sk_test_demo", stripe.WithBackends(&stripe.Backends{API: backend}))
package billing
