package idheader

import "testing"

func TestIs(t *testing.T) {
	for _, name := range []string{
		"Remote-User", "remote-email", "REMOTE-GROUPS", "Remote-Name", "X-User", "X-Email", "X-Groups",
		"X-Authenticated-User", "X-Auth-User", "X-Auth-Request-Email", "X-Auth-Request-Access-Token", "X-Proxy-User",
		"X-Consumer-Username", "X-Consumer-Custom-Id", "X-Userinfo", "X-Goog-Authenticated-User-Email",
		"Cf-Access-Authenticated-User-Email", "Cf-Access-Jwt-Assertion", "X-Ms-Client-Principal",
		"X-Ms-Client-Principal-Name", "X-Amzn-Oidc-Data", "X-Amzn-Oidc-Identity", "Oidc-Claim-Email",
		"X-Original-URL", "X-Rewrite-URL", "X-Client-IP", "True-Client-IP", "X-Real-IP", "Forwarded",
		"X-Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-User",
		"X-Forwarded-Prefix", "X-Remote-User", "X-Webauth-User", "X-Atrium-Assertion",
	} {
		if !Is(name) {
			t.Errorf("Is(%q) = false, want true", name)
		}
	}
	for _, name := range []string{"", "Accept", "Cookie", "Content-Type", "X-Requested-With", "X-Csrf-Token",
		"Referer", "Origin", "Cache-Control", "Forwarded2", "X-Userid-Hint", "Traceparent", "Connection"} {
		if Is(name) {
			t.Errorf("Is(%q) = true, want false", name)
		}
	}
}

func BenchmarkIs(b *testing.B) {
	names := []string{"Accept", "Accept-Encoding", "Cookie", "User-Agent", "X-Forwarded-User", "Sec-Fetch-Site"}
	b.ReportAllocs()
	for b.Loop() {
		for _, n := range names {
			Is(n)
		}
	}
}
