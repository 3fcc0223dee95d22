package rest

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// urlTemplate is an endpoint's URL with one kind of placeholder ({q} or
// {id}), after the host: a value can change the path or query, never where
// the request goes.
type urlTemplate struct {
	base  *url.URL
	parts []tplPart
}

type tplPart struct {
	text    string // literal text; empty for a placeholder
	hole    bool
	inQuery bool // after the ?, where values are query-escaped
}

// parseTemplate reads an endpoint path (relative to the base URL, or absolute
// on its host) with the placeholder {name}; name "" allows none. It says what
// is wrong when the template is not usable.
func parseTemplate(base *url.URL, raw, name string) (*urlTemplate, string) {
	if strings.Contains(raw, "#") {
		return nil, "has a fragment"
	}
	full := raw
	lower := strings.ToLower(raw)
	switch {
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		scheme, rest, _ := strings.Cut(raw, "://")
		end := strings.IndexAny(rest, "/?")
		if open := strings.IndexByte(rest, '{'); open >= 0 && (end < 0 || open < end) {
			return nil, "has a placeholder in the host: the host must be fixed"
		}
		host := rest
		if end >= 0 {
			host = rest[:end]
		}
		if !strings.EqualFold(scheme, base.Scheme) || !strings.EqualFold(host, base.Host) {
			return nil, fmt.Sprintf("leads to %s://%s, not to base_url's %s://%s", scheme, host, base.Scheme, base.Host)
		}
	case strings.HasPrefix(raw, "/"):
		full = strings.TrimRight(base.String(), "/") + raw
	default:
		return nil, "must start with / (a path on base_url) or be an absolute URL on base_url's host"
	}

	t := &urlTemplate{base: base}
	holes := 0
	inQuery := false
	rest := full
	for rest != "" {
		open := strings.IndexByte(rest, '{')
		if close := strings.IndexByte(rest, '}'); close >= 0 && (open < 0 || close < open) {
			return nil, "has a } without {"
		}
		if open < 0 {
			t.parts = append(t.parts, tplPart{text: rest})
			break
		}
		if open > 0 {
			t.parts = append(t.parts, tplPart{text: rest[:open]})
			inQuery = inQuery || strings.Contains(rest[:open], "?")
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return nil, "has a { without }"
		}
		got := rest[open+1 : open+end]
		if got != name || name == "" {
			if name == "" {
				return nil, fmt.Sprintf("has the placeholder {%s}; none is known here", got)
			}
			return nil, fmt.Sprintf("has the placeholder {%s}; only {%s} is known here", got, name)
		}
		t.parts = append(t.parts, tplPart{hole: true, inQuery: inQuery})
		holes++
		rest = rest[open+end+1:]
	}
	if name != "" && holes == 0 {
		return nil, fmt.Sprintf("has no placeholder {%s}", name)
	}
	if _, err := t.expand("x"); err != nil {
		return nil, err.Error()
	}
	return t, ""
}

// errOffBase is a URL that left the base URL's host or path: a bug or an
// attack, never sent.
var errOffBase = errors.New("does not stay on base_url")

// expand fills every placeholder with value, escaped for its position, and
// checks that the result stays on the base URL's scheme and host, with no
// dot segment.
func (t *urlTemplate) expand(value string) (*url.URL, error) {
	var b strings.Builder
	for _, p := range t.parts {
		switch {
		case !p.hole:
			b.WriteString(p.text)
		case p.inQuery:
			b.WriteString(url.QueryEscape(value))
		default:
			b.WriteString(url.PathEscape(value))
		}
	}
	u, err := url.Parse(b.String())
	if err != nil {
		return nil, fmt.Errorf("is not a URL once filled in: %w", errOffBase)
	}
	if !onBase(t.base, u) {
		return nil, fmt.Errorf("leads to %s once filled in: %w", u.Host, errOffBase)
	}
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		seg = strings.ReplaceAll(strings.ToLower(seg), "%2e", ".")
		if seg == "." || seg == ".." {
			return nil, fmt.Errorf("holds a . or .. path segment: %w", errOffBase)
		}
	}
	return u, nil
}
