// Package idheader names the request headers that some proxy, cloud load
// balancer or tool takes as proof of who the user is, or of where a request
// came from. A client must never be able to send one through Atrium: the web
// server drops them from every request, and the legacy-tool proxy drops them
// again before setting its own.
package idheader

import "strings"

// Names are headers matched as a whole name, without regard to case.
var Names = []string{
	"Forwarded", "X-Forwarded",
	"X-User", "X-Email", "X-Groups", "X-Authenticated-User", "X-Auth-User", "X-Proxy-User", "X-Userinfo",
	"X-Original-Url", "X-Rewrite-Url",
	"X-Client-Ip", "True-Client-Ip", "X-Real-Ip",
}

// Prefixes are headers matched by how their name starts, without regard to
// case: every header of a family (Remote-User, Remote-Email, …).
var Prefixes = []string{
	"X-Forwarded-", // every X-Forwarded-*: the proxy sets its own from the configuration
	"Remote-",      // Remote-User, -Email, -Groups, -Name (Authelia, Caddy forward_auth)
	"X-Remote-",
	"X-Auth-Request-", // oauth2-proxy
	"X-Consumer-",     // Kong
	"X-Goog-Authenticated-User-",
	"X-Goog-Iap-Jwt-",
	"Cf-Access-",
	"X-Ms-Client-Principal",
	"X-Ms-Token-",
	"X-Amzn-Oidc-",
	"Oidc-Claim-", // mod_auth_openidc
	"Oidc_claim_",
	"X-Webauth-",
	"X-Atrium-", // Atrium's own assertion
}

// Is reports whether name is an identity or routing header: one of Names,
// or starting with one of Prefixes, compared without regard to case. It
// does not allocate.
func Is(name string) bool {
	if name == "" {
		return false
	}
	// Every entry starts with one of these letters: most headers are
	// decided by their first byte.
	switch name[0] | 0x20 {
	case 'x', 'r', 'f', 't', 'c', 'o':
	default:
		return false
	}
	for _, n := range Names {
		if strings.EqualFold(name, n) {
			return true
		}
	}
	for _, p := range Prefixes {
		if len(name) >= len(p) && strings.EqualFold(name[:len(p)], p) {
			return true
		}
	}
	return false
}
