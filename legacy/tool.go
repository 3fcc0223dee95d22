// Package legacy embeds tools that have no API, only a web UI, as panels of
// the customer page: opened on the right customer, signed in as the same
// user. A tool is embedded in one of three modes:
//
//   - iframe: a frame on the tool's own origin, at a URL filled in from the
//     customer's links and the user (FrameURL);
//   - signed: the same frame, opened by a form POST of a signed request in
//     the Canvas format (SignedRequest; the tool verifies it with the canvas
//     package);
//   - proxy: the tool served under Atrium's origin at /tools/{id}/ by an
//     authenticating reverse proxy (Proxy) that replaces every identity
//     header with the signed-in user's, plus an assertion the tool verifies
//     with the assertion package.
package legacy

import (
	"cmp"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"text/template"

	"github.com/atrium-dev/atrium/legacy/canvas"
)

// Mode is how a tool is embedded.
type Mode string

// The modes.
const (
	ModeIframe Mode = "iframe"
	ModeSigned Mode = "signed"
	ModeProxy  Mode = "proxy"
)

// Frame defaults.
const (
	// DefaultSandbox is the sandbox of a frame on the tool's own origin. A
	// framed tool needs scripts and forms; allow-same-origin lets it keep its
	// own origin, hence its cookies and storage, and grants nothing on
	// Atrium, which is another origin; popups let it open its own windows
	// (help, print views). Navigating Atrium's tab away (allow-top-navigation)
	// is not granted.
	DefaultSandbox = "allow-scripts allow-forms allow-same-origin allow-popups"
	// DefaultProxySandbox is the sandbox of a proxied tool: forms, links,
	// redirects and the tool's own cookies work, scripts do not run. A
	// proxied tool is served from Atrium's own origin, where scripts with
	// allow-same-origin are Atrium's own code: they can read Atrium's pages
	// and call it as the user, and remove their own sandbox. Scripts without
	// allow-same-origin run in an opaque origin, whose requests browsers
	// treat as cross-site: they carry neither Atrium's session (SameSite=Lax)
	// nor the tool's cookies, so every page after the first would ask the
	// user to sign in again. A server-rendered tool works without scripts;
	// one that needs them belongs on an origin of its own (iframe or signed
	// mode), or is trusted as Atrium itself by a sandbox that says so (see
	// UnconfinedProxy). The proxy
	// sends the same sandbox as a Content-Security-Policy, so a proxied page
	// opened in a tab of its own is confined too.
	DefaultProxySandbox = "allow-forms allow-popups allow-same-origin"
	// DefaultHeight is a frame's height in pixels.
	DefaultHeight = 480
	// ReferrerPolicy is the referrerpolicy of every tool frame: the
	// customer page's URL names the customer and is not the tool's business.
	ReferrerPolicy = "no-referrer"
	// MinSecretLen is the shortest secret a signed or proxied tool accepts.
	MinSecretLen = canvas.MinSecretLen
)

// Tool is one configured legacy tool.
type Tool struct {
	// ID names the tool in URLs (/tools/{id}/) and is the assertion's
	// audience: lower-case letters, digits, - and _.
	ID string
	// Title names the frame for assistive technology.
	Title string
	Mode  Mode
	// Origin is the tool's scheme://host[:port] (iframe and signed): the
	// only origin its frame URL may lead to.
	Origin string
	// URL is a text/template over View. iframe and signed: the absolute URL
	// to open, on Origin. proxy: the path under /tools/{id}/ to open.
	// Values arrive percent-encoded (every byte but letters, digits and
	// -._~), so each is safe in a path segment and in a query; urlquery
	// leaves them as they are.
	URL string
	// Upstream is the proxied tool's base URL (proxy).
	Upstream string
	// Sandbox is the frame's sandbox attribute; empty means the mode's
	// default (DefaultSandbox, DefaultProxySandbox).
	Sandbox string
	// Secret is the HMAC key of signed requests (signed), or of the identity
	// assertion (proxy); at least MinSecretLen bytes.
	Secret []byte
	// StripHeaders are more request headers the proxy never forwards from
	// the browser, beside the identity headers it always strips.
	StripHeaders []string
	// Methods are more request methods the proxy forwards to the tool
	// (WebDAV's PROPFIND, MKCOL, …), beside GET, HEAD, OPTIONS, POST, PUT,
	// PATCH and DELETE; any other is refused with 405. Methods are
	// case-sensitive, and any but GET, HEAD and OPTIONS must come from
	// Atrium's own origin.
	Methods []string
	// Groups may use the tool; empty means everyone signed in.
	Groups []string
	// Height is the frame's height in pixels; 0 means DefaultHeight.
	Height int

	// PortalURL is Atrium's public URL, which a signed tool's requests name
	// in their client block (instanceUrl, and its origin as targetOrigin),
	// for the tool's Canvas SDK to talk to the page; empty leaves both
	// empty. cmd/atrium sets it from server.public_url.
	PortalURL string
}

// User is the signed-in user, as a tool is told.
type User struct {
	Subject, Email, Name string
	Groups               []string
}

// equal reports whether u and v are the same identity, as an assertion
// names it.
func (u User) equal(v User) bool {
	return u.Subject == v.Subject && u.Email == v.Email && u.Name == v.Name && slices.Equal(u.Groups, v.Groups)
}

// View is the data a URL template is filled in with.
type View struct {
	User User
	// Customer is the customer's id in Atrium.
	Customer string
	// Links maps a connected system's name to the customer's record id there.
	Links map[string]string
}

// Problem is one thing wrong with a tool's configuration; Key names the
// field as the configuration spells it.
type Problem struct {
	Key     string
	Message string
	Hint    string
}

// FrameSandbox returns the frame's sandbox attribute.
func (t Tool) FrameSandbox() string {
	switch {
	case t.Sandbox != "":
		return strings.Join(strings.Fields(t.Sandbox), " ")
	case t.Mode == ModeProxy:
		return DefaultProxySandbox
	}
	return DefaultSandbox
}

// FrameHeight returns the frame's height in pixels.
func (t Tool) FrameHeight() int { return cmp.Or(t.Height, DefaultHeight) }

// Allowed reports whether u may use the tool: u is signed in and, where the
// tool names groups, in one of them.
func (t Tool) Allowed(u User) bool {
	if u.Subject == "" {
		return false
	}
	return len(t.Groups) == 0 || slices.ContainsFunc(u.Groups, func(g string) bool { return slices.Contains(t.Groups, g) })
}

// Prefix is where the proxy serves the tool: "/tools/{id}/".
func (t Tool) Prefix() string { return "/tools/" + t.ID + "/" }

var (
	idPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	headerToken  = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
	sandboxFlags = map[string]bool{
		"allow-downloads": true, "allow-forms": true, "allow-modals": true,
		"allow-orientation-lock": true, "allow-pointer-lock": true, "allow-popups": true,
		"allow-popups-to-escape-sandbox": true, "allow-presentation": true,
		"allow-same-origin": true, "allow-scripts": true,
		"allow-storage-access-by-user-activation": true, "allow-top-navigation-by-user-activation": true,
	}
)

// Validate reports every problem with the tool's configuration at once. No
// message quotes the secret.
func (t Tool) Validate() []Problem {
	var ps []Problem
	add := func(key, msg, hint string) { ps = append(ps, Problem{Key: key, Message: msg, Hint: hint}) }
	if !idPattern.MatchString(t.ID) {
		add("id", fmt.Sprintf("%q is not a tool id", t.ID), "use lower-case letters, digits, - and _ (it becomes the path /tools/{id}/)")
	}
	if strings.TrimSpace(t.Title) == "" {
		add("title", "is required", "name the tool: the title labels its frame for screen readers")
	}
	switch t.Mode {
	case ModeIframe, ModeSigned:
		if _, err := parseOrigin(t.Origin); err != nil {
			add("origin", err.Error(), "write the tool's scheme://host[:port], e.g. https://erp.example")
		} else if _, err := t.FrameURL(sampleView(t.URL)); err != nil {
			add("url", err.Error(), "write an absolute URL on origin; values fill the path or query, never the host")
		}
	case ModeProxy:
		if u, err := url.Parse(t.Upstream); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			add("upstream", "is not an http(s) base URL", "write the tool's base URL, e.g. http://10.0.0.5:8080/app")
		}
		if _, err := t.FrameURL(sampleView(t.URL)); err != nil && idPattern.MatchString(t.ID) {
			add("url", err.Error(), "write a path relative to /tools/{id}/, e.g. app/?customer={{.Links.erp}}")
		}
	default:
		add("mode", fmt.Sprintf("%q is not a mode", t.Mode), "use iframe, signed or proxy")
	}
	if (t.Mode == ModeSigned || t.Mode == ModeProxy) && len(t.Secret) < MinSecretLen {
		add("secret", fmt.Sprintf("is shorter than %d bytes", MinSecretLen), "generate one, e.g. openssl rand -base64 48")
	}
	for _, p := range t.sandboxProblems() {
		add("sandbox", p, "list flags from "+DefaultSandbox+", allow-modals, allow-downloads")
	}
	for _, h := range t.StripHeaders {
		if !headerToken.MatchString(h) {
			add("strip_headers", fmt.Sprintf("%q is not a header name", h), "")
		}
	}
	for _, m := range t.Methods {
		switch {
		case !headerToken.MatchString(m):
			add("methods", fmt.Sprintf("%q is not a method name", m), "write a method as clients send it, e.g. PROPFIND")
		case strings.EqualFold(m, "CONNECT"):
			add("methods", "CONNECT opens a tunnel through the proxy, not a request to the tool", "remove it")
		}
	}
	if slices.Contains(t.Groups, "") {
		add("groups", "has an empty group", "")
	}
	if t.Height < 0 || t.Height > 4000 {
		add("height", fmt.Sprintf("%d is not a height in pixels", t.Height), "use 0 (480) up to 4000")
	}
	return ps
}

func (t Tool) sandboxProblems() []string {
	var ps []string
	flags := strings.Fields(t.FrameSandbox())
	for _, f := range flags {
		if !sandboxFlags[f] {
			ps = append(ps, fmt.Sprintf("%q is not a sandbox flag Atrium allows (navigating Atrium's tab away is not)", f))
		}
	}
	if t.Mode == ModeProxy && slices.Contains(flags, "allow-popups-to-escape-sandbox") {
		ps = append(ps, "allow-popups-to-escape-sandbox would open a proxied tool's popups on Atrium's origin without a sandbox")
	}
	return ps
}

// UnconfinedProxy reports whether a proxied tool's sandbox lets its scripts
// run on Atrium's origin (allow-scripts with allow-same-origin): the tool is
// then trusted as much as Atrium's own code, as a flaw in it (a cross-site
// scripting hole) is a flaw in Atrium. It takes a sandbox written out in the
// configuration; NewProxy logs a warning for each such tool.
func (t Tool) UnconfinedProxy() bool {
	flags := strings.Fields(t.FrameSandbox())
	return t.Mode == ModeProxy && slices.Contains(flags, "allow-scripts") && slices.Contains(flags, "allow-same-origin")
}

// FrameOrigins returns the origins the customer page's CSP frame-src must
// list: those of iframe and signed tools. Proxied tools are on 'self'.
func FrameOrigins(tools []Tool) []string {
	return originsOf(tools, ModeIframe, ModeSigned)
}

// FormActionOrigins returns the origins the customer page's CSP form-action
// must list: a signed tool's frame is opened by a form posted to it.
func FormActionOrigins(tools []Tool) []string {
	return originsOf(tools, ModeSigned)
}

func originsOf(tools []Tool, modes ...Mode) []string {
	var out []string
	for _, t := range tools {
		if !slices.Contains(modes, t.Mode) {
			continue
		}
		if o, err := parseOrigin(t.Origin); err == nil && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	slices.Sort(out)
	return out
}

var linkRef = regexp.MustCompile(`\.Links\.([A-Za-z0-9_]+)`)

// sampleView fills every link the template names, to try it out.
func sampleView(tpl string) View {
	v := View{User: User{Subject: "u", Email: "u@example.com", Name: "U", Groups: []string{"g"}}, Customer: "c", Links: map[string]string{}}
	for _, m := range linkRef.FindAllStringSubmatch(tpl, -1) {
		v.Links[m[1]] = "x"
	}
	return v
}

// parseTemplate parses a URL template. urlquery is replaced by a function
// that returns its argument: values are escaped before the template runs.
func parseTemplate(text string) (*template.Template, error) {
	return template.New("url").Option("missingkey=error").
		Funcs(template.FuncMap{"urlquery": fmtSprint}).Parse(text)
}

func fmtSprint(args ...any) string { return fmt.Sprint(args...) }
