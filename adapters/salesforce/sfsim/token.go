package sfsim

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Grant types of the token endpoint.
const (
	grantJWTBearer         = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	grantClientCredentials = "client_credentials"
	grantRefreshToken      = "refresh_token"
)

// jwtSkew is the clock skew Salesforce tolerates on a JWT's exp.
const jwtSkew = 3 * time.Minute

// oauthError is a failed token request: one JSON object, not the REST API's
// array.
type oauthError struct {
	code, description string
}

// The token endpoint's failures, worded as Salesforce words them. Like sentinel
// errors they are shared and never modified.
var (
	errBadAssertion   = &oauthError{"invalid_grant", "invalid assertion"}
	errUnknownClient  = &oauthError{"invalid_client_id", "client identifier invalid"}
	errBadSecret      = &oauthError{"invalid_client", "invalid client credentials"}
	errAudience       = &oauthError{"invalid_grant", "audience is invalid"}
	errExpiredJWT     = &oauthError{"invalid_grant", "expired authorization code"}
	errNotApproved    = &oauthError{"invalid_grant", "user hasn't approved this consumer"}
	errRefreshToken   = &oauthError{"invalid_grant", "expired access/refresh token"}
	errGrantType      = &oauthError{"unsupported_grant_type", "grant type not supported"}
	errMustPost       = &oauthError{"invalid_request", "must use HTTP POST"}
	errAuthentication = &oauthError{"invalid_grant", "authentication failure"}
)

func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	writeJSON(w, http.StatusBadRequest, obj("error", e.code, "error_description", e.description))
}

// token answers POST /services/oauth2/token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeOAuthError(w, errMustPost)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, errAuthentication)
		return
	}
	var e *oauthError
	switch r.PostForm.Get("grant_type") {
	case grantJWTBearer:
		e = s.checkAssertion(r.PostForm.Get("assertion"))
	case grantClientCredentials:
		e = s.checkClient(r)
	case grantRefreshToken:
		// No flow the simulator offers hands out refresh tokens.
		e = errRefreshToken
	default:
		e = errGrantType
	}
	if e != nil {
		s.log.InfoContext(r.Context(), "sfsim: token refused", "grant_type", r.PostForm.Get("grant_type"), "error", e.code, "description", e.description)
		writeOAuthError(w, e)
		return
	}
	now := s.now()
	userID := s.runAs()
	token := s.orgID[:15] + "!AR" + randomString(96)
	s.sessions.issue(token, userID, now)
	base := s.URL()
	id := base + "/id/" + s.orgID + "/" + userID
	issuedAt := strconv.FormatInt(now.UnixMilli(), 10)
	mac := hmac.New(sha256.New, s.secret)
	mac.Write([]byte(id + issuedAt))
	writeJSON(w, http.StatusOK, obj(
		"access_token", token,
		"instance_url", base,
		"id", id,
		"token_type", "Bearer",
		"issued_at", issuedAt,
		"signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)),
		"scope", "api",
	))
}

// checkAssertion verifies a JWT bearer assertion in the order Salesforce must:
// the issuer first, since it names the connected app whose certificate verifies
// the signature.
func (s *Server) checkAssertion(assertion string) *oauthError {
	var claims jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(assertion, &claims); err != nil {
		return errBadAssertion
	}
	if s.opts.PublicKey == nil || s.opts.ConsumerKey == "" || claims.Issuer != s.opts.ConsumerKey {
		return errUnknownClient
	}
	_, err := jwt.ParseWithClaims(assertion, &jwt.RegisteredClaims{},
		func(*jwt.Token) (any, error) { return s.opts.PublicKey, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		// Claims are checked below, each with its own answer.
		jwt.WithoutClaimsValidation(),
	)
	if err != nil {
		return errBadAssertion
	}
	accepted := append(slices.Clone(s.opts.Audiences), s.URL())
	if !slices.ContainsFunc(claims.Audience, func(a string) bool { return a != "" && slices.Contains(accepted, a) }) {
		return errAudience
	}
	if claims.ExpiresAt == nil || !s.now().Before(claims.ExpiresAt.Add(jwtSkew)) {
		return errExpiredJWT
	}
	if claims.Subject == "" || claims.Subject != s.opts.Username {
		return errNotApproved
	}
	return nil
}

// checkClient verifies client credentials, given in the form or with HTTP Basic.
func (s *Server) checkClient(r *http.Request) *oauthError {
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if id == "" {
		if u, p, ok := r.BasicAuth(); ok {
			// RFC 6749 form-encodes the client id and secret inside Basic.
			id, secret = unescape(u), unescape(p)
		}
	}
	if s.opts.ClientID == "" || id != s.opts.ClientID {
		return errUnknownClient
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.ClientSecret)) != 1 {
		return errBadSecret
	}
	return nil
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// runAs returns the id of the user tokens are issued to: the data set's user
// with the configured username, or a stand-in id when there is none.
func (s *Server) runAs() string {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	for _, u := range s.store.rows[s.store.schema.object("User")] {
		if u.fields["Username"] == s.opts.Username && !u.deleted {
			return u.id
		}
	}
	return To18(prefixUser + "Dn0000000Api")
}

// tokenAlphabet is the alphabet of the random part of an access token.
const tokenAlphabet = base62 + "._"

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = tokenAlphabet[int(b[i])%len(tokenAlphabet)]
	}
	return string(b)
}

// sessions are the access tokens handed out and not yet expired.
type sessions struct {
	mu     sync.Mutex
	m      map[string]*session
	issued int
}

type session struct {
	userID   string
	lastUsed time.Time
	uses     int // calls served
}

func (ss *sessions) issue(token, userID string, now time.Time) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.m == nil {
		ss.m = map[string]*session{}
	}
	ss.m[token] = &session{userID: userID, lastUsed: now}
	ss.issued++
}

// check returns the session of a token and marks it used, or nil when the token
// is unknown, has been idle longer than timeout or has served maxUses calls
// (0: no limit).
func (ss *sessions) check(token string, now time.Time, timeout time.Duration, maxUses int) *session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	sess := ss.m[token]
	if sess == nil {
		return nil
	}
	if now.Sub(sess.lastUsed) > timeout || maxUses > 0 && sess.uses >= maxUses {
		delete(ss.m, token)
		return nil
	}
	sess.lastUsed = now
	sess.uses++
	return &session{userID: sess.userID, lastUsed: now, uses: sess.uses}
}

func (ss *sessions) expireAll() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.m = nil
}

// TokensIssued returns how many access tokens the server has handed out.
func (s *Server) TokensIssued() int {
	s.sessions.mu.Lock()
	defer s.sessions.mu.Unlock()
	return s.sessions.issued
}
