package auth

import (
	"context"
	"time"

	"github.com/atrium-dev/atrium/bus"
	"github.com/atrium-dev/atrium/store"
)

// SessionStore is what the session manager keeps in the store: sessions,
// and pending logins between the redirect to the identity provider and its
// callback. storetest's Sessions and Logins suites are its contract.
type SessionStore interface {
	// CreateSession stores a session under id. The id is hashed before
	// storage, so that a copy of the database cannot be used to hijack
	// sessions.
	CreateSession(ctx context.Context, id string, s store.Session) error
	// Session returns the unexpired session stored under id, or
	// store.ErrNotFound.
	Session(ctx context.Context, id string, now time.Time) (store.Session, error)
	DeleteSession(ctx context.Context, id string) error

	// SaveLogin stores a pending login, keyed by its OAuth state, within
	// limits, in one step: it drops the oldest logins of the same binding
	// beyond PerBinding, and refuses with *store.TooManyLoginsError when
	// the client would have more than PerClient live ones.
	SaveLogin(ctx context.Context, l store.Login, limits store.LoginLimits) error
	// TakeLogin returns and deletes the pending login of state whose
	// binding hash is binding: a state is usable once, and only by the
	// browser that started it. A wrong binding leaves the login in place
	// for that browser. Unknown, foreign and expired logins are all
	// store.ErrNotFound.
	TakeLogin(ctx context.Context, state, binding string, now time.Time) (store.Login, error)
}

// Sweeper removes expired sessions and pending logins and reports how many.
// Instances sharing a store take turns: one that finds another sweeping
// skips the round and reports 0. storetest's Sweep suite is its contract.
type Sweeper interface {
	DeleteExpired(ctx context.Context, now time.Time) (int64, error)
}

// LogoutStore is what a back-channel logout from the identity provider needs
// of the store. storetest's Logouts suite is its contract.
type LogoutStore interface {
	// DeleteProviderSessions deletes the sessions of the provider's
	// session providerSID and of subject (either may be empty; see
	// BackChannelLogout) and returns their keys, the store.Hash of their
	// ids.
	DeleteProviderSessions(ctx context.Context, subject, providerSID string) ([]string, error)
	// UseToken records a one-time token's key until it expires, or
	// returns store.ErrTokenUsed when it is recorded already. The sweeper
	// removes it after until.
	UseToken(ctx context.Context, key string, until time.Time) error
}

// SessionActivity records when sessions are used, for the idle timeout.
// storetest's Activity suite is its contract.
type SessionActivity interface {
	// TouchSession records that the session of id was used at at; an
	// earlier time than the one recorded changes nothing.
	TouchSession(ctx context.Context, id string, at time.Time) error
}

// Notifier carries "a session ended" between the instances sharing a store,
// so that each forgets its remembered copy at once rather than within
// Recheck. bus.Bus is one.
type Notifier interface {
	Publish(ctx context.Context, m bus.Message) error
	Subscribe(kinds ...bus.Kind) (messages <-chan bus.Message, cancel func())
}
