package sqldb_test

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/adaptertest"
	"github.com/atrium-dev/atrium/demo/erp"
)

func TestContractSQLite(t *testing.T) {
	path := demoDB(t)
	adaptertest.Run(t, demoFixture(t, func(t *testing.T) adapters.Adapter {
		return newAdapter(t, decode(t, erp.DemoSettings(path)))
	}))
}

// demoFixture is the contract's fixture for the demo ERP behind any driver.
func demoFixture(t *testing.T, newAdapter func(t *testing.T) adapters.Adapter) adaptertest.Fixture {
	acme := demoCustomer(t, "Acme Corporation")
	globex := demoCustomer(t, "Globex Logistics")
	kestrel := demoCustomer(t, "Kestrel Marine Supply Ltd")
	return adaptertest.Fixture{
		New:       newAdapter,
		Source:    testSource,
		Search:    adaptertest.SearchCase{Text: "Acme", ID: acme.No},
		Email:     adaptertest.SearchCase{Text: kestrel.BillingEmail, ID: kestrel.No},
		Domain:    adaptertest.SearchCase{Text: globex.Domain, ID: globex.No},
		Broad:     "in",
		KnownID:   acme.No,
		UnknownID: "C-99999",
	}
}

func newLogger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
