// Package handlers holds Atrium's thin HTTP handlers: each parses the request,
// calls one service with the request's context and renders a component.
package handlers

import (
	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/policy"
)

// Keys of values the web layer keeps in the Echo context.
const (
	KeyRequestID = "atrium.request_id"
	KeySession   = "atrium.session"
	KeyViewer    = "atrium.viewer"
)

// ViewerFrom returns the signed-in viewer, with their roles (the zero
// Viewer, who may see nothing, when no one is signed in).
func ViewerFrom(c echo.Context) policy.Viewer {
	v, _ := c.Get(KeyViewer).(policy.Viewer)
	return v
}

// SessionFrom returns the request's session, if the user is signed in.
func SessionFrom(c echo.Context) (auth.Session, bool) {
	s, ok := c.Get(KeySession).(auth.Session)
	return s, ok
}

// Frame builds the layout model of a page from the request.
type Frame struct {
	Assets components.Assets
}

// Layout returns the layout of a page titled title.
func (f Frame) Layout(c echo.Context, title string) components.Layout {
	l := components.Layout{Title: title, Assets: f.Assets}
	l.RequestID, _ = c.Get(KeyRequestID).(string)
	if s, ok := SessionFrom(c); ok {
		l.User = &components.User{Name: s.Principal.DisplayName(), Email: s.Principal.Email, Groups: s.Principal.Groups}
		l.CSRFToken = s.CSRFToken
	}
	return l
}

// render writes a component with status.
func render(c echo.Context, status int, comp templ.Component) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().WriteHeader(status)
	return components.Render(c.Request().Context(), c.Response(), comp)
}

// isHTMX reports whether htmx sent the request (it then wants a fragment).
func isHTMX(c echo.Context) bool { return c.Request().Header.Get("HX-Request") == "true" }
