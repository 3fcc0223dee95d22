package stripe

import (
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/adaptertest"
)

func TestContract(t *testing.T) {
	f := newFakeStripe(t)
	seed(f)
	adaptertest.Run(t, adaptertest.Fixture{
		New: func(t *testing.T) adapters.Adapter {
			a := newTestAdapter(t, f, nil)
			a.now = time.Now // Check must say when it looked
			return a
		},
		Source:    testSource,
		Search:    adaptertest.SearchCase{Text: "Globex", ID: cusGlobex},
		Email:     adaptertest.SearchCase{Text: acmeEmail, ID: cusAcme},
		Domain:    adaptertest.SearchCase{Text: "globex.com", ID: cusGlobex},
		Broad:     "Acme",
		KnownID:   cusAcme,
		UnknownID: "cus_NoSuchCustomer",
	})
}
