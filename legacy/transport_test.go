package legacy

import (
	"net/http"
	"testing"
	"time"
)

func TestProxyTransportIsTuned(t *testing.T) {
	identify := func(*http.Request) (User, bool) { return User{}, false }
	p, err := NewProxy(nil, identify, ProxyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tr := p.transport.(*http.Transport)
	if tr.MaxIdleConnsPerHost != 64 || tr.TLSHandshakeTimeout != 5*time.Second ||
		tr.ResponseHeaderTimeout != 30*time.Second || tr.IdleConnTimeout != 90*time.Second || tr.Proxy != nil ||
		tr.DialContext == nil {
		t.Errorf("default transport %+v", tr)
	}
	p, _ = NewProxy(nil, identify, ProxyOptions{MaxIdleConnsPerHost: 256, ResponseHeaderTimeout: time.Minute})
	if tr := p.transport.(*http.Transport); tr.MaxIdleConnsPerHost != 256 || tr.ResponseHeaderTimeout != time.Minute {
		t.Errorf("configured transport %+v", tr)
	}
}
