package sfsim

import (
	"encoding/json"
	"testing"
	"time"
)

func TestMarshal(t *testing.T) {
	o := obj("b", "x<y>&\"z\"\\\n\t\x01", "a", 1.5e7, "n", nil, "i", int64(3), "ok", true,
		"list", []any{"é", 0.0}, "bad", "\xff", "nested", obj("z", []string{}))
	got := string(marshal(o))
	want := `{"b":"x<y>&\"z\"\\\n\t\u0001","a":1.5E7,"n":null,"i":3,"ok":true,"list":["é",0.0],"bad":"\ufffd","nested":{"z":[]}}`
	if got != want {
		t.Errorf("marshal =\n%s\nwant\n%s", got, want)
	}
	if !json.Valid([]byte(got)) {
		t.Error("not valid JSON")
	}
}

func TestWireValues(t *testing.T) {
	at := time.Date(2026, 1, 31, 17, 5, 0, 0, time.FixedZone("CET", 3600))
	date := &field{name: "CloseDate", typ: typeDate}
	stamp := &field{name: "SystemModstamp", typ: typeDateTime}
	v, _ := normalize(date, at)
	if got := wire(date, v); got != "2026-01-31" {
		t.Errorf("date = %v", got)
	}
	v, _ = normalize(stamp, at)
	if got := wire(stamp, v); got != "2026-01-31T16:05:00.000+0000" {
		t.Errorf("date-time = %v, want UTC with +0000", got)
	}
	for _, in := range []string{"2026-01-31T16:05:00.000+0000", "2026-01-31T16:05:00Z", "2026-01-31T17:05:00+01:00", "2026-01-31T16:05:00.000Z"} {
		v, problem := normalize(stamp, in)
		if problem != "" || wire(stamp, v) != "2026-01-31T16:05:00.000+0000" {
			t.Errorf("normalize(%q) = %v %q", in, v, problem)
		}
	}
}

func TestDatasetAddRejectsBadRecords(t *testing.T) {
	d := NewDataset(testNow)
	for _, tc := range []struct {
		object string
		f      Fields
	}{
		{"Widget", Fields{"Name": "x"}},
		{"Account", Fields{"Colour": "red", "Name": "x"}},
		{"Contact", Fields{"FirstName": "No last name"}},
		{"Contact", Fields{"LastName": "x", "AccountId": "001Dn0000Nope99"}},
		{"Account", Fields{"Id": "003Dn0000000001", "Name": "wrong prefix"}},
		{"Opportunity", Fields{"Name": "x", "StageName": "Prospecting", "CloseDate": "tomorrow"}},
	} {
		if id, err := d.Add(tc.object, tc.f); err == nil {
			t.Errorf("Add(%s, %v) = %s, want an error", tc.object, tc.f, id)
		}
	}
	if d.Count("Account") != 0 || d.Count("Contact") != 0 {
		t.Error("a rejected record was stored")
	}
}
