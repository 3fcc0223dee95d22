package bus

import (
	"errors"
	"strings"
	"testing"
)

// The wire form is what instances of different versions exchange during a
// rolling upgrade: it changes only with wireVersion.
func TestWireForm(t *testing.T) {
	cases := []struct {
		m    Message
		wire string
	}{
		{EndedSession("9b1f"), `{"v":1,"kind":"session_ended","sender":"i1","session":"9b1f"}`},
		{DecidedLink("001Acme", "billing"), `{"v":1,"kind":"link_decided","sender":"i1","customer":"001Acme","source":"billing"}`},
		{InvalidCache("billing", "cus_1", "invoices"), `{"v":1,"kind":"cache_invalid","sender":"i1","source":"billing","id":"cus_1","facet":"invoices"}`},
		{InvalidCache("billing", "cus_1", ""), `{"v":1,"kind":"cache_invalid","sender":"i1","source":"billing","id":"cus_1"}`},
	}
	for _, c := range cases {
		c.m.Sender = "i1"
		b, err := encode(c.m)
		if err != nil {
			t.Fatalf("encode(%+v): %v", c.m, err)
		}
		if string(b) != c.wire {
			t.Errorf("encode(%+v) = %s, want %s", c.m, b, c.wire)
		}
		got, ok, err := decode(b)
		if err != nil || !ok || got != c.m {
			t.Errorf("decode(%s) = %+v, %v, %v; want %+v", b, got, ok, err, c.m)
		}
	}
}

func TestDecodeSkipsWhatItDoesNotKnow(t *testing.T) {
	for _, wire := range []string{
		`{"v":2,"kind":"session_ended","sender":"i1","session":"9b1f"}`,
		`{"kind":"session_ended","sender":"i1","session":"9b1f"}`,
		`{"v":1,"kind":"customer_changed","sender":"i1","customer":"001"}`,
		`{"v":1,"kind":"resync","sender":"i1"}`,
	} {
		if m, ok, err := decode([]byte(wire)); ok || err != nil {
			t.Errorf("decode(%s) = %+v, %v, %v; want it skipped without error", wire, m, ok, err)
		}
	}
	for _, wire := range []string{
		`not json`,
		`{"v":1,"kind":"session_ended","session":"9b1f"}`,
		`{"v":1,"kind":"link_decided","sender":"i1","source":"billing"}`,
		`{"v":1,"kind":"cache_invalid","sender":"i1","source":"billing","pad":"` + strings.Repeat("x", maxWire) + `"}`,
	} {
		if _, ok, err := decode([]byte(wire)); ok || err == nil {
			t.Errorf("decode(%.80s) accepted it", wire)
		}
	}
	if _, err := encode(Message{Kind: Resync, Sender: "i1"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("encode(Resync) = %v, want ErrInvalid", err)
	}
}
