package legacy

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"

	"github.com/atrium-dev/atrium/internal/idheader"
	"github.com/atrium-dev/atrium/legacy/assertion"
)

// neverForwarded reports whether a request header from the browser stays
// behind: an identity or routing header (idheader, which the proxy sets
// again itself where it has a value), Atrium's own credentials, the cookie
// header (rebuilt without Atrium's cookies), and the tool's strip_headers.
// Names are compared without regard to case: a map filled by hand may hold
// a name in any case, and the transport sends them all.
func (pt *proxiedTool) neverForwarded(name string) bool {
	if idheader.Is(name) || strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization") ||
		strings.EqualFold(name, "Cookie") {
		return true
	}
	for _, s := range pt.strip {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}

// rewrite is ReverseProxy's Rewrite: the request to the tool is built from
// the browser's (pr.Out holds a copy of pr.In's URL and end-to-end headers,
// less Forwarded and X-Forwarded-For, -Host and -Proto): the path under the
// prefix on the tool's base URL, the browser's headers less any identity,
// and the signed-in user's identity in their place, as ServeHTTP decided it.
func (p *Proxy) rewrite(pt *proxiedTool) func(*httputil.ProxyRequest) {
	return func(pr *httputil.ProxyRequest) {
		a, _ := pr.In.Context().Value(forwardKey{}).(*issuedAssertion)
		pr.Out.URL.Path = strings.TrimPrefix(pr.In.URL.Path, pt.prefix)
		pr.Out.URL.RawPath = strings.TrimPrefix(pr.In.URL.RawPath, pt.prefix)
		pr.SetURL(pt.upstream)

		h := pr.Out.Header
		cookieLines := make([][]string, 0, 2) // one Cookie header, but in any spelling
		for name, values := range h {
			if pt.neverForwarded(name) {
				if strings.EqualFold(name, "Cookie") {
					cookieLines = append(cookieLines, values)
				}
				delete(h, name)
			}
		}
		if cookies := p.toolCookies(cookieLines); cookies != "" {
			h["Cookie"] = []string{cookies}
		}
		// X-Forwarded-For is the peer's address, as SetXForwarded does;
		// the host and scheme the user opened are the configuration's,
		// never the Host header a client chose.
		if ip, _, err := net.SplitHostPort(pr.In.RemoteAddr); err == nil {
			h["X-Forwarded-For"] = []string{ip}
		}
		if p.forwardedHost != nil {
			h["X-Forwarded-Host"] = p.forwardedHost
			h["X-Forwarded-Proto"] = p.forwardedProto
		}
		h["X-Forwarded-Prefix"] = pt.prefixHeader
		if a != nil {
			h["X-Forwarded-User"] = a.user
			h["X-Forwarded-Email"] = a.email
			h["X-Forwarded-Groups"] = a.groups
			h[assertion.Header] = a.token
		}
	}
}

// toolCookies returns the browser's cookies (the values of its Cookie
// headers) less Atrium's, as they came: a tool's cookie value is not ours
// to parse or re-encode. A single cookie is returned without a copy.
func (p *Proxy) toolCookies(lines [][]string) string {
	var b strings.Builder
	first, n := "", 0
	for _, values := range lines {
		for _, v := range values {
			for c := range strings.SplitSeq(v, ";") {
				c = strings.TrimSpace(c)
				name, _, _ := strings.Cut(c, "=")
				if c == "" || p.atriumCookie(name) {
					continue
				}
				switch n++; n {
				case 1:
					first = c
					continue
				case 2:
					b.Grow(len(v))
					b.WriteString(first)
				}
				b.WriteString("; ")
				b.WriteString(c)
			}
		}
	}
	if n <= 1 {
		return first
	}
	return b.String()
}

// atriumCookie reports whether a cookie is Atrium's: never sent to a tool,
// and never set by one.
func (p *Proxy) atriumCookie(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.TrimPrefix(strings.TrimPrefix(n, "__host-"), "__secure-")
	if strings.HasPrefix(n, "atrium") {
		return true
	}
	for _, c := range p.opts.Cookies {
		if strings.EqualFold(c, name) {
			return true
		}
	}
	return false
}

// modifyResponse maps the tool's answer onto the prefix: redirects and
// cookie paths move under /tools/{id}/, and the tool's refusal to be framed
// gives way to Atrium's own policy for proxied pages, which allows framing
// by Atrium only and confines the page to the tool's sandbox. The answer's
// header keys are canonical, as net/http's Transport reads them.
func (p *Proxy) modifyResponse(pt *proxiedTool) func(*http.Response) error {
	return func(res *http.Response) error {
		h := res.Header
		if loc := h["Location"]; len(loc) > 0 && loc[0] != "" {
			loc[0] = pt.location(loc[0])
		}
		if lines := h["Set-Cookie"]; len(lines) > 0 {
			kept := lines[:0]
			for _, line := range lines {
				if c, ok := p.setCookie(pt, line); ok {
					kept = append(kept, c)
				}
			}
			if len(kept) == 0 {
				delete(h, "Set-Cookie")
			} else {
				h["Set-Cookie"] = kept
			}
		}
		delete(h, "X-Frame-Options")
		for _, name := range [...]string{"Content-Security-Policy", "Content-Security-Policy-Report-Only"} {
			values, ok := h[name]
			if !ok {
				continue
			}
			kept := values[:0]
			for _, v := range values {
				if v = withoutFrameAncestors(v); v != "" {
					kept = append(kept, v)
				}
			}
			if len(kept) == 0 {
				delete(h, name)
			} else {
				h[name] = kept
			}
		}
		if have := h["Content-Security-Policy"]; len(have) > 0 {
			h["Content-Security-Policy"] = append(have, pt.policy[0])
		} else {
			h["Content-Security-Policy"] = pt.policy
		}
		return nil
	}
}

// withoutFrameAncestors drops the frame-ancestors directive from a policy.
func withoutFrameAncestors(policy string) string {
	var kept []string
	for _, d := range strings.Split(policy, ";") {
		d = strings.TrimSpace(d)
		name, _, _ := strings.Cut(d, " ")
		if d != "" && !strings.EqualFold(name, "frame-ancestors") {
			kept = append(kept, d)
		}
	}
	return strings.Join(kept, "; ")
}

// location maps a redirect on the tool (a path, or an absolute URL on the
// tool's host) under the prefix. Relative references already resolve under
// it, and a redirect to another host is the tool's business.
func (pt *proxiedTool) location(loc string) string {
	u, err := url.Parse(loc)
	if err != nil || u.Opaque != "" {
		return loc
	}
	if u.Host != "" {
		if !strings.EqualFold(u.Host, pt.upstream.Host) || (u.Scheme != "" && !strings.EqualFold(u.Scheme, pt.upstream.Scheme)) {
			return loc
		}
	} else if u.Scheme != "" || !strings.HasPrefix(u.Path, "/") {
		return loc
	}
	path, ok := pt.underPrefix(u.EscapedPath())
	if !ok {
		return loc
	}
	out := path
	if u.RawQuery != "" || u.ForceQuery {
		out += "?" + u.RawQuery
	}
	if u.Fragment != "" {
		out += "#" + u.EscapedFragment()
	}
	return out
}

// underPrefix maps a path on the tool (under its base path) to the same
// path under /tools/{id}/.
func (pt *proxiedTool) underPrefix(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, pt.base)
	if !ok || (rest != "" && rest[0] != '/') {
		return "", false
	}
	if rest == "" {
		rest = "/"
	}
	return strings.TrimSuffix(pt.tool.Prefix(), "/") + rest, true
}

// setCookie rewrites one Set-Cookie line of the tool: its Path moves under
// the prefix (to the prefix itself when it is outside the tool's base path)
// and its Domain goes, so the cookie stays on Atrium's host and is sent only
// to this tool. A cookie named like Atrium's is dropped: a tool must not
// shadow Atrium's session.
func (p *Proxy) setCookie(pt *proxiedTool, line string) (string, bool) {
	attrs := strings.Split(line, ";")
	name, _, _ := strings.Cut(attrs[0], "=")
	if p.atriumCookie(name) {
		return "", false
	}
	out := []string{strings.TrimSpace(attrs[0])}
	for _, a := range attrs[1:] {
		a = strings.TrimSpace(a)
		k, v, _ := strings.Cut(a, "=")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "domain":
			continue
		case "path":
			path, ok := pt.underPrefix(strings.TrimSpace(v))
			if !ok || !strings.HasPrefix(strings.TrimSpace(v), "/") {
				path = pt.tool.Prefix()
			}
			a = "Path=" + path
		}
		if a != "" {
			out = append(out, a)
		}
	}
	return strings.Join(out, "; "), true
}
