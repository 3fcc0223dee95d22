package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/audit"
	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/handlers"
)

// errorHandler answers every error in one place: known errors become pages that
// say what happened and what to do; anything else is a 500 whose details go to
// the log, never to the page.
func errorHandler(logger *slog.Logger, frame handlers.Frame, trail handlers.Auditor, noAccess string) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		m := components.ErrorPage{Layout: frame.Layout(c, "Error")}
		var (
			he      *echo.HTTPError
			tooMany *auth.TooManySignInsError
		)
		switch {
		case errors.Is(err, customer.ErrNotFound):
			m.Status, m.Heading = http.StatusNotFound, "Customer not found"
			m.Message = "There is no customer with this id. It may have been deleted or merged."
			m.Action = &components.Link{Label: "Search customers", Href: "/"}
		case errors.Is(err, customer.ErrForbidden):
			m.Status, m.Heading = http.StatusForbidden, "No access"
			m.Message = "You don't have access to customers in Atrium yet. " + noAccess
			m.Action = &components.Link{Label: "Start page", Href: "/"}
		case errors.Is(err, errWrongHost):
			m.Status, m.Heading = http.StatusMisdirectedRequest, "Wrong address"
			m.Message = "Atrium does not answer at this address."
			m.Hint = "Open Atrium at the address your administrator gave you."
		case errors.Is(err, auth.ErrProviderUnavailable):
			m.Status, m.Heading = http.StatusServiceUnavailable, "Sign-in unavailable"
			m.Message = "Atrium cannot reach the identity provider right now, so nobody can sign in."
			m.Hint = "Atrium keeps trying in the background. Wait a minute and try again; if it persists, tell your administrator."
			m.Action = &components.Link{Label: "Try again", Href: loginURL(localPart(c.QueryParam("return_to")))}
			c.Response().Header().Set("Retry-After", "30")
		case errors.Is(err, auth.ErrLoginExpired):
			m.Status, m.Heading = http.StatusBadRequest, "Sign-in expired"
			m.Message = "This sign-in attempt has expired or was started in another browser window."
			m.Action = &components.Link{Label: "Sign in again", Href: "/auth/login"}
		case errors.As(err, &tooMany):
			wait := retryAfter(tooMany.RetryAfter)
			m.Status, m.Heading = http.StatusTooManyRequests, "Too many sign-in attempts"
			m.Message = "Atrium has had too many sign-in attempts from your network address in a short time, so it refuses more for a moment."
			m.Hint = "Try again in " + inWords(wait) + ". If this keeps happening, tell your administrator."
			m.Action = &components.Link{Label: "Sign in again", Href: loginURL(localPart(c.QueryParam("return_to")))}
			c.Response().Header().Set("Retry-After", strconv.Itoa(wait))
		case errors.Is(err, auth.ErrLoginFailed):
			m.Status, m.Heading = http.StatusBadRequest, "Sign-in failed"
			m.Message = "The identity provider did not confirm this sign-in: its answer was used already, came from another sign-in, or has expired."
			m.Hint = "Start again from the sign-in page."
			m.Action = &components.Link{Label: "Start again", Href: "/auth/login"}
			logger.WarnContext(c.Request().Context(), "sign-in failed", "request_id", RequestIDFrom(c.Request().Context()), "err", err)
		case errors.Is(err, auth.ErrLoginDenied):
			m.Status, m.Heading = http.StatusForbidden, "Not signed in"
			m.Message = "The identity provider did not sign you in."
			m.Hint = "If you cancelled, sign in again. If access was refused, ask your administrator for access to Atrium."
			m.Action = &components.Link{Label: "Sign in again", Href: "/auth/login"}
		case errors.As(err, &he):
			m.Status = he.Code
			m.Heading = http.StatusText(he.Code)
			m.Message = fmt.Sprint(he.Message)
			if he.Code == http.StatusNotFound && he.Message == http.StatusText(http.StatusNotFound) {
				m.Heading, m.Message = "Page not found", "There is nothing at this address."
				m.Action = &components.Link{Label: "Search customers", Href: "/"}
			}
		default:
			m.Status, m.Heading = http.StatusInternalServerError, "Something went wrong"
			m.Message = "Atrium could not complete this request."
			m.Hint = "Try again. If it keeps happening, give your administrator the request id shown below."
		}
		if m.Status == http.StatusForbidden && trail != nil {
			ev := audit.Event{Kind: audit.KindAccessRefused, Outcome: "refused", Client: c.RealIP(),
				Detail: c.Request().Method + " " + c.Request().URL.Path + ": " + m.Message}
			if s, ok := handlers.SessionFrom(c); ok {
				ev.Actor = audit.Actor{Subject: s.Principal.Subject, Email: s.Principal.Email, Name: s.Principal.Name}
			}
			trail.Record(ev)
		}
		if m.Status >= 500 {
			logger.ErrorContext(c.Request().Context(), "request failed", "request_id", RequestIDFrom(c.Request().Context()), "err", err)
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(m.Status)
			return
		}
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
		if c.Request().Header.Get("HX-Request") == "true" {
			// htmx ignores error answers unless told where to put them: show the
			// problem where the results would go, not a whole page inside them.
			c.Response().Header().Set("HX-Retarget", "#results")
			c.Response().Header().Set("HX-Reswap", "outerHTML")
			c.Response().WriteHeader(m.Status)
			_ = components.ErrorFragment(m).Render(c.Request().Context(), c.Response())
			return
		}
		c.Response().WriteHeader(m.Status)
		_ = components.Error(m).Render(c.Request().Context(), c.Response())
	}
}

// retryAfter is a wait in whole seconds, at least one.
func retryAfter(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// inWords says a wait of seconds as a person would.
func inWords(seconds int) string {
	switch {
	case seconds == 1:
		return "a second"
	case seconds < 90:
		return strconv.Itoa(seconds) + " seconds"
	default:
		return strconv.Itoa((seconds+59)/60) + " minutes"
	}
}
