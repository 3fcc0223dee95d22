package components

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/a-h/templ"
)

// Render writes comp to w with every bidirectional embedding, override and
// isolate control (U+202A–U+202E, U+2066–U+2069) left out. Such characters
// in a system's data ("Trojan Source") would reorder what the page shows
// around them: an invoice number read backwards, a name that swallows the
// column beside it, a title that reads differently from what it is. Atrium's
// own markup never needs them, so they are removed from the whole answer in
// one place — text, attributes, titles and tooltips alike — instead of at
// every field that could carry one. Flushes pass through, so a streamed page
// still leaves panel by panel.
func Render(ctx context.Context, w io.Writer, comp templ.Component) error {
	bw := &BidiSafeWriter{W: w}
	err := comp.Render(ctx, bw)
	if cerr := bw.Close(); err == nil {
		err = cerr
	}
	return err
}

// BidiSafeWriter passes bytes on to W without the UTF-8 encodings of the
// bidirectional controls U+202A–U+202E and U+2066–U+2069. A sequence split
// over two writes is held back until it is complete; Close writes what is
// held.
type BidiSafeWriter struct {
	W    io.Writer
	held []byte // the start of a sequence that may be a control, at most 2 bytes
}

func (b *BidiSafeWriter) Write(p []byte) (int, error) {
	n := len(p)
	if len(b.held) > 0 {
		p = append(b.held, p...)
		b.held = nil
	}
	start := 0
	for i := 0; ; {
		j := bytes.IndexByte(p[i:], 0xE2)
		if j < 0 {
			break
		}
		j += i
		if j+2 >= len(p) {
			// Possibly the start of a control: hold it for the next write.
			if _, err := b.write(p[start:j]); err != nil {
				return 0, err
			}
			b.held = append(b.held[:0], p[j:]...)
			return n, nil
		}
		if bidiControl(p[j+1], p[j+2]) {
			if _, err := b.write(p[start:j]); err != nil {
				return 0, err
			}
			start = j + 3
			i = j + 3
			continue
		}
		i = j + 1
	}
	if _, err := b.write(p[start:]); err != nil {
		return 0, err
	}
	return n, nil
}

func (b *BidiSafeWriter) write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return b.W.Write(p)
}

// bidiControl reports whether E2 x y encodes U+202A–U+202E or U+2066–U+2069.
func bidiControl(x, y byte) bool {
	return (x == 0x80 && y >= 0xAA && y <= 0xAE) || (x == 0x81 && y >= 0xA6 && y <= 0xA9)
}

// Flush sends what W holds to the browser; an incomplete sequence stays
// held, as it cannot be decided yet. It is an http.Flusher, the interface
// templ's buffers and templ.Flush look for.
func (b *BidiSafeWriter) Flush() {
	switch f := b.W.(type) {
	case http.Flusher:
		f.Flush()
	case interface{ Flush() error }:
		_ = f.Flush()
	}
}

var _ http.Flusher = (*BidiSafeWriter)(nil)

// Close writes the bytes still held (which were no control).
func (b *BidiSafeWriter) Close() error {
	if len(b.held) == 0 {
		return nil
	}
	_, err := b.W.Write(b.held)
	b.held = nil
	return err
}
