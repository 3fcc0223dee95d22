// Package stripe connects Atrium to a Stripe account, the billing system: it
// finds customers with Stripe's Customer Search API and turns a customer, its
// invoices and its subscriptions into facets. It talks to Stripe through the
// official SDK (github.com/stripe/stripe-go), on the source's HTTP client.
//
// A Stripe customer is linked to its CRM record through a metadata key
// (match_metadata_key, by default salesforce_account_id): a search match and
// the customer facet carry that value as the external-id key
// "salesforce:<id>", with a Salesforce id in its 18-character form, so that
// identity resolution joins it with the Salesforce account of the same id.
package stripe
