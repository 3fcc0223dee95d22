package customer

import (
	"net/mail"
	"net/url"
	"strings"

	"github.com/atrium-dev/atrium/adapters"
)

// NormalizeEmail returns the comparable form of an email address: trimmed,
// lower-cased, without a display name and without plus-addressing
// ("Ann+billing@Example.com" → "ann@example.com"). It returns "" for text that
// is not an address.
func NormalizeEmail(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if a, err := mail.ParseAddress(s); err == nil {
		s = a.Address
	}
	s = strings.ToLower(s)
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(s, " \t,;<>") || strings.Count(s, "@") != 1 {
		return ""
	}
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	return local + "@" + domain
}

// NormalizeDomain returns the comparable domain of a website, URL, email
// address or bare domain: lower-cased, without scheme, port, path or a leading
// "www.". It returns "" when there is none.
func NormalizeDomain(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return ""
	}
	if _, domain, ok := strings.Cut(s, "@"); ok && !strings.Contains(s, "://") {
		s = domain
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	host := strings.TrimSuffix(u.Hostname(), ".")
	host = strings.TrimPrefix(host, "www.")
	if !strings.Contains(host, ".") || strings.ContainsAny(host, " _") {
		return ""
	}
	return host
}

// freeMail lists domains that many unrelated people use: a shared domain there
// says nothing about being the same customer, so it is never a key.
var freeMail = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "yahoo.com": true, "yahoo.co.uk": true, "yahoo.fr": true,
	"yahoo.de": true, "ymail.com": true, "outlook.com": true, "hotmail.com": true, "hotmail.co.uk": true,
	"hotmail.fr": true, "hotmail.de": true, "live.com": true, "msn.com": true, "aol.com": true,
	"icloud.com": true, "me.com": true, "mac.com": true, "gmx.com": true, "gmx.de": true, "gmx.net": true,
	"web.de": true, "t-online.de": true, "proton.me": true, "protonmail.com": true, "mail.com": true,
	"yandex.com": true, "yandex.ru": true, "mail.ru": true, "zoho.com": true, "qq.com": true,
	"163.com": true, "126.com": true, "fastmail.com": true, "hey.com": true, "orange.fr": true,
	"free.fr": true, "laposte.net": true, "libero.it": true, "seznam.cz": true, "wp.pl": true,
}

// IsFreeMail reports whether domain is a free-mail provider's.
func IsFreeMail(domain string) bool { return freeMail[strings.ToLower(domain)] }

// NormalizeKey returns the comparable form of an identifying key from source,
// and false when the key must not be used to link records: an empty value, an
// address that is not one, a free-mail domain. External ids without a system
// prefix are qualified with source ("001…" from salesforce → "salesforce:001…"),
// so that ids of different systems never collide.
func NormalizeKey(source string, k adapters.Key) (adapters.Key, bool) {
	switch k.Kind {
	case adapters.KeyEmail:
		v := NormalizeEmail(k.Value)
		return adapters.Key{Kind: k.Kind, Value: v}, v != ""
	case adapters.KeyDomain:
		v := NormalizeDomain(k.Value)
		return adapters.Key{Kind: k.Kind, Value: v}, v != "" && !IsFreeMail(v)
	case adapters.KeyExternalID:
		v := strings.TrimSpace(k.Value)
		if v == "" {
			return k, false
		}
		if !strings.Contains(v, ":") {
			v = source + ":" + v
		}
		return adapters.Key{Kind: k.Kind, Value: v}, true
	}
	return k, false
}

// KeysOf returns the normalized usable keys of a match, with the domain of each
// email added (unless free-mail) and duplicates removed.
func KeysOf(m adapters.Match) []adapters.Key {
	seen := map[adapters.Key]bool{}
	var out []adapters.Key
	add := func(k adapters.Key) {
		if nk, ok := NormalizeKey(m.Source, k); ok && !seen[nk] {
			seen[nk] = true
			out = append(out, nk)
		}
	}
	add(adapters.Key{Kind: adapters.KeyExternalID, Value: m.ID})
	for _, k := range m.Keys {
		add(k)
		if k.Kind == adapters.KeyEmail {
			add(adapters.Key{Kind: adapters.KeyDomain, Value: k.Value})
		}
	}
	return out
}
