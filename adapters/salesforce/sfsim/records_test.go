package sfsim

import (
	"testing"
	"time"
)

func TestRecordsListsLiveRecords(t *testing.T) {
	d := DemoData(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	accounts := d.Records("Account", "Name", "Website")
	if len(accounts) != d.Count("Account") {
		t.Fatalf("%d records, %d accounts", len(accounts), d.Count("Account"))
	}
	found := false
	for _, a := range accounts {
		if a["Id"] == DemoAccountAcme {
			found = a["Name"] == "Acme Corporation" && a["Website"] != nil
		}
	}
	if !found {
		t.Error("Acme is missing or lacks its fields")
	}
	if d.Records("Nope") != nil {
		t.Error("an unknown object has records")
	}
}
