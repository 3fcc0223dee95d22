package sqldb

import (
	"fmt"
	"net/url"
	"strings"
)

// template is text with {column} placeholders: a row's link, or the title of
// its timeline event.
type template struct {
	parts []templatePart
	url   bool // escape values for where they stand in a URL
}

type templatePart struct {
	text    string // literal text, or the column of a placeholder
	column  bool
	inQuery bool // after the ? of a URL, where values are query-escaped
}

// parseTemplate reads text with {column} placeholders, or says what is wrong.
func parseTemplate(s string) (*template, string) {
	t := &template{}
	inQuery := false
	rest := s
	for rest != "" {
		open := strings.IndexByte(rest, '{')
		if close := strings.IndexByte(rest, '}'); close >= 0 && (open < 0 || close < open) {
			return nil, "has a } without {"
		}
		if open < 0 {
			t.parts = append(t.parts, templatePart{text: rest})
			break
		}
		if open > 0 {
			lit := rest[:open]
			t.parts = append(t.parts, templatePart{text: lit})
			inQuery = inQuery || strings.ContainsAny(lit, "?#")
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return nil, "has a { without }"
		}
		col := strings.TrimSpace(rest[open+1 : open+end])
		if col == "" || strings.ContainsAny(col, "{") {
			return nil, fmt.Sprintf("has the placeholder %q, which names no column", rest[open:open+end+1])
		}
		t.parts = append(t.parts, templatePart{text: col, column: true, inQuery: inQuery})
		rest = rest[open+end+1:]
	}
	return t, ""
}

// parseURLTemplate reads a link template: an absolute http(s) URL whose
// placeholders all come after the host, so that a value can change the path
// or query but never where the link goes.
func parseURLTemplate(s string) (*template, string) {
	t, msg := parseTemplate(s)
	if msg != "" {
		return nil, msg
	}
	t.url = true
	prefix := s
	if i := strings.IndexByte(s, '{'); i >= 0 {
		prefix = s[:i]
	}
	scheme, afterScheme, ok := strings.Cut(prefix, "://")
	if !ok || (scheme != "https" && scheme != "http") {
		return nil, "is not an absolute http or https URL"
	}
	if strings.ContainsRune(s, '{') && !strings.ContainsAny(afterScheme, "/?#") {
		return nil, "has a placeholder in the host: the host must be fixed"
	}
	u, err := url.Parse(t.expand(func(string) (string, bool) { return "x", true }))
	switch {
	case err != nil:
		return nil, fmt.Sprintf("is not a URL: %v", err)
	case u.Host == "":
		return nil, "has no host"
	case u.User != nil:
		return nil, "holds user information before the host"
	}
	return t, ""
}

// columns lists the columns the template reads.
func (t *template) columns() []string {
	var out []string
	for _, p := range t.parts {
		if p.column {
			out = append(out, p.text)
		}
	}
	return out
}

// expand fills the placeholders from value. A link escapes each value for
// where it stands, and a placeholder without a value gives no link: "". A
// text shows a missing value as nothing.
func (t *template) expand(value func(column string) (string, bool)) string {
	var b strings.Builder
	for _, p := range t.parts {
		if !p.column {
			b.WriteString(p.text)
			continue
		}
		v, ok := value(p.text)
		switch {
		case !t.url:
			b.WriteString(v)
		case !ok || v == "":
			return ""
		case p.inQuery:
			b.WriteString(url.QueryEscape(v))
		default:
			b.WriteString(url.PathEscape(v))
		}
	}
	return b.String()
}
