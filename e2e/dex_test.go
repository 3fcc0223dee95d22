package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
	"github.com/atrium-dev/atrium/internal/testenv"
)

// TestDexInBrowser runs `atrium serve` against Dex, a real OpenID provider, and
// a Salesforce simulator signed in to with the JWT bearer flow.
func TestDexInBrowser(t *testing.T) {
	portal := fmt.Sprintf("http://127.0.0.1:%d", testenv.FreePort(t))
	dex := testenv.StartDex(t, testenv.DexOptions{
		RedirectURIs: []string{portal + "/auth/callback"},
		Users:        []testenv.DexUser{{Email: "agent@example.com", Password: "correct horse battery", Groups: []string{"support"}}},
	})

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "sf.key")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	sim := sfsim.New(sfsim.Options{ConsumerKey: "e2e-app", Username: sfsim.DemoUsername,
		PublicKey: &key.PublicKey, Data: sfsim.DemoData(time.Now())})
	sf := httptest.NewServer(sim)
	t.Cleanup(sf.Close)
	sim.SetURL(sf.URL)

	cfg := filepath.Join(dir, "atrium.yaml")
	doc := fmt.Sprintf(`
server:
  addr: %q
  public_url: %q
auth:
  issuer: %q
  client_id: %q
  client_secret: ${E2E_CLIENT_SECRET}
  scopes: [openid, profile, email, groups]
store:
  path: %q
log:
  level: info
sources:
  - name: salesforce
    type: salesforce
    title: Salesforce
    settings:
      flow: jwt
      login_url: %q
      audience: %q
      client_id: e2e-app
      username: %q
      private_key_file: %q
`, portal[len("http://"):], portal, dex.Issuer, dex.ClientID, filepath.Join(dir, "atrium.db"), sf.URL, sf.URL, sfsim.DemoUsername, keyFile)
	if err := os.WriteFile(cfg, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("E2E_CLIENT_SECRET", dex.ClientSecret)
	runAtrium(t, portal, "serve", "--config", cfg)

	b := testenv.NewBrowser(t)
	login := func(b *testenv.Browser) {
		b.WaitVisible("#login")
		b.SendKeys("#login", "agent@example.com")
		b.SendKeys("#password", "correct horse battery")
		b.Click("#submit-login")
	}
	customerFlow(t, b, portal, "dex", login, demoSearch, demoCustomer)
}
