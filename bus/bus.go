// Package bus tells every Atrium instance that something changed: a session
// ended, a link between records was decided, a cached facet is no longer
// right. Each instance keeps copies (remembered sessions, reused identity
// resolutions, cached facets) that are correct on one machine; behind a load
// balancer, the instance that changed something publishes a Message and the
// others drop their copy at once instead of when it expires.
//
// The bus is in process by default (Local) and Redis pub/sub when
// bus.redis_url is set (Redis). Delivery is best effort: a message can be lost
// when a subscriber falls behind or the connection to Redis drops. A lost
// message is never silent: the subscriber then receives a Resync message and
// drops everything it remembers, and the copies' own lifetimes still bound how
// stale they can be.
package bus

import (
	"context"
	"errors"
)

// Bus publishes changes to the other instances and delivers theirs.
//
// An instance does not receive its own messages: whoever publishes has already
// acted on its own copies, so every implementation drops messages whose Sender
// is its own instance id.
type Bus interface {
	// Publish tells the other instances about m. It sets m.Sender and returns
	// quickly, bounded by ctx and a short timeout of its own, with an error
	// when m is invalid or the bus cannot be reached; the caller logs that
	// and goes on, since the copies' own lifetimes still bound the damage.
	Publish(ctx context.Context, m Message) error
	// Subscribe delivers the other instances' messages of the given kinds
	// (none: every kind) on a buffered channel, and Resync messages whatever
	// the kinds. Delivery never waits for a slow subscriber: a message that
	// does not fit its buffer is dropped and a Resync follows it. cancel
	// ends the subscription and closes the channel; Close closes every
	// subscriber's channel.
	Subscribe(kinds ...Kind) (messages <-chan Message, cancel func())
	// Close ends every subscription and releases the bus's goroutines and
	// connections. Publish then fails with ErrClosed.
	Close() error
	// ID is this instance's id, the Sender of what it publishes.
	ID() string
}

// Errors a caller may decide on.
var (
	// ErrClosed is returned by Publish after Close.
	ErrClosed = errors.New("bus: closed")
	// ErrInvalid wraps the reason a message cannot be published.
	ErrInvalid = errors.New("bus: invalid message")
)

// Buffer is how many messages a subscriber may fall behind before it misses
// some and receives Resync instead.
const Buffer = 256
