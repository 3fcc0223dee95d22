package sfsim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
)

// A test serves the simulator with httptest, tells it its URL, authenticates and
// queries the demo data.
func Example() {
	srv := sfsim.New(sfsim.Options{
		Username:     sfsim.DemoUsername,
		ClientID:     "client-id",
		ClientSecret: "client-secret",
		Data:         sfsim.DemoData(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)),
	})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	srv.SetURL(ts.URL)

	resp, err := http.PostForm(ts.URL+"/services/oauth2/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"client-id"}, "client_secret": {"client-secret"},
	})
	if err != nil {
		panic(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		InstanceURL string `json:"instance_url"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()

	q := "SELECT Name FROM Account WHERE Id = '" + sfsim.DemoAccountApostrophe + "'"
	req, _ := http.NewRequest(http.MethodGet, tok.InstanceURL+"/services/data/v62.0/query?q="+url.QueryEscape(q), nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var res struct {
		TotalSize int `json:"totalSize"`
		Records   []struct{ Name string }
	}
	_ = json.NewDecoder(resp.Body).Decode(&res)
	fmt.Println(resp.Header.Get("Sforce-Limit-Info"))
	fmt.Println(res.TotalSize, res.Records[0].Name)
	// Output:
	// api-usage=1/100000
	// 1 O'Reilly Media Group
}
