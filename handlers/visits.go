package handlers

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/components/present"
	"github.com/atrium-dev/atrium/store"
)

// Visits keeps, per user, the customers they opened lately and those they
// pinned to their start page.
type Visits interface {
	RecordVisit(ctx context.Context, v store.Visit, keep int) error
	Visit(ctx context.Context, subject, customerID string) (store.Visit, error)
	Visits(ctx context.Context, subject string) ([]store.Visit, error)
	Pin(ctx context.Context, v store.Visit, pinned bool, limit int) error
}

// Recent customers a user's start page lists, and pins they may keep.
const (
	KeepRecent = 10
	MaxPins    = 50
)

// visitTimeout bounds each read or write of a visit: the page never waits
// long for its start-page bookkeeping.
const visitTimeout = 2 * time.Second

// Recents notes the customers a user opens and says whether they pinned the
// one on the page. Neither may slow or fail the customer page: failures are
// logged, and the page shows without them.
type Recents struct {
	Store  Visits
	Logger *slog.Logger
}

// opened records, without holding the page up, that the signed-in user
// opened customer id, named name.
func (r *Recents) opened(c echo.Context, id, name string) {
	sess, ok := SessionFrom(c)
	if r == nil || !ok {
		return
	}
	v := store.Visit{Subject: sess.Principal.Subject, CustomerID: id, Name: name, OpenedAt: time.Now()}
	ctx := context.WithoutCancel(c.Request().Context())
	go func() {
		ctx, cancel := context.WithTimeout(ctx, visitTimeout)
		defer cancel()
		if err := r.Store.RecordVisit(ctx, v, KeepRecent); err != nil {
			r.Logger.WarnContext(ctx, "record customer visit", "customer", id, "err", err)
		}
	}()
}

// pin is the pin button of customer id for the signed-in user; nil when the
// store cannot say whether they pinned it.
func (r *Recents) pin(c echo.Context, id, name string) *components.PinControl {
	sess, ok := SessionFrom(c)
	if r == nil || !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), visitTimeout)
	defer cancel()
	v, err := r.Store.Visit(ctx, sess.Principal.Subject, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		r.Logger.WarnContext(ctx, "read customer pin", "customer", id, "err", err)
		return nil
	}
	return present.Pin(id, name, v.Pinned(), sess.CSRFToken)
}

// onCustomerPage adds to m what the start page keeps of it: the pin button,
// and the visit itself.
func (r *Recents) onCustomerPage(c echo.Context, id string, m *components.CustomerPage) {
	if r == nil {
		return
	}
	if m.Header.Problem != nil {
		return // without its name, the customer is noted at the next view
	}
	m.Header.Pin = r.pin(c, id, m.Header.Name)
	r.opened(c, id, m.Header.Name)
}
