package handlers

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/audit"
	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/components"
)

// Auth serves the login flow.
type Auth struct {
	Frame    Frame
	Sessions *auth.Manager
	// Audit records sign-ins, failed ones and sign-outs.
	Audit Auditor
}

// Login handles GET /auth/login?return_to=: it redirects to the identity provider.
func (h *Auth) Login(c echo.Context) error {
	target, err := h.Sessions.BeginLogin(c.Response(), c.Request(), c.RealIP(), c.QueryParam("return_to"))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, target)
}

// Callback handles the provider's redirect back to GET /auth/callback.
func (h *Auth) Callback(c echo.Context) error {
	next, who, err := h.Sessions.FinishLogin(c.Response(), c.Request(), c.RealIP())
	if err != nil {
		record(h.Audit, c, audit.Event{Kind: audit.KindSignInFailed, Outcome: "failed", Detail: signInFailure(err)})
		return err
	}
	record(h.Audit, c, audit.Event{Kind: audit.KindSignIn, Actor: auditActor(who), Outcome: "ok"})
	return c.Redirect(http.StatusSeeOther, next)
}

// Logout handles POST /auth/logout.
func (h *Auth) Logout(c echo.Context) error {
	record(h.Audit, c, audit.Event{Kind: audit.KindSignOut, Outcome: "ok"})
	return c.Redirect(http.StatusSeeOther, h.Sessions.Logout(c.Response(), c.Request()))
}

// signInFailure names why a sign-in failed, in words that name nobody (the
// provider's own description may).
func signInFailure(err error) string {
	var limited *auth.TooManySignInsError
	switch {
	case errors.Is(err, auth.ErrLoginExpired):
		return "expired, or started in another browser"
	case errors.Is(err, auth.ErrLoginDenied):
		return "refused by the identity provider"
	case errors.Is(err, auth.ErrProviderUnavailable):
		return "identity provider unavailable"
	case errors.As(err, &limited):
		return "too many sign-ins from this address"
	}
	return "the identity provider's answer was refused"
}

// SignedOut handles GET /auth/signed-out.
func (h *Auth) SignedOut(c echo.Context) error {
	return render(c, http.StatusOK, components.SignedOut(h.Frame.Layout(c, "Signed out")))
}

// logoutError is the answer to a back-channel logout that fails, in the
// form of OAuth 2.0 errors (Back-Channel Logout 1.0, section 2.8).
type logoutError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// BackChannelLogout handles POST /auth/backchannel-logout, which the identity
// provider calls with a logout_token form field; the token's signature is
// what authenticates it, so it has neither session nor CSRF token.
func (h *Auth) BackChannelLogout(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	n, err := h.Sessions.BackChannelLogout(c.Request().Context(), c.RealIP(), c.Request().PostFormValue("logout_token"))
	var (
		bad  *auth.LogoutTokenError
		many *auth.TooManyRefusedLogoutsError
	)
	switch {
	case errors.As(err, &bad):
		return c.JSON(http.StatusBadRequest, logoutError{Error: "invalid_request", Description: bad.Reason})
	case errors.As(err, &many):
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(many.RetryAfter.Seconds()))))
		return c.JSON(http.StatusTooManyRequests, logoutError{Error: "invalid_request",
			Description: "too many refused logout tokens from this address: retry in " + many.RetryAfter.Round(time.Second).String()})
	}
	if err != nil {
		return err
	}
	record(h.Audit, c, audit.Event{Kind: audit.KindSignOut, Outcome: "ok",
		Detail: "the identity provider ended " + strconv.Itoa(n) + " session(s) (back-channel logout)"})
	return c.NoContent(http.StatusOK)
}
