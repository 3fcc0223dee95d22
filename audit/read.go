package audit

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/atrium-dev/atrium/store"
)

// Entry is a record as the admin view shows it.
type Entry struct {
	Seq      int64
	At       time.Time
	Kind     string
	Customer string
	Actor    Actor
	Client   string
	Erased   bool // the person's key was erased: Actor and Client are empty
	Sources  []string
	Fields   []string
	Outcome  string
	Detail   string
}

// Query selects entries, newest first.
type Query struct {
	Subject   string // whose records
	Customer  string
	Kind      string
	From, To  time.Time
	BeforeSeq int64 // the next page: below the last entry's Seq
	Limit     int
}

// Log reads the trail for people: it opens what names a person.
type Log struct {
	st interface {
		Reader
		KeyStore
	}
	keys *Keys
}

// NewLog reads the trail in st with keys.
func NewLog(st interface {
	Reader
	KeyStore
}, keys *Keys) *Log {
	return &Log{st: st, keys: keys}
}

// List returns the entries q selects, newest first.
func (l *Log) List(ctx context.Context, q Query) ([]Entry, error) {
	sq := store.AuditQuery{Customer: q.Customer, Kind: q.Kind, From: q.From, To: q.To, BeforeSeq: q.BeforeSeq, Newest: true, Limit: q.Limit}
	if q.Subject != "" {
		sq.ActorRef = l.keys.Ref(q.Subject)
	}
	recs, err := l.st.AuditRecords(ctx, sq)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(recs))
	for _, r := range recs {
		e := Entry{Seq: r.Seq, At: r.At, Kind: r.Kind, Customer: r.Customer}
		var b body
		if err := json.Unmarshal(r.Body, &b); err == nil {
			e.Sources, e.Fields, e.Outcome, e.Detail = b.Sources, b.Fields, b.Outcome, b.Detail
		}
		if len(r.Personal) > 0 {
			p, err := l.personal(ctx, r)
			switch {
			case errors.Is(err, ErrErased):
				e.Erased = true
			case err != nil:
				return nil, err
			default:
				e.Actor, e.Client = p.Actor, p.Client
			}
		}
		out = append(out, e)
	}
	return out, nil
}

func (l *Log) personal(ctx context.Context, r store.AuditRecord) (personal, error) {
	a, err := l.keys.person(ctx, l.st, r.ActorRef, false)
	if err != nil {
		return personal{}, err
	}
	plain, err := open(a, r.Personal, []byte(r.ActorRef))
	if err != nil {
		return personal{}, err
	}
	var p personal
	err = json.Unmarshal(plain, &p)
	return p, err
}

// Erase makes every record of subject name nobody, by deleting the key
// that sealed what named them; the chain still verifies.
func (l *Log) Erase(ctx context.Context, subject string) error {
	ref := l.keys.Ref(subject)
	if err := l.st.EraseAuditKey(ctx, ref); err != nil {
		return err
	}
	l.keys.forget(ref)
	return nil
}
