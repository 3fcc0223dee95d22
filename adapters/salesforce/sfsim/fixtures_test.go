package sfsim

import (
	"testing"
	"time"
)

// Ids of the small data set, given explicitly so that expected bodies can name
// them.
var (
	smallUser      = To18("005Dn0000Small1")
	smallAcme      = To18("001Dn0000Small1")
	smallOReilly   = To18("001Dn0000Small2")
	smallPercent   = To18("001Dn0000Small3")
	smallUnderline = To18("001Dn0000Small4")
	smallZeta      = To18("001Dn0000Small5")
	smallRenewal   = To18("006Dn0000Small1")
	smallExpansion = To18("006Dn0000Small2")
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// smallData is a data set small enough to state every expectation about.
func smallData(t *testing.T) *Dataset {
	t.Helper()
	d := NewDataset(ts("2025-06-01T00:00:00Z"))
	add := func(obj string, f Fields) string {
		id, err := d.Add(obj, f)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	add("User", Fields{"Id": smallUser, "Username": "dana@example.com", "FirstName": "Dana", "LastName": "Lee", "Email": "dana@example.com"})
	add("User", Fields{"Username": DemoUsername, "LastName": "Integration", "Email": DemoUsername})
	add("Account", Fields{"Id": smallAcme, "Name": "Acme Corporation", "Industry": "Manufacturing", "Type": "Customer - Direct",
		"AnnualRevenue": 12500000, "NumberOfEmployees": 5400, "OwnerId": smallUser, "Website": "https://www.acme.com",
		"CreatedDate": ts("2025-01-10T10:00:00Z"), "LastModifiedDate": ts("2026-01-15T12:30:00Z"), "SystemModstamp": ts("2026-01-15T12:30:00Z")})
	add("Account", Fields{"Id": smallOReilly, "Name": "O'Reilly Media Group", "Industry": "Media", "AnnualRevenue": 1500.5,
		"NumberOfEmployees": 20, "OwnerId": smallUser, "LastModifiedDate": ts("2026-02-20T08:00:00Z"), "SystemModstamp": ts("2026-02-20T08:00:00Z")})
	add("Account", Fields{"Id": smallPercent, "Name": "100% Pure Foods", "Type": "Prospect"})
	add("Account", Fields{"Id": smallUnderline, "Name": "a_b Labs", "Industry": "Retail", "AnnualRevenue": 20000})
	add("Account", Fields{"Id": smallZeta, "Name": "Zeta Retail", "Industry": "Retail"})
	c1 := add("Contact", Fields{"AccountId": smallAcme, "FirstName": "Ann", "LastName": "Zimmer", "Email": "ann@acme.com"})
	add("Contact", Fields{"AccountId": smallAcme, "FirstName": "Bob", "LastName": "Young", "Email": "bob@acme.com"})
	add("Contact", Fields{"AccountId": smallAcme, "FirstName": "Cid", "LastName": "Adams"})
	add("Contact", Fields{"AccountId": smallOReilly, "FirstName": "Tim", "LastName": "O'Brien", "Email": "tim@oreilly.com"})
	add("Opportunity", Fields{"Id": smallRenewal, "AccountId": smallAcme, "Name": "Acme - Renewal", "StageName": "Closed Won",
		"Amount": 50000, "CloseDate": "2026-01-31", "OwnerId": smallUser})
	add("Opportunity", Fields{"Id": smallExpansion, "AccountId": smallAcme, "Name": "Acme - Expansion", "StageName": "Prospecting",
		"Amount": 20000, "CloseDate": "2026-04-15"})
	add("Case", Fields{"AccountId": smallAcme, "Subject": "Cannot log in", "Priority": "High", "ContactId": c1})
	add("Case", Fields{"AccountId": smallAcme, "Subject": "Invoice address", "Status": "Closed", "ClosedDate": ts("2025-06-03T10:00:00Z")})
	add("Task", Fields{"WhatId": smallRenewal, "WhoId": c1, "Subject": "Send quote", "ActivityDate": "2026-03-05"})
	return d
}

// smallHarness serves the small data set with a session open.
func smallHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	opts.Data = smallData(t)
	return newHarness(t, opts).login()
}
