package legacy

import (
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/atrium-dev/atrium/legacy/canvas"
)

// DefaultSignedTTL is how long a signed request is valid when the caller
// gives no lifetime: long enough for the frame's form to post, too short to
// be worth stealing.
const DefaultSignedTTL = time.Minute

// Errors of FrameURL and SignedRequest a caller decides on.
var (
	// ErrNotLinked: the URL names a link the customer does not have; the
	// panel has nothing to open.
	ErrNotLinked = errors.New("legacy: customer not linked")
	// ErrUnsafeURL: the filled-in URL leaves the tool's origin or prefix,
	// or is not a plain URL: a configuration mistake or an attack, never
	// shown in a frame.
	ErrUnsafeURL = errors.New("legacy: unsafe frame URL")
)

// FrameURL fills the tool's URL template in with v and checks the result:
// for iframe and signed tools, an absolute URL on the tool's origin; for
// proxied tools, a path under /tools/{id}/ that the proxy accepts.
func (t Tool) FrameURL(v View) (string, error) {
	raw, err := t.fill(v)
	if err != nil {
		return "", err
	}
	switch t.Mode {
	case ModeIframe, ModeSigned:
		origin, err := parseOrigin(t.Origin)
		if err != nil {
			return "", fmt.Errorf("legacy: tool %s: origin %w", t.ID, err)
		}
		if err := checkOnOrigin(raw, origin); err != nil {
			return "", fmt.Errorf("%w: %v", ErrUnsafeURL, err)
		}
		return raw, nil
	case ModeProxy:
		path := t.Prefix() + strings.TrimLeft(raw, "/")
		if err := checkLocal(path, t.Prefix()); err != nil {
			return "", fmt.Errorf("%w: %v", ErrUnsafeURL, err)
		}
		return path, nil
	}
	return "", fmt.Errorf("legacy: tool %s: mode %q", t.ID, t.Mode)
}

// SignedRequest returns where a signed tool's frame form posts to (target)
// and the signed request it posts (field canvas.FormField), issued at now,
// valid for ttl (DefaultSignedTTL when 0), usable once thanks to nonce. Its
// client block is what the tool's Canvas SDK needs to talk to the page: a
// fresh instanceId for this frame, PortalURL as instanceUrl and its origin as
// targetOrigin, and canvas.NoOAuthToken, as Atrium hands out no token.
func (t Tool) SignedRequest(v View, now time.Time, nonce string, ttl time.Duration) (target, signed string, err error) {
	if t.Mode != ModeSigned {
		return "", "", fmt.Errorf("legacy: tool %s is not a signed tool", t.ID)
	}
	if nonce == "" {
		return "", "", errors.New("legacy: signed request: empty nonce")
	}
	if ttl <= 0 {
		ttl = DefaultSignedTTL
	}
	target, err = t.FrameURL(v)
	if err != nil {
		return "", "", err
	}
	client, err := t.canvasClient()
	if err != nil {
		return "", "", err
	}
	groups := v.User.Groups
	if groups == nil {
		groups = []string{}
	}
	links := maps.Clone(v.Links)
	if links == nil {
		links = map[string]string{}
	}
	r := canvas.Request{
		Algorithm: canvas.Algorithm,
		IssuedAt:  now.Unix(),
		ExpiresAt: now.Add(ttl).Unix(),
		Nonce:     nonce,
		UserID:    v.User.Subject,
		Client:    client,
		Context: canvas.Context{
			User: canvas.User{UserID: v.User.Subject, UserName: v.User.Email, Email: v.User.Email,
				FullName: v.User.Name, Groups: groups},
			Environment: canvas.Environment{
				LocationURL: target,
				Parameters:  canvas.Parameters{CustomerID: v.Customer, Links: links},
			},
		},
	}
	signed, err = canvas.Sign(t.Secret, r)
	if err != nil {
		return "", "", fmt.Errorf("legacy: tool %s: %w", t.ID, err)
	}
	return target, signed, nil
}

// canvasClient returns the client block of one frame.
func (t Tool) canvasClient() (canvas.Client, error) {
	c := canvas.Client{OAuthToken: canvas.NoOAuthToken, InstanceID: rand.Text()}
	if t.PortalURL == "" {
		return c, nil
	}
	u, err := url.Parse(t.PortalURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return c, fmt.Errorf("legacy: tool %s: portal URL %q is not an http(s) URL", t.ID, t.PortalURL)
	}
	c.InstanceURL = strings.TrimSuffix(t.PortalURL, "/")
	c.TargetOrigin = originOf(u)
	return c, nil
}

// fill runs the URL template on v with every value escaped.
func (t Tool) fill(v View) (string, error) {
	tpl, err := parseTemplate(t.URL)
	if err != nil {
		return "", fmt.Errorf("legacy: tool %s: url: %w", t.ID, err)
	}
	for _, m := range linkRef.FindAllStringSubmatch(t.URL, -1) {
		if v.Links[m[1]] == "" {
			return "", fmt.Errorf("%w to %s", ErrNotLinked, m[1])
		}
	}
	var b strings.Builder
	if err := tpl.Execute(&b, escapeView(v)); err != nil {
		return "", fmt.Errorf("legacy: tool %s: url: %w", t.ID, err)
	}
	return b.String(), nil
}

func escapeView(v View) View {
	e := View{
		User:     User{Subject: escape(v.User.Subject), Email: escape(v.User.Email), Name: escape(v.User.Name)},
		Customer: escape(v.Customer),
		Links:    make(map[string]string, len(v.Links)),
	}
	for _, g := range v.User.Groups {
		e.User.Groups = append(e.User.Groups, escape(g))
	}
	for k, val := range v.Links {
		e.Links[k] = escape(val)
	}
	return e
}

// escape percent-encodes every byte but the unreserved ones (RFC 3986:
// letters, digits, -._~). The result means the same in a path segment and
// in a query, and can add neither a segment, a parameter, a fragment, nor a
// scheme or host.
func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0
}

// plainURL refuses anything but the characters a URL is written with, so
// that Go and the browser read the URL alike: no spaces, tabs or newlines
// (which browsers drop), no backslashes (which they read as slashes), and
// every % followed by two hex digits.
func plainURL(s string) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isUnreserved(c) || strings.IndexByte(":/?#[]@!$&'()*+,;=", c) >= 0:
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
		default:
			return fmt.Errorf("character %q at %d", c, i)
		}
	}
	return nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// parseOrigin returns s as a normalized origin, scheme://host[:port] with the
// default port left out.
func parseOrigin(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("%q is not an http(s) origin", s)
	}
	return originOf(u), nil
}

func originOf(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		return scheme + "://" + net.JoinHostPort(host, port)
	}
	if strings.Contains(host, ":") {
		return scheme + "://[" + host + "]"
	}
	return scheme + "://" + host
}

// checkOnOrigin checks that raw is a plain absolute URL on origin, without
// credentials or dot segments.
func checkOnOrigin(raw, origin string) error {
	if err := plainURL(raw); err != nil {
		return err
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("not a URL: %v", err)
	case u.Scheme == "" || u.Host == "":
		return errors.New("not an absolute URL")
	case u.User != nil:
		return errors.New("carries credentials before the host")
	case originOf(u) != origin:
		return fmt.Errorf("leads to %s, not to %s", originOf(u), origin)
	}
	if hasDotSegment(u.EscapedPath()) {
		return errors.New("has a . or .. path segment")
	}
	return nil
}

// checkLocal checks that raw is a plain path (and query) under prefix that
// the proxy would accept.
func checkLocal(raw, prefix string) error {
	if err := plainURL(raw); err != nil {
		return err
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("not a URL: %v", err)
	case u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "":
		return errors.New("not a path")
	case !strings.HasPrefix(u.EscapedPath(), prefix):
		return fmt.Errorf("leaves %s", prefix)
	}
	return checkPath(u.EscapedPath())
}

// hasDotSegment reports whether an escaped path has a . or .. segment,
// spelled plainly or percent-encoded, as browsers read both alike.
func hasDotSegment(escapedPath string) bool {
	for _, seg := range strings.Split(escapedPath, "/") {
		seg = strings.ReplaceAll(strings.ToLower(seg), "%2e", ".")
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}
