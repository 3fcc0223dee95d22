package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/components"
)

// Auth serves the login flow.
type Auth struct {
	Frame    Frame
	Sessions *auth.Manager
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
	next, err := h.Sessions.FinishLogin(c.Response(), c.Request(), c.RealIP())
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// Logout handles POST /auth/logout.
func (h *Auth) Logout(c echo.Context) error {
	return c.Redirect(http.StatusSeeOther, h.Sessions.Logout(c.Response(), c.Request()))
}

// SignedOut handles GET /auth/signed-out.
func (h *Auth) SignedOut(c echo.Context) error {
	return render(c, http.StatusOK, components.SignedOut(h.Frame.Layout(c, "Signed out")))
}
