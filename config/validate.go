package config

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/atrium-dev/atrium/adapters"
)

var sourceName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

func (v *validator) validate(l *Loaded, kinds Kinds) {
	c := &l.Config
	v.validateServer(&c.Server)
	v.validateAuth(&c.Auth)
	v.validateStore(&c.Store)
	v.secretFile("cache", "redis_url", &c.Cache.RedisURL, c.Cache.RedisURLFile)
	if u := c.Cache.RedisURL; u != "" {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "redis" && p.Scheme != "rediss") || p.Host == "" {
			v.at("cache.redis_url", "cache.redis_url", "is not a Redis URL", "write it like redis://host:6379/0 (rediss:// for TLS); put a password in redis_url_file or ${ENV}")
		}
	}
	v.validateBus(&c.Bus)
	v.validateAudit(&c.Audit)
	names := map[string]bool{}
	for i, r := range c.Identity.Rules {
		p := fmt.Sprintf("identity.rules[%d]", i)
		if r.Name == "" || names[r.Name] {
			v.at(p, p+".name", "is missing or used twice", "give each rule its own name, e.g. crm-id")
		}
		names[r.Name] = true
		if !slices.Contains([]string{"id", "email", "domain"}, r.Match) {
			v.at(p, p+".match", fmt.Sprintf("unknown key kind %q", r.Match), "use id (an external id both records carry), email or domain")
		}
		if r.Confidence <= 0 || r.Confidence > 1 {
			v.at(p, p+".confidence", "must be above 0 and at most 1", "use e.g. 1.0 for ids, 0.9 for emails, 0.7 for domains")
		}
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		v.at("log.level", "log.level", fmt.Sprintf("unknown level %q", c.Log.Level), "use debug, info, warn or error")
	}
	if !slices.Contains([]string{"text", "json"}, c.Log.Format) {
		v.at("log.format", "log.format", fmt.Sprintf("unknown format %q", c.Log.Format), "use text or json")
	}
	v.validateSources(l, kinds)
	v.validateTools(c)
	v.validatePolicy(c)
}

func (v *validator) validateServer(s *Server) {
	if _, port, err := net.SplitHostPort(s.Addr); err != nil || port == "" {
		v.at("server.addr", "server.addr", fmt.Sprintf("%q is not host:port", s.Addr), "write it like 127.0.0.1:8080 or :8080")
	}
	if s.PublicURL == "" {
		v.at("server", "server.public_url", "is required", "set it to the address users open, e.g. https://atrium.example.com")
	} else if msg := checkURL(s.PublicURL); msg != "" {
		v.at("server.public_url", "server.public_url", msg, "write an absolute http(s) URL without query, e.g. https://atrium.example.com")
	}
	v.secretFile("server", "session_secret", &s.SessionSecret, s.SessionSecretFile)
	if s.SessionSecret != "" && len(s.SessionSecret) < 32 {
		v.at("server.session_secret", "server.session_secret", "is shorter than 32 characters",
			"use at least 32 random characters, e.g. the output of: openssl rand -base64 48")
	}
	if s.SessionTTL.D() < 5*time.Minute {
		v.at("server.session_ttl", "server.session_ttl", "is shorter than 5m", "use a duration such as 8h or 12h")
	}
	if r := s.SessionRecheck; r != nil && (r.D() < 0 || r.D() > time.Minute) {
		v.at("server.session_recheck", "server.session_recheck", "must be between 0s and 1m",
			"use a few seconds, e.g. 5s: a logout on another instance takes effect here within this time")
	}
	if idle := s.SessionIdleTimeout; idle != nil && idle.D() != 0 && (idle.D() < time.Minute || idle.D() > s.SessionTTL.D()) {
		v.at("server.session_idle_timeout", "server.session_idle_timeout", "must be 0s (off) or between 1m and server.session_ttl",
			"use e.g. 30m or 1h: a session unused that long ends, however long server.session_ttl lets it last")
	}
	if b := s.BodyTimeout.D(); b < time.Second || b > 5*time.Minute {
		v.at("server.body_timeout", "server.body_timeout", "must be between 1s and 5m",
			"use a few seconds, e.g. 10s: Atrium's own forms are small; uploads to proxied tools are not limited by it")
	}
	for i, h := range s.AllowedHosts {
		if msg := checkHost(h); msg != "" {
			p := fmt.Sprintf("server.allowed_hosts[%d]", i)
			v.at(p, p, msg, "write a host name as browsers send it, e.g. atrium.internal or atrium.internal:8443")
		}
	}
}

// checkHost reports what is wrong with a host or host:port, or "".
func checkHost(h string) string {
	host := h
	if strings.Contains(h, "://") || strings.ContainsAny(h, "/?#@ *") {
		return fmt.Sprintf("%q is not a host name (no scheme, path or wildcard)", h)
	}
	if hp, port, err := net.SplitHostPort(h); err == nil {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Sprintf("%q has no valid port", h)
		}
		host = hp
	} else if strings.Count(h, ":") == 1 {
		return fmt.Sprintf("%q has no valid port", h)
	}
	if host == "" {
		return fmt.Sprintf("%q has no host", h)
	}
	return ""
}

func (v *validator) validateAuth(a *Auth) {
	if a.Issuer == "" {
		v.at("auth", "auth.issuer", "is required", "set it to your identity provider's issuer URL (its /.well-known/openid-configuration lives below it)")
	} else if msg := checkURL(a.Issuer); msg != "" {
		v.at("auth.issuer", "auth.issuer", msg, "write the issuer exactly as the provider's discovery document states it")
	}
	if a.ClientID == "" {
		v.at("auth", "auth.client_id", "is required", "register Atrium as a client at the identity provider and copy its client id")
	}
	v.secretFile("auth", "client_secret", &a.ClientSecret, a.ClientSecretFile)
	if !slices.Contains(a.Scopes, "openid") {
		v.at("auth.scopes", "auth.scopes", `must include "openid"`, "add openid to the list (e.g. [openid, profile, email, groups])")
	}
	for _, l := range []struct {
		key   string
		value int
		max   int
		hint  string
	}{
		{"sign_in_rate", a.SignInRate, 6000, "sign-ins a minute per address, e.g. 10"},
		{"sign_in_burst", a.SignInBurst, 1000, "sign-ins at once per address, e.g. 20"},
		{"pending_sign_ins_per_address", a.PendingPerAddress, 100_000, "sign-ins in progress per address, e.g. 50"},
		{"pending_sign_ins_per_browser", a.PendingPerBrowser, 100, "sign-ins in progress per browser, e.g. 5"},
	} {
		if l.value < 0 || l.value > l.max {
			v.at("auth."+l.key, "auth."+l.key, fmt.Sprintf("must be between 0 (the default) and %d", l.max), "give the number of "+l.hint)
		}
	}
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// fileStartsWith reports whether the file at path starts with prefix.
func fileStartsWith(path, prefix string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, len(prefix))
	_, err = io.ReadFull(f, b)
	return err == nil && string(b) == prefix
}

// secretFile fills *value from the file named by the sibling "<key>_file" key.
func (v *validator) secretFile(parent, key string, value *string, file string) {
	if file == "" {
		return
	}
	path := parent + "." + key + "_file"
	if *value != "" {
		v.at(path, path, fmt.Sprintf("both %s and %s_file are set", key, key), "keep only one of them")
		return
	}
	b, err := os.ReadFile(file)
	if err != nil {
		v.at(path, path, fmt.Sprintf("cannot read %s: %v", file, errors.Unwrap(err)), "check the path and that Atrium's user may read it")
		return
	}
	*value = strings.TrimSpace(string(b))
	if *value == "" {
		v.at(path, path, fmt.Sprintf("%s is empty", file), "write the secret into the file")
	}
}

func (v *validator) validateSources(l *Loaded, kinds Kinds) {
	c := &l.Config
	if len(c.Sources) == 0 {
		v.at("", "sources", "no source is configured", "add at least one source, e.g. a salesforce source (see atrium.example.yaml)")
		return
	}
	seen := map[string]bool{}
	for i := range c.Sources {
		s := &c.Sources[i]
		p := fmt.Sprintf("sources[%d]", i)
		switch {
		case s.Name == "":
			v.at(p, p+".name", "is required", "give the source a short lower-case name such as salesforce")
		case !sourceName.MatchString(s.Name):
			v.at(p+".name", p+".name", fmt.Sprintf("%q is not a valid name", s.Name), "use lower-case letters, digits, - and _, starting with a letter")
		case seen[s.Name]:
			v.at(p+".name", p+".name", fmt.Sprintf("%q is used by another source", s.Name), "give each source its own name")
		}
		seen[s.Name] = true
		if s.Timeout.D() <= 0 || s.Timeout.D() > 2*time.Minute {
			v.at(p+".timeout", p+".timeout", "must be between 0 and 2m", "use a duration such as 5s")
		}
		v.validateGuard(&s.Guard, p+".guard")
		if s.Type == "" {
			v.at(p, p+".type", "is required", "set it to one of: "+strings.Join(kinds.Types(), ", "))
			continue
		}
		sv, ok := kinds.SettingsFor(s.Type)
		if !ok {
			hint := suggest(s.Type, kinds.Types())
			if !strings.HasPrefix(hint, "did you mean") {
				hint = "use one of: " + strings.Join(kinds.Types(), ", ")
			}
			v.at(p+".type", p+".type", fmt.Sprintf("unknown type %q", s.Type), hint)
			continue
		}
		v.decodeSettings(&s.Settings, sv, p+".settings")
		l.Settings[i] = sv
	}
	if b := c.Customer.PageBudget.D(); b < 100*time.Millisecond || b > 2*time.Minute {
		v.at("customer.page_budget", "customer.page_budget", "must be between 100ms and 2m", "use a duration such as 8s")
	}
	for i, g := range c.Customer.Golden {
		p := fmt.Sprintf("customer.golden[%d]", i)
		if g.Field == "" {
			v.at(p, p+".field", "is required", "name a field of the sources' header facets, e.g. billing_email")
		}
		if len(g.Sources) == 0 {
			v.at(p, p+".sources", "is empty", "list the sources to take the value from, in order of preference")
		}
		for j, s := range g.Sources {
			if !seen[s] {
				v.at(fmt.Sprintf("%s.sources[%d]", p, j), fmt.Sprintf("%s.sources[%d]", p, j), fmt.Sprintf("no source is named %q", s), "name one of the configured sources")
			}
		}
	}
	if c.Customer.Primary != "" && !seen[c.Customer.Primary] {
		v.at("customer.primary", "customer.primary", fmt.Sprintf("no source is named %q", c.Customer.Primary), "name one of the configured sources")
	}
}

func (v *validator) decodeSettings(n *yaml.Node, sv adapters.Settings, path string) {
	before := len(v.list)
	if n.Kind != 0 {
		v.checkKeys(n, reflect.TypeOf(sv), path)
		if err := n.Decode(sv); err != nil {
			v.list = append(v.list, decodeProblems(err, path)...)
		}
	}
	if len(v.list) > before {
		return // validating half-decoded settings would only repeat the problem
	}
	for _, sp := range sv.Validate() {
		v.atKey(path, sp.Key, sp.Message, sp.Hint)
	}
}

// at records a problem at the node of locPath, or the nearest existing parent.
func (v *validator) at(locPath, path, msg, hint string) {
	v.add(v.lookup(locPath), path, msg, hint)
}

// atKey records a problem that a block's own validation found about key
// (empty: the whole block) of the block at path.
func (v *validator) atKey(path, key, msg, hint string) {
	if key != "" {
		path += "." + key
	}
	v.at(path, path, msg, hint)
}

func (v *validator) lookup(path string) *yaml.Node {
	n := v.root
	if n == nil || path == "" {
		return n
	}
	for _, seg := range strings.Split(path, ".") {
		name, idx := seg, -1
		if i := strings.IndexByte(seg, '['); i >= 0 && strings.HasSuffix(seg, "]") {
			name = seg[:i]
			idx, _ = strconv.Atoi(seg[i+1 : len(seg)-1])
		}
		next := child(n, name)
		if next == nil {
			return n
		}
		if idx >= 0 {
			if next.Kind != yaml.SequenceNode || idx >= len(next.Content) {
				return next
			}
			next = next.Content[idx]
		}
		n = next
	}
	return n
}

func child(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func checkURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Sprintf("%q is not a URL", s)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Sprintf("%q must start with http:// or https://", s)
	case u.Host == "":
		return fmt.Sprintf("%q has no host", s)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Sprintf("%q must not have a query or fragment", s)
	}
	return ""
}
