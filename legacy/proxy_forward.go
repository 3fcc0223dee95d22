package legacy

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"strings"
)

// forward serves a request without a body to a plain-HTTP tool on the
// proxy's own lane: the request is prepared exactly as on ReverseProxy's
// lane (prepare), sent on a kept connection (keepAliveTransport), and the
// answer mapped as there (modifyResponse) and copied as ReverseProxy copies
// it, without ReverseProxy's per-request copies of the request, its
// contexts and its trace of informational answers, which cost more than
// the rest of the proxy on a small page. Requests with a body and WebSocket
// handshakes stay on ReverseProxy's lane.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, pt *proxiedTool, fw forward) {
	u := *r.URL
	out := &http.Request{Method: r.Method, URL: &u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: make(http.Header, len(r.Header)+8)}
	copyEndToEnd(out.Header, r.Header)
	if teTrailers(r.Header) {
		out.Header.Set("Te", "trailers") // the one hop-by-hop header passed on, as ReverseProxy does
	}
	if _, ok := out.Header["User-Agent"]; !ok {
		out.Header.Set("User-Agent", "") // none, rather than Go's
	}
	p.prepare(pt, &httputil.ProxyRequest{In: r, Out: out}, fw)

	res, err := p.transport.roundTrip(r.Context(), out)
	if err != nil {
		p.upstreamError(pt)(w, r, err)
		return
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusSwitchingProtocols {
		p.upstreamError(pt)(w, r, errors.New("the tool switched protocols on a request that asked for no upgrade"))
		return
	}
	_ = pt.modify(res) // never fails
	h := w.Header()
	for k, vv := range endToEnd(res.Header) {
		if have, ok := h[k]; ok {
			h[k] = append(have[:len(have):len(have)], vv...)
		} else {
			h[k] = vv
		}
	}
	if len(res.Trailer) > 0 {
		keys := make([]string, 0, len(res.Trailer))
		for k := range res.Trailer {
			keys = append(keys, k)
		}
		h.Add("Trailer", strings.Join(keys, ", "))
	}
	w.WriteHeader(res.StatusCode)

	to := flushingWriter{w, http.NewResponseController(w)}
	buf := p.buffers.Get()
	defer p.buffers.Put(buf)
	for {
		n, rerr := res.Body.Read(buf)
		if n > 0 {
			if _, werr := to.Write(buf[:n]); werr != nil {
				return // the browser left
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			if r.Context().Err() == nil {
				p.logger.LogAttrs(r.Context(), slog.LevelWarn, "legacy: tool's answer broke off",
					slog.String("tool", pt.tool.ID), slog.String("err", rerr.Error()))
			}
			// As ReverseProxy does: the browser sees an aborted answer,
			// not a complete one cut short.
			panic(http.ErrAbortHandler)
		}
	}
	for k, vv := range res.Trailer {
		h[http.TrailerPrefix+k] = vv
	}
}

// hopHeaders are the headers of one connection (RFC 9110 §7.6.1), never
// passed on by a proxy; the Connection header may name more.
var hopHeaders = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// copyEndToEnd copies src's end-to-end headers into dst. The value slices
// are shared: dst's owner replaces values, it never edits them in place.
func copyEndToEnd(dst, src http.Header) {
	for k, vv := range endToEnd(src) {
		dst[k] = vv
	}
}

// endToEnd yields h's headers less the hop-by-hop ones.
func endToEnd(h http.Header) func(yield func(string, []string) bool) {
	var named []string // more hop-by-hop headers, named by Connection
	for _, v := range h["Connection"] {
		for token := range strings.SplitSeq(v, ",") {
			named = append(named, strings.TrimSpace(token))
		}
	}
	return func(yield func(string, []string) bool) {
		for k, vv := range h {
			if isHop(k, named) {
				continue
			}
			if !yield(k, vv) {
				return
			}
		}
	}
}

func isHop(name string, named []string) bool {
	for _, hop := range hopHeaders {
		if strings.EqualFold(name, hop) {
			return true
		}
	}
	for _, n := range named {
		if strings.EqualFold(name, n) {
			return true
		}
	}
	return false
}

// teTrailers reports whether the browser said it accepts trailers.
func teTrailers(h http.Header) bool {
	for _, v := range h["Te"] {
		for token := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(token), "trailers") {
				return true
			}
		}
	}
	return false
}
