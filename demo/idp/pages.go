package idp

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/op"
)

//go:embed pages.html
var pageFiles embed.FS

// pages serves the sign-in page the library leaves to its users, and the
// page shown after signing out when the client named no other.
type pages struct {
	store       *storage
	issuer      string
	origin      string // scheme://host of the issuer, for the Origin check
	callbackURL func(ctx context.Context, authRequestID string) string
	accounts    []accountView
	tmpl        *template.Template
	logger      *slog.Logger
}

// loginView is what the sign-in page shows.
type loginView struct {
	Action        string
	AuthRequestID string
	ClientID      string
	Username      string
	Error         string
	Accounts      []accountView
}

// accountView is one row of the demo accounts table.
type accountView struct {
	Username string
	Password string
	Name     string
	Groups   string
}

// messageView is a page with a heading and one paragraph.
type messageView struct {
	Title   string
	Message string
}

func accountViews(users []User) []accountView {
	views := make([]accountView, 0, len(users))
	for _, u := range users {
		views = append(views, accountView{
			Username: u.Username, Password: u.Password, Name: u.Name, Groups: strings.Join(u.Groups, ", "),
		})
	}
	return views
}

func (p *pages) showLogin(w http.ResponseWriter, r *http.Request) {
	a, err := p.store.pendingAuthRequest(r.URL.Query().Get("authRequestID"))
	if err != nil {
		p.showUnknownRequest(w)
		return
	}
	if a.done {
		p.redirectToCallback(w, r, a.id)
		return
	}
	p.render(w, http.StatusOK, "login", p.loginView(a, a.loginHint, ""))
}

// submitLogin checks the credentials. A wrong password shows the form again
// with status 200, so the browser keeps the page and the typed username.
func (p *pages) submitLogin(w http.ResponseWriter, r *http.Request) {
	if !p.sameOrigin(r) {
		http.Error(w, "Sign-in refused: the form was sent from another site. "+
			"Return to the application and sign in from there.", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "The sign-in form could not be read. Return to the application and sign in again.", http.StatusBadRequest)
		return
	}
	a, err := p.store.pendingAuthRequest(r.PostForm.Get("authRequestID"))
	if err != nil {
		p.showUnknownRequest(w)
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	user, ok, lockedUntil := p.store.authenticate(username, r.PostForm.Get("password"))
	if !lockedUntil.IsZero() {
		wait := max(1, int(math.Ceil(lockedUntil.Sub(p.store.now()).Seconds())))
		p.logger.Warn("idp: sign-in refused: account locked", "username", username, "client_id", a.clientID, "until", lockedUntil)
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		p.render(w, http.StatusTooManyRequests, "login", p.loginView(a, username, fmt.Sprintf(
			"This account is locked for a minute after %d wrong passwords in a row. Try again in %d seconds.", lockAfter, wait)))
		return
	}
	if !ok {
		p.logger.Warn("idp: sign-in failed", "username", username, "client_id", a.clientID)
		p.render(w, http.StatusOK, "login", p.loginView(a, username, "Wrong username or password. Please try again."))
		return
	}
	if err := p.store.completeSignIn(a.id, user.ID); err != nil {
		p.showUnknownRequest(w)
		return
	}
	p.logger.Info("idp: signed in", "username", user.Username, "user_id", user.ID, "client_id", a.clientID)
	p.redirectToCallback(w, r, a.id)
}

func (p *pages) showLoggedOut(w http.ResponseWriter, _ *http.Request) {
	p.render(w, http.StatusOK, "message", messageView{
		Title:   "You have signed out",
		Message: "You can close this window, or return to the application to sign in again.",
	})
}

func (p *pages) showUnknownRequest(w http.ResponseWriter) {
	p.render(w, http.StatusBadRequest, "message", messageView{
		Title:   "This sign-in link has expired",
		Message: "The sign-in request is unknown or more than ten minutes old. Return to the application and sign in again.",
	})
}

// redirectToCallback hands the finished request back to the library, which
// issues the code and redirects to the client. See Other turns the POST into
// a GET.
func (p *pages) redirectToCallback(w http.ResponseWriter, r *http.Request, id string) {
	ctx := op.ContextWithIssuer(r.Context(), p.issuer)
	http.Redirect(w, r, p.callbackURL(ctx, id), http.StatusSeeOther)
}

func (p *pages) loginView(a *authRequest, username, message string) loginView {
	return loginView{
		Action:        p.issuer + loginPath,
		AuthRequestID: a.id,
		ClientID:      a.clientID,
		Username:      username,
		Error:         message,
		Accounts:      p.accounts,
	}
}

// sameOrigin refuses a form posted from another site. Browsers send
// Sec-Fetch-Site and Origin on every POST; a request with neither is not from a
// browser form. Origin may be "null" (privacy settings), so Sec-Fetch-Site
// decides when present.
func (p *pages) sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	case "same-site", "cross-site":
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	return strings.EqualFold(origin, p.origin)
}

// render writes a page only once it has rendered completely, so a template
// error cannot leave half a page behind a 200.
func (p *pages) render(w http.ResponseWriter, status int, name string, view any) {
	var buf bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&buf, name, view); err != nil {
		p.logger.Error("idp: render page", "page", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	// The page URL carries the auth request id; keep it out of any Referer
	// sent to another origin.
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
