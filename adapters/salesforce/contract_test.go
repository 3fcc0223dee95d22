package salesforce_test

import (
	"testing"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/adaptertest"
	"github.com/atrium-dev/atrium/adapters/salesforce"
	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
)

// contractEmail is the address of a contact added to the demo data, so that the
// contract's email search has a known answer.
const contractEmail = "robin.contract@oreilly-media-group.com"

func TestContract(t *testing.T) {
	data := sfsim.DemoData(demoNow)
	if _, err := data.Add("Contact", sfsim.Fields{"AccountId": sfsim.DemoAccountApostrophe,
		"FirstName": "Robin", "LastName": "Contract", "Email": contractEmail}); err != nil {
		t.Fatal(err)
	}
	for _, flow := range []string{salesforce.FlowJWT, salesforce.FlowClientCredentials} {
		t.Run(flow, func(t *testing.T) {
			adaptertest.Run(t, adaptertest.Fixture{
				New: func(t *testing.T) adapters.Adapter {
					return startOrg(t, orgConfig{flow: flow, data: data}).adapter
				},
				Source:    testSource,
				Search:    adaptertest.SearchCase{Text: "Acme", ID: sfsim.DemoAccountAcme},
				Email:     adaptertest.SearchCase{Text: contractEmail, ID: sfsim.DemoAccountApostrophe},
				Domain:    adaptertest.SearchCase{Text: "globex-logistics.com", ID: sfsim.DemoAccountManyDeals},
				Broad:     "in",
				KnownID:   sfsim.DemoAccountAcme,
				UnknownID: sfsim.To18("001Dn0000NoSuch"),
			})
		})
	}
}
