package rest_test

import (
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/adaptertest"
	"github.com/atrium-dev/atrium/demo/desk"
)

const deskToken = "desk-test-token"

var deskNow = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// deskOrgs are the demo desk's customers; names and domains hold the
// characters a search could mistake for syntax.
var deskOrgs = []desk.Org{
	{Name: "Acme Corporation", Domain: "acme.example", ExternalID: "001A"},
	{Name: "Globex Logistics", Domain: "globex-logistics.example"},
	{Name: "O'Reilly Media Group", Domain: "oreilly-media.example"},
	{Name: "Initech", Domain: "initech.example"},
	{Name: "100% Organic_Farms", Domain: "organic-farms.example"},
	{Name: "Umbrella Pharma", Domain: "umbrella.example"},
}

// startDesk serves a desk and returns it with its URL.
func startDesk(t *testing.T) (*desk.Server, string) {
	t.Helper()
	d := desk.New(desk.Options{Token: deskToken, Orgs: deskOrgs, Now: deskNow})
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	return d, srv.URL
}

func TestContract(t *testing.T) {
	d, base := startDesk(t)
	orgs := d.Organizations()
	id := func(i int) string { return strconv.FormatInt(orgs[i].ID, 10) }
	adaptertest.Run(t, adaptertest.Fixture{
		New: func(t *testing.T) adapters.Adapter {
			return newAdapter(t, desk.DemoSettings(base, deskToken), nil, nil)
		},
		Source:    testSource,
		Search:    adaptertest.SearchCase{Text: "Acme", ID: id(0)},
		Email:     adaptertest.SearchCase{Text: d.Users(orgs[2].ID)[0].Email, ID: id(2)},
		Domain:    adaptertest.SearchCase{Text: "globex-logistics.example", ID: id(1)},
		Broad:     ".example",
		KnownID:   id(0),
		UnknownID: "99999999",
	})
}
