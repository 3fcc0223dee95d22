package customer

import (
	"testing"

	"github.com/atrium-dev/atrium/adapters"
)

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{
		"ann@example.com":                  "ann@example.com",
		"  Ann@Example.COM ":               "ann@example.com",
		"ann+billing@example.com":          "ann@example.com",
		"Ann Lee <Ann+x@Example.com>":      "ann@example.com",
		"+tag@example.com":                 "+tag@example.com",
		"not an address":                   "",
		"":                                 "",
		"a@b@c.com":                        "",
		"ann@":                             "",
		"@example.com":                     "",
		"ann@example.com, bob@example.com": "",
	} {
		if got := NormalizeEmail(in); got != want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeDomain(t *testing.T) {
	for in, want := range map[string]string{
		"acme.com":                      "acme.com",
		"https://www.Acme.com/about":    "acme.com",
		"http://acme.com:8080":          "acme.com",
		"www.acme-corp.co.uk":           "acme-corp.co.uk",
		"WWW.ACME.COM.":                 "acme.com",
		"ann@Sub.Acme.com":              "sub.acme.com",
		"localhost":                     "",
		"":                              "",
		"not a domain":                  "",
		"https://www.example.com?q=1#x": "example.com",
	} {
		if got := NormalizeDomain(in); got != want {
			t.Errorf("NormalizeDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeKey(t *testing.T) {
	cases := []struct {
		source string
		in     adapters.Key
		want   adapters.Key
		ok     bool
	}{
		{"billing", adapters.Key{Kind: adapters.KeyEmail, Value: "Ann+x@Acme.com"}, adapters.Key{Kind: adapters.KeyEmail, Value: "ann@acme.com"}, true},
		{"billing", adapters.Key{Kind: adapters.KeyDomain, Value: "https://www.acme.com"}, adapters.Key{Kind: adapters.KeyDomain, Value: "acme.com"}, true},
		{"billing", adapters.Key{Kind: adapters.KeyDomain, Value: "gmail.com"}, adapters.Key{Kind: adapters.KeyDomain, Value: "gmail.com"}, false},
		{"billing", adapters.Key{Kind: adapters.KeyDomain, Value: "GoogleMail.com"}, adapters.Key{Kind: adapters.KeyDomain, Value: "googlemail.com"}, false},
		{"salesforce", adapters.Key{Kind: adapters.KeyExternalID, Value: "001Dn00000Acme1IAB"}, adapters.Key{Kind: adapters.KeyExternalID, Value: "salesforce:001Dn00000Acme1IAB"}, true},
		{"billing", adapters.Key{Kind: adapters.KeyExternalID, Value: "salesforce:001Dn00000Acme1IAB"}, adapters.Key{Kind: adapters.KeyExternalID, Value: "salesforce:001Dn00000Acme1IAB"}, true},
		{"billing", adapters.Key{Kind: adapters.KeyExternalID, Value: "  "}, adapters.Key{}, false},
		{"billing", adapters.Key{Kind: "phone", Value: "123"}, adapters.Key{}, false},
	}
	for _, c := range cases {
		got, ok := NormalizeKey(c.source, c.in)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("NormalizeKey(%s, %+v) = %+v, %v; want %+v, %v", c.source, c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestKeysOfAddsEmailDomainsButNotFreeMail(t *testing.T) {
	m := adapters.Match{Source: "billing", ID: "cus_1", Keys: []adapters.Key{
		{Kind: adapters.KeyEmail, Value: "Ann@Acme.com"},
		{Kind: adapters.KeyEmail, Value: "ann.private@gmail.com"},
		{Kind: adapters.KeyDomain, Value: "acme.com"},
	}}
	got := KeysOf(m)
	want := []adapters.Key{
		{Kind: adapters.KeyExternalID, Value: "billing:cus_1"},
		{Kind: adapters.KeyEmail, Value: "ann@acme.com"},
		{Kind: adapters.KeyDomain, Value: "acme.com"},
		{Kind: adapters.KeyEmail, Value: "ann.private@gmail.com"},
	}
	if len(got) != len(want) {
		t.Fatalf("KeysOf = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("key %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
