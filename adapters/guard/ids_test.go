package guard

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// checkingFake is a fake whose ids are upper-case letters, written in any case.
type checkingFake struct{ *fake }

func (checkingFake) CanonicalID(id string) (string, error) {
	if id == "" || strings.Trim(strings.ToUpper(id), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return "", adapters.ErrNotFound
	}
	return strings.ToUpper(id), nil
}

// The guard answers for the ids of the adapter it wraps, without a call.
func TestCanonicalIDOfTheWrappedAdapter(t *testing.T) {
	f := newFake(time.Now)
	checking := Wrap(checkingFake{f}, "crm", Policy{})
	defer checking.Close()
	if id, err := checking.CanonicalID("acme"); err != nil || id != "ACME" {
		t.Errorf("CanonicalID(acme) = %q, %v; want ACME", id, err)
	}
	if _, err := checking.CanonicalID("acme-1"); !errors.Is(err, adapters.ErrNotFound) {
		t.Errorf("CanonicalID(acme-1) = %v, want not found", err)
	}

	plain := Wrap(f, "crm", Policy{})
	defer plain.Close()
	if id, err := plain.CanonicalID("acme-1"); err != nil || id != "acme-1" {
		t.Errorf("an adapter that checks no ids: CanonicalID = %q, %v; want the id as it is", id, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) != 0 {
		t.Errorf("checking ids made calls: %v", f.calls)
	}
}
