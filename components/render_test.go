package components

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/a-h/templ"
)

func TestBidiSafeWriterDropsControls(t *testing.T) {
	controls := []string{"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}
	kept := "Acme — “Ltd” … → ‎x ‏y ⁥ \u2029 é 日本"
	for _, c := range controls {
		in := "INV-" + c + "1234" + c + " " + kept + c
		want := "INV-1234 " + kept
		// Every split point, so a sequence cut over two writes is handled.
		for cut := 0; cut <= len(in); cut++ {
			var out bytes.Buffer
			w := &BidiSafeWriter{W: &out}
			if _, err := io.WriteString(w, in[:cut]); err != nil {
				t.Fatal(err)
			}
			if _, err := io.WriteString(w, in[cut:]); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if out.String() != want {
				t.Fatalf("control %U, cut at %d: got %q, want %q", []rune(c)[0], cut, out.String(), want)
			}
		}
	}
}

func TestRenderDropsControlsFromTextAndAttributes(t *testing.T) {
	comp := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		_, err := io.WriteString(w, `<title>Acme `+"\u202e"+`gpj.exe</title><td title="`+"\u2067"+`x">`+templ.EscapeString("evil\u202dtext")+`</td>`)
		return err
	})
	var out bytes.Buffer
	if err := Render(context.Background(), &out, comp); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(out.String(), "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") {
		t.Fatalf("a bidirectional control was written: %q", out.String())
	}
	if !strings.Contains(out.String(), "Acme gpj.exe") || !strings.Contains(out.String(), "eviltext") {
		t.Fatalf("text around the controls was lost: %q", out.String())
	}
}

func BenchmarkBidiSafeWriter(b *testing.B) {
	page := bytes.Repeat([]byte(`<tr><td class="num">€1,200.00</td><td>—</td><td>Acme Corporation · Springfield</td></tr>`), 300)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	w := &BidiSafeWriter{W: io.Discard}
	for b.Loop() {
		_, _ = w.Write(page)
	}
}
