// Package storetest holds the contract suites of the store's capabilities,
// one per capability, run against every implementation (SQLite and
// PostgreSQL). A new capability adds its interface here, its suite, and a
// line in All.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/store"
)

// SessionStore is what the Sessions suite checks.
type SessionStore interface {
	CreateSession(ctx context.Context, id string, s store.Session) error
	Session(ctx context.Context, id string, now time.Time) (store.Session, error)
	DeleteSession(ctx context.Context, id string) error
}

// LoginStore is what the Logins suite checks.
type LoginStore interface {
	SaveLogin(ctx context.Context, l store.Login, limits store.LoginLimits) error
	TakeLogin(ctx context.Context, state, binding string, now time.Time) (store.Login, error)
}

// LinkStore is what the Links suite checks.
type LinkStore interface {
	LinkDecisions(ctx context.Context, anchorSource, anchorID string) ([]store.LinkDecision, error)
	DecideLink(ctx context.Context, d store.LinkDecision) error
	LinkHistory(ctx context.Context, anchorSource, anchorID string) ([]store.LinkDecision, error)
}

// VisitStore is what the Visits suite checks.
type VisitStore interface {
	RecordVisit(ctx context.Context, v store.Visit, keep int) error
	Visit(ctx context.Context, subject, customerID string) (store.Visit, error)
	Visits(ctx context.Context, subject string) ([]store.Visit, error)
	Pin(ctx context.Context, v store.Visit, pinned bool, limit int) error
}

// SecretStore is what the Secrets suite checks.
type SecretStore interface {
	Secret(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error)
}

// SweepStore is what the Sweep suite checks: the sweeper, and the records
// it sweeps.
type SweepStore interface {
	SessionStore
	LoginStore
	DeleteExpired(ctx context.Context, now time.Time) (int64, error)
}

// LogoutStore is what the Logouts suite checks: a provider's logout, and
// the sessions and sweeper it works with.
type LogoutStore interface {
	SessionStore
	DeleteProviderSessions(ctx context.Context, subject, providerSID string) ([]string, error)
	UseToken(ctx context.Context, key string, until time.Time) error
	DeleteExpired(ctx context.Context, now time.Time) (int64, error)
}

// ActivityStore is what the Activity suite checks.
type ActivityStore interface {
	SessionStore
	TouchSession(ctx context.Context, id string, at time.Time) error
}

// DeviceStore is what the Devices suite checks: a user's sessions listed
// and ended from the sessions page.
type DeviceStore interface {
	SessionStore
	SessionsOf(ctx context.Context, subject string, now time.Time) ([]store.SessionInfo, error)
	DeleteSessionOf(ctx context.Context, subject, key string) (bool, error)
	DeleteSessionsOf(ctx context.Context, user string) ([]string, error)
	TouchSession(ctx context.Context, id string, at time.Time) error
}

// Implementation is a store with every capability.
type Implementation interface {
	SessionStore
	LoginStore
	LinkStore
	SecretStore
	SweepStore
	LogoutStore
	ActivityStore
	DeviceStore
	AuditStore
	VisitStore
}

// All runs every capability's suite on stores made by open, a fresh, empty
// one for each subtest.
func All[S Implementation](t *testing.T, open func(t *testing.T) S) {
	t.Run("Sessions", func(t *testing.T) { Sessions(t, open) })
	t.Run("Logins", func(t *testing.T) { Logins(t, open) })
	t.Run("Links", func(t *testing.T) { Links(t, open) })
	t.Run("Secrets", func(t *testing.T) { Secrets(t, open) })
	t.Run("Sweep", func(t *testing.T) { Sweep(t, open) })
	t.Run("Logouts", func(t *testing.T) { Logouts(t, open) })
	t.Run("Activity", func(t *testing.T) { Activity(t, open) })
	t.Run("Devices", func(t *testing.T) { Devices(t, open) })
	t.Run("Audit", func(t *testing.T) { Audit(t, open) })
	t.Run("Visits", func(t *testing.T) { Visits(t, open) })
}

// now is the suites' clock: every time rule is checked against it, never
// against the wall clock.
var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
