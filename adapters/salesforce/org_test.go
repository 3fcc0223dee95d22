package salesforce

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeOrg is an httptest server speaking the documented wire format: a token
// endpoint and REST data resources that accept only the last token issued.
type fakeOrg struct {
	t     *testing.T
	srv   *httptest.Server
	start sync.Once

	tokenRequests atomic.Int32
	dataRequests  atomic.Int32

	mu     sync.Mutex
	valid  string       // the token data calls accept; "" accepts none
	forms  []url.Values // bodies of token requests
	header []http.Header

	// tokenReply, when set, answers token requests instead of issuing tokens.
	tokenReply func(w http.ResponseWriter, r *http.Request)
	// data answers authorized data requests.
	data http.HandlerFunc
	// onReject, when set, runs before a data request is answered 401.
	onReject func(r *http.Request)
	// limitInfo is sent as Sforce-Limit-Info on data answers.
	limitInfo string
}

// newFakeOrg returns an org whose server starts on first use of url or client,
// so that tests set its hooks before any request reads them.
func newFakeOrg(t *testing.T, data http.HandlerFunc) *fakeOrg {
	t.Helper()
	o := &fakeOrg{t: t, data: data, limitInfo: "api-usage=10018/100000"}
	o.srv = httptest.NewUnstartedServer(http.HandlerFunc(o.serve))
	t.Cleanup(o.srv.Close)
	return o
}

func (o *fakeOrg) url() string {
	o.start.Do(o.srv.Start)
	return o.srv.URL
}

func (o *fakeOrg) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/services/oauth2/token" {
		o.token(w, r)
		return
	}
	o.dataRequests.Add(1)
	o.mu.Lock()
	o.header = append(o.header, r.Header.Clone())
	valid := o.valid
	o.mu.Unlock()
	if o.limitInfo != "" {
		w.Header().Set("Sforce-Limit-Info", o.limitInfo)
	}
	if valid == "" || r.Header.Get("Authorization") != "Bearer "+valid {
		if o.onReject != nil {
			o.onReject(r)
		}
		writeJSON(w, http.StatusUnauthorized, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`)
		return
	}
	o.data(w, r)
}

func (o *fakeOrg) token(w http.ResponseWriter, r *http.Request) {
	n := o.tokenRequests.Add(1)
	if err := r.ParseForm(); err != nil {
		o.t.Errorf("token request: %v", err)
	}
	o.mu.Lock()
	o.forms = append(o.forms, r.PostForm)
	o.mu.Unlock()
	if o.tokenReply != nil {
		o.tokenReply(w, r)
		return
	}
	tok := fmt.Sprintf("00Dx0000000BV7z!tok-%d", n)
	o.setValid(tok)
	writeJSON(w, http.StatusOK, fmt.Sprintf(`{"access_token":%q,"instance_url":%q,`+
		`"id":"https://login.salesforce.com/id/00Dx0000000BV7z/005x00000012Q9P","token_type":"Bearer",`+
		`"issued_at":"1278448832702","signature":"0Cmx=","scope":"api"}`, tok, o.srv.URL))
}

// expire revokes the current token: the next data call is answered 401.
func (o *fakeOrg) expire() { o.setValid("") }

func (o *fakeOrg) setValid(token string) {
	o.mu.Lock()
	o.valid = token
	o.mu.Unlock()
}

func (o *fakeOrg) tokenForms() []url.Values {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]url.Values(nil), o.forms...)
}

func (o *fakeOrg) dataHeaders() []http.Header {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]http.Header(nil), o.header...)
}

// client returns a client of the org using the client credentials flow.
func (o *fakeOrg) client(t *testing.T) *Client {
	t.Helper()
	c, err := NewClient(Config{
		LoginURL:    o.url(),
		Credentials: ClientCredentials{ClientID: "3MVG9-consumer-key", ClientSecret: "s3cret"},
		HTTP:        o.srv.Client(),
		Timeout:     10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// queryRoutes answers query requests: the first page by SOQL through bySOQL, the
// following pages by path through pages. Anything else fails the test.
func queryRoutes(t *testing.T, bySOQL func(soql string) (int, string), pages map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/services/data/v62.0/query" {
			status, body := bySOQL(r.URL.Query().Get("q"))
			writeJSON(w, status, body)
			return
		}
		if body, ok := pages[r.URL.Path]; ok {
			writeJSON(w, http.StatusOK, body)
			return
		}
		t.Errorf("unexpected request %s", r.URL)
		writeJSON(w, http.StatusNotFound, `[{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}]`)
	}
}

// page builds a query result page of records.
func page(total int, next string, records ...string) string {
	done := next == ""
	nextField := ""
	if !done {
		nextField = `"nextRecordsUrl":` + strconv.Quote(next) + `,`
	}
	return fmt.Sprintf(`{"totalSize":%d,"done":%t,%s"records":[%s]}`, total, done, nextField, strings.Join(records, ","))
}

// rec builds a record of type typ with its attributes and the given fields.
func rec(typ, id string, fields ...string) string {
	all := append([]string{
		fmt.Sprintf(`"attributes":{"type":%q,"url":"/services/data/v62.0/sobjects/%s/%s"}`, typ, typ, id),
		fmt.Sprintf(`"Id":%q`, id),
	}, fields...)
	return "{" + strings.Join(all, ",") + "}"
}

// newTestKey returns an RSA key and its PKCS #8 PEM form.
func newTestKey(t *testing.T) (*rsa.PrivateKey, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}
