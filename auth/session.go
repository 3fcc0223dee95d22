package auth

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/sessions"
	"github.com/maypok86/otter/v2"

	"github.com/atrium-dev/atrium/bus"
	"github.com/atrium-dev/atrium/store"
)

// Cookie names. The session cookie holds only a random session id; everything
// else about the session lives in the store.
const (
	SessionCookie = "atrium_session"
	LoginCookie   = "atrium_login"
	sessionIDKey  = "sid"
	loginTTL      = 10 * time.Minute
)

// Errors of the login callback, each with a message a user can act on.
var (
	ErrLoginExpired = errors.New("this sign-in attempt has expired or was started in another browser: start again")
	ErrLoginDenied  = errors.New("the identity provider did not sign you in")
	// ErrLoginFailed means the provider refused the callback's code, or
	// its tokens did not hold up: a stale, replayed or forged callback.
	ErrLoginFailed = errors.New("sign-in failed: start again")
)

// Session is a signed-in user's session as a request sees it.
type Session struct {
	ID        string
	Principal Principal
	CSRFToken string
	ExpiresAt time.Time
	// LastSeen is when the session was last used, as the store knows it
	// (at most IdleTimeout/60 plus Recheck behind).
	LastSeen time.Time
	idToken  string
	cookie   string // the session cookie's value, the key of Manager.recent
}

// ManagerConfig configures sessions.
type ManagerConfig struct {
	Store SessionStore
	// Logouts serves the identity provider's back-channel logouts (nil:
	// they are refused).
	Logouts LogoutStore
	RP      *RP
	// HashKey signs the cookies (at least 32 random bytes).
	HashKey []byte
	TTL     time.Duration
	// IdleTimeout ends a session unused for this long (0: never), on
	// every instance, as a logout does. Activity records when sessions are
	// used, at most once per IdleTimeout/60 each, so a session in use may
	// end up to that plus Recheck early.
	IdleTimeout time.Duration
	Activity    SessionActivity
	// Recheck is how long a session read from the store is trusted before
	// the store is asked again (0: ask on every request). A session ended
	// on this instance is forgotten at once; one ended on another instance
	// sharing the store is refused here at once when both share Bus (and
	// FollowEnded runs), else within Recheck.
	Recheck time.Duration
	// Bus tells the other instances which sessions ended here, and this
	// one which ended there (nil: no other instance to tell).
	Bus Notifier
	// Secure marks cookies Secure; set it whenever the public URL is https.
	Secure bool
	// PostLogoutURL is where the identity provider sends the browser after logout.
	PostLogoutURL string
	// SignInRate and SignInBurst limit sign-in starts and callbacks per
	// client address: SignInRate a minute, SignInBurst at once (0: the
	// defaults, 10 and 20).
	SignInRate, SignInBurst int
	// PendingPerClient and PendingPerBrowser bound the sign-ins in progress
	// (0: the defaults, 50 and 5): a client address with PendingPerClient
	// is refused more until one expires; a browser keeps its newest
	// PendingPerBrowser (one per tab that started signing in).
	PendingPerClient, PendingPerBrowser int
	Logger                              *slog.Logger
	Now                                 func() time.Time
}

// Manager runs the login flow and keeps sessions.
type Manager struct {
	cfg     ManagerConfig
	cookies *sessions.CookieStore
	// recent holds sessions read lately, by the session cookie's value:
	// only a value whose signature was checked gets an entry, so a hit is
	// as good as the full check was. An ended session stays as a tombstone,
	// refused without asking the store.
	recent *otter.Cache[string, recentSession]
	// ids indexes recent by store.Hash of the session id, the name other
	// instances give an ended session on the bus. An id ended there stays
	// marked, so that a read of the store in flight here cannot bring it
	// back.
	ids *otter.Cache[string, recentID]
	// signIns limits sign-in starts and callbacks per client address.
	signIns *signInLimiters
	// refusedLogouts counts the back-channel logout tokens refused per
	// client address: each bad signature makes go-oidc fetch the
	// provider's keys again, which nobody may do at will.
	refusedLogouts *signInLimiters
}

type recentSession struct {
	s       Session
	recheck time.Time // ask the store again from then on
	ended   bool      // the store no longer has the session
}

type recentID struct {
	cookie string // the cookie value recent holds the session under
	ended  bool   // another instance ended it
}

// recentSessions bounds the sessions kept in memory between rechecks.
const recentSessions = 10_000

// NewManager returns a session manager.
func NewManager(cfg ManagerConfig) (*Manager, error) {
	if len(cfg.HashKey) < 32 {
		return nil, errors.New("auth: the cookie signing key must have at least 32 bytes")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.IdleTimeout > 0 && cfg.Activity == nil {
		return nil, errors.New("auth: an idle timeout needs a store of session activity")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.SignInRate = cmp.Or(cfg.SignInRate, DefaultSignInRate)
	cfg.SignInBurst = cmp.Or(cfg.SignInBurst, DefaultSignInBurst)
	cfg.PendingPerClient = cmp.Or(cfg.PendingPerClient, DefaultPendingPerClient)
	cfg.PendingPerBrowser = cmp.Or(cfg.PendingPerBrowser, DefaultPendingPerBrowser)
	cs := sessions.NewCookieStore(cfg.HashKey)
	cs.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int(cfg.TTL.Seconds()),
		HttpOnly: true,
		Secure:   cfg.Secure,
		SameSite: http.SameSiteLaxMode,
	}
	cs.MaxAge(int(cfg.TTL.Seconds()))
	m := &Manager{cfg: cfg, cookies: cs, signIns: newSignInLimiters(cfg.SignInRate, cfg.SignInBurst, cfg.Now),
		refusedLogouts: newSignInLimiters(refusedLogoutRate, refusedLogoutBurst, cfg.Now)}
	if cfg.Recheck > 0 {
		m.recent = otter.Must(&otter.Options[string, recentSession]{
			MaximumSize: recentSessions,
			// Upkeep runs in the caller: the cache starts no goroutine,
			// and a Manager needs no Close.
			Executor: func(fn func()) { fn() },
		})
		m.ids = otter.Must(&otter.Options[string, recentID]{
			MaximumSize: recentSessions,
			Executor:    func(fn func()) { fn() },
		})
	}
	return m, nil
}

// Current returns the request's session. A missing, tampered or expired cookie,
// or a session that the store no longer has, all mean: signed out.
func (m *Manager) Current(r *http.Request) (Session, bool) {
	raw, err := r.Cookie(SessionCookie)
	if err != nil || raw.Value == "" {
		return Session{}, false
	}
	now := m.cfg.Now()
	if m.recent != nil {
		if e, ok := m.recent.GetIfPresent(raw.Value); ok {
			if e.ended {
				return Session{}, false
			}
			if now.Before(e.recheck) && now.Before(e.s.ExpiresAt) {
				return e.s, true
			}
		}
	}
	c, err := m.cookies.Get(r, SessionCookie)
	if err != nil || c.IsNew {
		return Session{}, false
	}
	id, _ := c.Values[sessionIDKey].(string)
	if id == "" {
		return Session{}, false
	}
	rec, err := m.cfg.Store.Session(r.Context(), id, now)
	if errors.Is(err, store.ErrNotFound) {
		if m.recent != nil {
			// The tombstone makes this once per cookie: tell the others,
			// in case the instance that ended it could not.
			m.forget(raw.Value)
			m.publishEnded(r.Context(), store.Hash(id))
		}
		return Session{}, false
	}
	if err != nil {
		m.cfg.Logger.ErrorContext(r.Context(), "read session", "err", err)
		return Session{}, false
	}
	s := Session{
		ID:        id,
		Principal: Principal{Subject: rec.Subject, Email: rec.Email, Name: rec.Name, Groups: rec.Groups},
		CSRFToken: rec.CSRFToken,
		ExpiresAt: rec.ExpiresAt,
		LastSeen:  rec.LastSeenAt,
		idToken:   rec.IDToken,
		cookie:    raw.Value,
	}
	if !m.stillActive(r.Context(), &s, now) {
		return Session{}, false
	}
	if m.recent != nil && !m.remember(s, now) {
		return Session{}, false
	}
	return s, true
}

// stillActive ends s, just read from the store, when it has been idle for
// IdleTimeout, and otherwise records its use when the store's LastSeen is
// more than IdleTimeout/60 old.
func (m *Manager) stillActive(ctx context.Context, s *Session, now time.Time) bool {
	idle := m.cfg.IdleTimeout
	if idle <= 0 {
		return true
	}
	if !now.Before(s.LastSeen.Add(idle)) {
		if err := m.end(ctx, *s); err != nil {
			m.cfg.Logger.ErrorContext(ctx, "end idle session", "err", err)
		}
		m.cfg.Logger.InfoContext(ctx, "session ended: idle", "subject", s.Principal.Subject, "idle_timeout", idle)
		return false
	}
	if now.Sub(s.LastSeen) >= idle/60 {
		if err := m.cfg.Activity.TouchSession(ctx, s.ID, now); err != nil {
			m.cfg.Logger.WarnContext(ctx, "record session activity", "err", err)
		} else {
			s.LastSeen = now
		}
	}
	return true
}

// remember keeps s, just read from the store, for Recheck. It reports false
// when the session ended while the store was read, here or on another
// instance: it then stays ended rather than coming back for Recheck.
func (m *Manager) remember(s Session, now time.Time) bool {
	// First the index, so that an end announced on the bus from here on
	// finds the cookie; an end announced before has left its mark.
	id, _ := m.ids.Compute(store.Hash(s.ID), func(old recentID, found bool) (recentID, otter.ComputeOp) {
		if found && old.ended {
			return old, otter.CancelOp
		}
		return recentID{cookie: s.cookie}, otter.WriteOp
	})
	if id.ended {
		m.forget(s.cookie)
		return false
	}
	// Kept without the ID token, the bulk of a session, needed only at
	// logout (which reads it from the store).
	kept := s
	kept.idToken = ""
	// Not a plain Set: a session ended while the store was read must stay
	// ended.
	e, _ := m.recent.Compute(s.cookie, func(old recentSession, found bool) (recentSession, otter.ComputeOp) {
		if found && old.ended {
			return old, otter.CancelOp
		}
		return recentSession{s: kept, recheck: now.Add(m.cfg.Recheck)}, otter.WriteOp
	})
	return !e.ended
}

// end deletes a session from the store and from this instance's memory, and
// tells the other instances to forget it too.
func (m *Manager) end(ctx context.Context, s Session) error {
	m.forget(s.cookie)
	if err := m.cfg.Store.DeleteSession(ctx, s.ID); err != nil {
		return err
	}
	m.publishEnded(ctx, store.Hash(s.ID))
	return nil
}

// publishEnded tells the other instances that the session of key (the
// store.Hash of its id) has ended. A message that cannot be sent is logged:
// they then refuse the session within Recheck.
func (m *Manager) publishEnded(ctx context.Context, key string) {
	if m.cfg.Bus == nil {
		return
	}
	if err := m.cfg.Bus.Publish(ctx, bus.EndedSession(key)); err != nil {
		m.cfg.Logger.WarnContext(ctx, "tell other instances a session ended", "err", err)
	}
}

// FollowEnded forgets at once, until ctx ends, the sessions that other
// instances announce as ended on the bus, and everything remembered when the
// bus may have lost messages (bus.Resync): those are read from the store
// again. It has subscribed when it returns; the messages are handled in a
// goroutine of its own.
func (m *Manager) FollowEnded(ctx context.Context) {
	if m.cfg.Bus == nil || m.recent == nil {
		return
	}
	msgs, cancel := m.cfg.Bus.Subscribe(bus.SessionEnded)
	go func() {
		defer cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case msg, ok := <-msgs:
				if !ok {
					return
				}
				m.endedElsewhere(msg)
			}
		}
	}()
}

func (m *Manager) endedElsewhere(msg bus.Message) {
	switch msg.Kind {
	case bus.SessionEnded:
		m.endedKey(msg.Session)
	case bus.Resync:
		m.recent.InvalidateAll()
		m.ids.InvalidateAll()
	}
}

// endedKey marks the session of key (the store.Hash of its id) as ended,
// once it is gone from the store: a remembered copy is dropped, and a read
// of the store in flight cannot bring it back.
func (m *Manager) endedKey(key string) {
	if m.ids == nil {
		return
	}
	var cookie string
	m.ids.Compute(key, func(old recentID, found bool) (recentID, otter.ComputeOp) {
		cookie = old.cookie
		return recentID{ended: true}, otter.WriteOp
	})
	if cookie != "" {
		m.forget(cookie)
	}
}

// forget remembers that the session of a cookie value has ended: this
// instance then refuses the cookie without asking the store. Sessions never
// come back, so the tombstone stays until the cache evicts it.
func (m *Manager) forget(cookie string) {
	if m.recent != nil {
		m.recent.Set(cookie, recentSession{ended: true})
	}
}

// BeginLogin records a login attempt and returns the provider URL to redirect
// to. client is the address the request came from (the direct peer): it is
// limited in how often it may start signing in, and in how many sign-ins it
// may have in progress.
func (m *Manager) BeginLogin(w http.ResponseWriter, r *http.Request, client, returnTo string) (string, error) {
	client = clientKey(client)
	if err := m.signIns.allow(client); err != nil {
		return "", err
	}
	if !m.cfg.RP.Ready() {
		return "", ErrProviderUnavailable
	}
	// A browser signing in from several tabs keeps one binding, so each
	// tab's sign-in can finish and the browser's are counted together.
	binding := ""
	if c, err := r.Cookie(LoginCookie); err == nil && isBinding(c.Value) {
		binding = c.Value
	} else {
		binding = rand.Text()
	}
	now := m.cfg.Now()
	l := store.Login{
		State:     rand.Text(),
		Binding:   store.Hash(binding),
		Nonce:     rand.Text(),
		Verifier:  rand.Text() + rand.Text(), // 52 characters: RFC 7636 wants 43 to 128
		ReturnTo:  SafeReturnTo(returnTo),
		Client:    client,
		CreatedAt: now,
		ExpiresAt: now.Add(loginTTL),
	}
	target, err := m.cfg.RP.AuthCodeURL(l.State, l.Nonce, l.Verifier)
	if err != nil {
		return "", err
	}
	err = m.cfg.Store.SaveLogin(r.Context(), l, store.LoginLimits{PerBinding: m.cfg.PendingPerBrowser, PerClient: m.cfg.PendingPerClient})
	var full *store.TooManyLoginsError
	if errors.As(err, &full) {
		return "", &TooManySignInsError{RetryAfter: max(full.Until.Sub(now), time.Second)}
	}
	if err != nil {
		return "", err
	}
	http.SetCookie(w, m.loginCookie(binding, int(loginTTL.Seconds())))
	return target, nil
}

// isBinding reports whether v has the form of a binding BeginLogin made
// (rand.Text: 26 characters of base32).
func isBinding(v string) bool {
	if len(v) != 26 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !('A' <= c && c <= 'Z' || '2' <= c && c <= '7') {
			return false
		}
	}
	return true
}

func (m *Manager) loginCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: LoginCookie, Value: value, Path: "/auth/", MaxAge: maxAge,
		HttpOnly: true, Secure: m.cfg.Secure, SameSite: http.SameSiteLaxMode,
	}
}

// FinishLogin handles the provider's redirect back: it takes the pending
// login of the state and this browser's binding, exchanges the code,
// verifies the ID token and starts a fresh session. It returns the local
// path to continue to and who signed in. client is the address the request came from, limited
// as in BeginLogin.
func (m *Manager) FinishLogin(w http.ResponseWriter, r *http.Request, client string) (string, Principal, error) {
	if err := m.signIns.allow(clientKey(client)); err != nil {
		return "", Principal{}, err
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return "", Principal{}, fmt.Errorf("%w (%s: %s)", ErrLoginDenied, e, q.Get("error_description"))
	}
	binding, err := r.Cookie(LoginCookie)
	if err != nil || q.Get("state") == "" {
		return "", Principal{}, ErrLoginExpired
	}
	// Only this browser's login is taken: a state seen by someone else
	// (in a log, over a shoulder) cannot spoil the user's sign-in.
	l, err := m.cfg.Store.TakeLogin(r.Context(), q.Get("state"), store.Hash(binding.Value), m.cfg.Now())
	if errors.Is(err, store.ErrNotFound) {
		return "", Principal{}, ErrLoginExpired
	}
	if err != nil {
		return "", Principal{}, err
	}
	id, err := m.cfg.RP.Exchange(r.Context(), q.Get("code"), l.Verifier, l.Nonce)
	if err != nil {
		return "", Principal{}, err
	}
	// A fresh id at every login: an id planted before login is never promoted.
	if old, ok := m.Current(r); ok {
		_ = m.end(r.Context(), old)
	}
	sid := rand.Text() + rand.Text()
	now := m.cfg.Now()
	rec := store.Session{
		Subject: id.Principal.Subject, Email: id.Principal.Email, Name: id.Principal.Name,
		Groups: id.Principal.Groups, IDToken: id.RawIDToken, CSRFToken: rand.Text(),
		CreatedAt: now, ExpiresAt: now.Add(m.cfg.TTL), TokenExpiry: id.TokenExpiry, ProviderSID: id.ProviderSID,
	}
	if err := m.cfg.Store.CreateSession(r.Context(), sid, rec); err != nil {
		return "", Principal{}, err
	}
	c := sessions.NewSession(m.cookies, SessionCookie)
	c.Options = m.cookies.Options
	c.Values[sessionIDKey] = sid
	if err := m.cookies.Save(r, w, c); err != nil {
		return "", Principal{}, fmt.Errorf("auth: write session cookie: %w", err)
	}
	m.cfg.Logger.InfoContext(r.Context(), "signed in", "subject", rec.Subject, "email", rec.Email, "groups", rec.Groups)
	return l.ReturnTo, id.Principal, nil
}

// Logout ends the session and returns where to send the browser: the provider's
// end-session endpoint when it has one, else the local signed-out page.
func (m *Manager) Logout(w http.ResponseWriter, r *http.Request) string {
	s, ok := m.Current(r)
	if ok && s.idToken == "" { // remembered without it
		if rec, err := m.cfg.Store.Session(r.Context(), s.ID, m.cfg.Now()); err == nil {
			s.idToken = rec.IDToken
		}
	}
	if ok {
		if err := m.end(r.Context(), s); err != nil {
			m.cfg.Logger.ErrorContext(r.Context(), "delete session", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: m.cfg.Secure, SameSite: http.SameSiteLaxMode})
	// The browser drops what it kept of the session: pages in its cache
	// (the Back button would show them), storage, and cookies, also those
	// proxied tools keep under /tools/, which end with the session.
	w.Header().Set("Clear-Site-Data", `"cache", "cookies", "storage"`)
	if ok {
		if u, has := m.cfg.RP.EndSessionURL(s.idToken, m.cfg.PostLogoutURL); has {
			return u
		}
	}
	return localPath(m.cfg.PostLogoutURL)
}

func localPath(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Path == "" {
		return "/"
	}
	return p.RequestURI()
}

// CheckCSRF verifies a state-changing request: the token from the X-CSRF-Token
// header or the _csrf form field must equal the session's, and a browser that
// says the request is cross-site is refused outright.
func CheckCSRF(r *http.Request, s Session) error {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return errors.New("auth: cross-site request refused")
	}
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" {
		tok = r.PostFormValue("_csrf")
	}
	if tok == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(s.CSRFToken)) != 1 {
		return errors.New("auth: missing or wrong CSRF token")
	}
	return nil
}

// SweepExpired deletes expired sessions and logins from s every interval
// until ctx ends.
func (m *Manager) SweepExpired(ctx context.Context, s Sweeper, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.DeleteExpired(ctx, m.cfg.Now()); err != nil {
				m.cfg.Logger.Warn("sweep expired sessions", "err", err)
			} else if n > 0 {
				m.cfg.Logger.Debug("swept expired sessions", "count", n)
			}
		}
	}
}
