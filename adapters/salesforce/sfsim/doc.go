// Package sfsim simulates the REST API of a Salesforce org: the OAuth token
// endpoint (JWT bearer and client credentials flows), SOQL queries with paging,
// sObject reads and writes, API usage accounting and Salesforce's error bodies.
// It holds its records in memory and ships a deterministic demo data set.
// Beside the API it serves a read-only HTML page per record at Lightning's
// address, /lightning/r/{Object}/{Id}/view, so that record links lead to a
// readable page in the demo.
//
// The Salesforce adapter is tested against it, and the demo runs on it, because no
// real org is reachable. It reproduces Salesforce's wire format, errors included,
// so that the adapter meets the answers it would meet in production: error
// bodies are JSON arrays, currency values are written as Java doubles
// ("1.25E7"), date-times as "2026-01-31T17:05:00.000+0000", and tokens carry no
// expires_in.
//
// A test starts it behind httptest and tells it the URL it is served at, which is
// the instance_url it hands out:
//
//	key := sfsim.NewTestKey()
//	srv := sfsim.New(sfsim.Options{
//		ConsumerKey: "test-consumer-key",
//		Username:    sfsim.DemoUsername,
//		PublicKey:   &key.PublicKey,
//		Data:        sfsim.DemoData(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)),
//	})
//	ts := httptest.NewServer(srv)
//	defer ts.Close()
//	srv.SetURL(ts.URL)
//
// Faults (expired sessions, a spent API allocation, latency, 5xx answers, broken
// bodies) are injected with Server.Inject so that tests can exercise failure paths.
package sfsim
