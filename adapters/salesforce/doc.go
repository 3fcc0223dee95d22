// Package salesforce connects Atrium to a Salesforce org: a thin REST client on
// net/http (OAuth JWT bearer and client credentials flows, SOQL queries with
// pagination, typed errors, API usage tracking) and the adapter that turns
// accounts and their contacts, opportunities and cases into facets.
package salesforce
