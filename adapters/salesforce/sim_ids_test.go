package salesforce_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/salesforce"
	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
)

// TestAccountIDsInAnyForm opens and searches an account of the simulated org
// by its 15-character id and by its 18-character id lowered and raised: each
// is the account, named by its canonical id. A malformed id is not found, and
// costs no call.
func TestAccountIDsInAnyForm(t *testing.T) {
	o := startOrg(t, orgConfig{})
	acme := sfsim.DemoAccountAcme
	for _, id := range []string{acme, acme[:15], strings.ToLower(acme), strings.ToUpper(acme)} {
		f := o.fetch(t, id, salesforce.FacetAccount)
		if name := f.Fields[adapters.FieldName].Text; name != "Acme Corporation" || !strings.Contains(f.URL, acme) {
			t.Errorf("Fetch(%s): %q at %s", id, name, f.URL)
		}
		ms, err := o.adapter.Search(testContext(t), adapters.Query{Text: id})
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 || ms[0].ID != acme || ms[0].MatchedBy != "id" {
			t.Errorf("Search(%s) = %+v, want %s by id first", id, ms, acme)
		}
	}
	before := o.sim.Requests()
	bad := acme[:15] + "5AA" // 5 marks the leading digits upper-case
	if _, err := o.adapter.Fetch(testContext(t), adapters.FetchRequest{ID: bad, Facet: salesforce.FacetAccount}); !errors.Is(err, adapters.ErrNotFound) {
		t.Errorf("Fetch(%s): %v, want not found", bad, err)
	}
	if n := o.sim.Requests() - before; n != 0 {
		t.Errorf("a malformed id cost %d calls", n)
	}
}
