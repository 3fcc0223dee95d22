package components

import (
	"bytes"
	"context"
	"io"

	"github.com/a-h/templ"
	"github.com/maypok86/otter/v2"
)

// FragmentKey names the bytes of one rendered panel by everything that
// changes them, so that two panels with one key render the same. The
// presenter builds it (present.CustomerStream); a panel it cannot name
// completely gets none and is rendered every time.
//
// An admin's link controls carry the session's CSRF token: they are not part
// of the kept bytes but written into them on the way out (Fragment).
type FragmentKey struct {
	// Customer is the page's customer: the panel's own links carry its id.
	Customer string
	// Source and Facet name the panel.
	Source, Facet string
	// Version names what the panel shows: its facet's version, or that of
	// the summary or the timeline, derived from theirs.
	Version string
	// Freshness is what the panel says of its data's age ("3 min ago", or
	// stale as of when), the one part that changes as time passes.
	Freshness string
	// Link is how the source's record is linked to the customer: its id
	// and the provenance shown.
	Link string
	// Viewer is the viewer's permission set, as far as it can change what a
	// panel shows.
	Viewer string
	// Part is the part of the page kept: "" for a panel, else "header" or
	// "placeholders".
	Part string
}

// FragmentCache keeps rendered panels, bounded in bytes and evicting the
// least useful first (otter's W-TinyLFU). A fragment of an answer that is no
// longer served is never asked for again, so it is the first to go once the
// cache is full; no clean-up runs in between, and so no goroutine. It is
// safe for concurrent use.
type FragmentCache struct {
	c *otter.Cache[FragmentKey, []byte]
}

// DefaultFragmentBytes bounds a FragmentCache of NewFragmentCache(0): the
// panels of about a thousand customer pages.
const DefaultFragmentBytes = 32 << 20

// NewFragmentCache returns a cache of at most maxBytes of rendered panels
// (0: DefaultFragmentBytes), keys included.
func NewFragmentCache(maxBytes int) *FragmentCache {
	if maxBytes <= 0 {
		maxBytes = DefaultFragmentBytes
	}
	return &FragmentCache{c: otter.Must(&otter.Options[FragmentKey, []byte]{
		MaximumWeight: uint64(maxBytes),
		Weigher: func(k FragmentKey, b []byte) uint32 {
			n := len(b) + len(k.Customer) + len(k.Source) + len(k.Facet) + len(k.Version) + len(k.Freshness) + len(k.Link) + len(k.Viewer) + len(k.Part)
			return uint32(min(n+128, 1<<31)) // the entry's own bookkeeping too
		},
	})}
}

// Len returns the number of fragments kept.
func (f *FragmentCache) Len() int { return f.c.EstimatedSize() }

// Fragment returns the fragment kept under k: a Fragment that writes the
// kept bytes when there are some, and otherwise renders its panel and
// keeps the bytes. A nil cache keeps nothing.
func (f *FragmentCache) Fragment(k FragmentKey) (Fragment, bool) {
	if f == nil {
		return Fragment{}, false
	}
	b, ok := f.c.GetIfPresent(k)
	return Fragment{cache: f, key: k, bytes: b}, ok
}

// Fragment is where a panel's rendered bytes are kept (Panel.Fragment); the
// zero Fragment keeps nothing.
type Fragment struct {
	cache *FragmentCache
	key   FragmentKey
	bytes []byte // nil until rendered
}

// Kept is c written from f's kept bytes when it has them; otherwise c
// rendered, and kept when f has a cache (and the bytes hold no nonce).
func Kept(f Fragment, c templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if f.bytes != nil {
			_, err := w.Write(f.bytes)
			return err
		}
		if f.cache == nil {
			return c.Render(ctx, w)
		}
		var buf bytes.Buffer
		if err := c.Render(ctx, &buf); err != nil {
			return err
		}
		f.keep(ctx, buf.Bytes())
		_, err := w.Write(buf.Bytes())
		return err
	})
}

// keep stores b under f's key, unless it holds the page's nonce.
func (f Fragment) keep(ctx context.Context, b []byte) {
	if nonce := templ.GetNonce(ctx); nonce != "" && bytes.Contains(b, []byte(nonce)) {
		return
	}
	f.cache.c.Set(f.key, bytes.Clone(b))
}

// sectionEnd closes every PanelCard; the link controls go just before it.
var sectionEnd = []byte("</section>")

// StreamedPanel is one panel of a streamed page: written from its kept
// fragment when there is one, otherwise rendered (and kept, when it has a
// key). The kept bytes never hold the admin's link controls, which carry the
// session's CSRF token, nor the page's CSP nonce: a fragment that contains
// the nonce is not kept.
func StreamedPanel(p Panel) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		f := p.Fragment
		if f.cache == nil {
			return PanelCard(p).Render(ctx, w)
		}
		b := f.bytes
		if b == nil {
			bare := p
			bare.Links = nil
			var buf bytes.Buffer
			buf.Grow(8 << 10)
			if err := PanelCard(bare).Render(ctx, &buf); err != nil {
				return err
			}
			b = buf.Bytes()
			if bytes.HasSuffix(b, sectionEnd) {
				f.keep(ctx, b)
			}
		}
		if p.Links == nil {
			_, err := w.Write(b)
			return err
		}
		if !bytes.HasSuffix(b, sectionEnd) {
			return PanelCard(p).Render(ctx, w) // not a panel this knows how to open
		}
		if _, err := w.Write(b[:len(b)-len(sectionEnd)]); err != nil {
			return err
		}
		if err := linkControls(*p.Links).Render(ctx, w); err != nil {
			return err
		}
		_, err := w.Write(sectionEnd)
		return err
	})
}

// pinMark stands, in a header's kept bytes, where each viewer's own pin
// button goes: it carries their CSRF token and whether they pinned the
// customer.
var pinMark = []byte("<!--atrium:pin-->")

// KeptHeader is the customer's header written from f's kept bytes when it
// has them, otherwise rendered (and kept when f has a cache), with the
// viewer's pin button put in its place each time.
func KeptHeader(f Fragment, h CustomerHeader) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		var pin templ.Component
		if h.Pin != nil {
			pin = PinButton(*h.Pin)
		}
		b := f.bytes
		if b == nil {
			if f.cache == nil {
				return customerHeader(h, pin).Render(ctx, w)
			}
			var buf bytes.Buffer
			if err := customerHeader(h, templ.Raw(string(pinMark))).Render(ctx, &buf); err != nil {
				return err
			}
			b = buf.Bytes()
			if bytes.Count(b, pinMark) == 1 {
				f.keep(ctx, b)
			}
		}
		before, after, ok := bytes.Cut(b, pinMark)
		if !ok {
			return customerHeader(h, pin).Render(ctx, w)
		}
		if _, err := w.Write(before); err != nil {
			return err
		}
		if pin != nil {
			if err := pin.Render(ctx, w); err != nil {
				return err
			}
		}
		_, err := w.Write(after)
		return err
	})
}
