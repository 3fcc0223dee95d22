package idp

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// storage is the in-memory op.Storage. Users, clients and the signing key are
// fixed at New and only read afterwards, so they need no lock; requests and
// tokens change with every flow and are guarded by mu.
type storage struct {
	users     map[string]User   // by ID
	usernames map[string]string // lower-cased username to ID
	clients   map[string]*client
	key       signingKey
	logger    *slog.Logger
	now       func() time.Time
	http      *http.Client // for back-channel logouts

	mu            sync.Mutex
	lockouts      map[string]*lockout // by user ID, of accounts with wrong passwords lately
	authRequests  map[string]*authRequest
	codes         map[string]string // code to auth request ID
	accessTokens  map[string]*accessToken
	refreshTokens map[string]*refreshToken
}

var (
	_ op.Storage                   = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest = (*storage)(nil)
)

var errNotFound = errors.New("not found or expired")

func newStorage(users []User, clients []*client, key signingKey, logger *slog.Logger) *storage {
	s := &storage{
		users:         make(map[string]User, len(users)),
		usernames:     make(map[string]string, len(users)),
		clients:       make(map[string]*client, len(clients)),
		key:           key,
		logger:        logger,
		now:           time.Now,
		http:          &http.Client{Timeout: backChannelTimeout},
		lockouts:      make(map[string]*lockout),
		authRequests:  make(map[string]*authRequest),
		codes:         make(map[string]string),
		accessTokens:  make(map[string]*accessToken),
		refreshTokens: make(map[string]*refreshToken),
	}
	for _, u := range users {
		u.Groups = slices.Clone(u.Groups)
		s.users[u.ID] = u
		s.usernames[strings.ToLower(u.Username)] = u.ID
	}
	for _, c := range clients {
		s.clients[c.cfg.ID] = c
	}
	return s
}

// CreateAuthRequest implements op.Storage. It insists on PKCE with S256 for
// every client: the discovery document offers nothing else, and a code
// without a verifier is worth stealing.
func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if slices.Contains(req.Prompt, oidc.PromptNone) {
		// There is no single sign-on session here, so a silent sign-in
		// can never succeed.
		return nil, oidc.ErrLoginRequired()
	}
	if req.CodeChallenge == "" || req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE with code_challenge_method S256 is required")
	}
	a := &authRequest{
		id:            rand.Text(),
		clientID:      req.ClientID,
		redirectURI:   req.RedirectURI,
		state:         req.State,
		nonce:         req.Nonce,
		scopes:        slices.Clone([]string(req.Scopes)),
		responseType:  req.ResponseType,
		responseMode:  req.ResponseMode,
		loginHint:     req.LoginHint,
		codeChallenge: oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod},
		createdAt:     s.now(),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	s.authRequests[a.id] = a
	s.logger.Debug("idp: authorization requested", "client_id", a.clientID, "scopes", a.scopes)
	return a.copy(), nil
}

// AuthRequestByID implements op.Storage.
func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	a, err := s.pendingAuthRequest(id)
	if err != nil {
		// A nil *authRequest would make a non-nil op.AuthRequest.
		return nil, err
	}
	return a, nil
}

// AuthRequestByCode implements op.Storage.
func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.authRequestLocked(s.codes[code])
	if err != nil {
		return nil, fmt.Errorf("code: %w", err)
	}
	if !a.done {
		return nil, fmt.Errorf("code: sign-in not completed")
	}
	return a.copy(), nil
}

// SaveAuthCode implements op.Storage. Only the latest code of a request is
// kept, so reloading the callback cannot mint a second usable code.
func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.authRequestLocked(id)
	if err != nil {
		return err
	}
	delete(s.codes, a.code)
	a.code = code
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest implements op.Storage; the library calls it once the
// code has been exchanged, which makes every code single-use.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteAuthRequestLocked(id)
	return nil
}

// pendingAuthRequest returns a copy of the request the sign-in page serves.
func (s *storage) pendingAuthRequest(id string) (*authRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.authRequestLocked(id)
	if err != nil {
		return nil, err
	}
	return a.copy(), nil
}

// An account is locked for lockFor after lockAfter wrong passwords in a row,
// so that its password cannot be guessed at speed.
const (
	lockAfter = 5
	lockFor   = time.Minute
)

// lockout counts an account's wrong passwords since its last sign-in.
type lockout struct {
	failures int
	until    time.Time // locked until then
}

// authenticate checks a username and password. Unknown users are compared
// against an empty password so that the answer takes about as long. A known
// account locked after too many wrong passwords is refused whatever the
// password, with the time the lock ends.
func (s *storage) authenticate(username, password string) (u User, ok bool, lockedUntil time.Time) {
	u, known := s.users[s.usernames[strings.ToLower(strings.TrimSpace(username))]]
	match := subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) == 1
	if !known {
		return User{}, false, time.Time{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	l := s.lockouts[u.ID]
	if l != nil && now.Before(l.until) {
		return User{}, false, l.until
	}
	if match {
		delete(s.lockouts, u.ID)
		return u, true, time.Time{}
	}
	if l == nil || !l.until.IsZero() { // none yet, or a lock that has ended
		l = &lockout{}
		s.lockouts[u.ID] = l
	}
	l.failures++
	if l.failures >= lockAfter {
		l.until = now.Add(lockFor)
		return User{}, false, l.until
	}
	return User{}, false, time.Time{}
}

// completeSignIn marks a request as signed in by userID. A request that is
// already done keeps its user: a second sign-in must not swap the account
// behind a code that may already have been issued.
func (s *storage) completeSignIn(id, userID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.authRequestLocked(id)
	if err != nil {
		return err
	}
	if a.done {
		return nil
	}
	a.done = true
	a.userID = userID
	a.authTime = s.now()
	a.sid = rand.Text()
	return nil
}

func (s *storage) authRequestLocked(id string) (*authRequest, error) {
	a, ok := s.authRequests[id]
	if !ok || a.expired(s.now()) {
		return nil, fmt.Errorf("auth request: %w", errNotFound)
	}
	return a, nil
}

func (s *storage) deleteAuthRequestLocked(id string) {
	if a, ok := s.authRequests[id]; ok {
		delete(s.codes, a.code)
		delete(s.authRequests, id)
	}
}

// pruneLocked drops whatever has expired. It runs whenever something new is
// stored, which keeps a long-running demo's memory flat without a timer.
func (s *storage) pruneLocked() {
	now := s.now()
	for id, a := range s.authRequests {
		if a.expired(now) {
			s.deleteAuthRequestLocked(id)
		}
	}
	for id, t := range s.accessTokens {
		if now.After(t.expiresAt) {
			delete(s.accessTokens, id)
		}
	}
	for id, t := range s.refreshTokens {
		if now.After(t.expiresAt) {
			delete(s.refreshTokens, id)
		}
	}
}

// Health implements op.Storage.
func (s *storage) Health(context.Context) error { return nil }
