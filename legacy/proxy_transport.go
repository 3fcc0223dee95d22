package legacy

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// NewTransport returns the transport the proxy carries every request to
// tools on, tuned by o (its zero fields take NewProxy's defaults): net/http's
// own, whose HTTP/1.1 connections are reused only after an answer was read
// to its end as framed, and dropped when a tool sends anything more (an
// extra answer, a body after a HEAD answer, more bytes than its
// Content-Length). Its connections are toolConns, which close the one gap
// that leaves (see toolConn) for requests whose context holds toolTrace, as
// ServeHTTP's do.
func NewTransport(o ProxyOptions) *http.Transport {
	o = o.withDefaults()
	dialer := &net.Dialer{Timeout: o.DialTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		// Tools are reached directly: an environment proxy meant for the
		// internet must not see requests carrying identity assertions.
		Proxy:                 nil,
		DialContext:           dialTool(dialer.DialContext),
		ForceAttemptHTTP2:     true,
		MaxIdleConnsPerHost:   o.MaxIdleConnsPerHost,
		IdleConnTimeout:       o.IdleConnTimeout,
		TLSHandshakeTimeout:   o.TLSHandshakeTimeout,
		ResponseHeaderTimeout: o.ResponseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
		// The browser's Accept-Encoding goes to the tool as it came, and
		// the tool's answer back as it was sent: no gzip asked for on the
		// browser's behalf, and none undone.
		DisableCompression: true,
	}
}

// upstreamError answers when the tool gave no answer that can be passed on:
// it could not be reached, kept silent past the header timeout (504), or
// sent something that is not a well-formed HTTP answer. Only the request it
// answered fails; the connection is not reused. An answer that breaks off
// after its header went to the browser is aborted instead, by ReverseProxy,
// so that it never looks complete.
func (p *Proxy) upstreamError(pt *proxiedTool) func(http.ResponseWriter, *http.Request, error) {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		if r.Context().Err() != nil {
			return // the browser left; no one reads the answer
		}
		status := http.StatusBadGateway
		msg := pt.tool.Title + " sent an answer Atrium could not read, so Atrium did not pass it on. " +
			"Try again; if it keeps happening, tell the tool's administrator."
		var ne net.Error
		var oe *net.OpError
		switch {
		case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
			status = http.StatusGatewayTimeout
			msg = pt.tool.Title + " did not answer within " + p.opts.ResponseHeaderTimeout.String() + ". " +
				"Try again in a moment; if it keeps happening, tell the tool's administrator."
		case errors.As(err, &oe) && oe.Op == "dial":
			msg = pt.tool.Title + " cannot be reached. Try again in a moment; if it keeps happening, tell the tool's administrator."
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			msg = pt.tool.Title + " closed the connection without answering. " +
				"Try again; if it keeps happening, tell the tool's administrator."
		}
		p.logger.LogAttrs(r.Context(), slog.LevelWarn, "legacy: tool did not answer",
			slog.String("tool", pt.tool.ID), slog.Int("status", status), slog.String("err", err.Error()))
		http.Error(w, msg, status)
	}
}
