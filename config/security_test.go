package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// load loads the valid configuration with extra lines put into its server
// and auth blocks.
func loadWith(t *testing.T, server, auth string) (*Loaded, error) {
	t.Helper()
	doc := strings.Replace(valid, "server:\n", "server:\n"+server, 1)
	doc = strings.Replace(doc, "auth:\n", "auth:\n"+auth, 1)
	return Load([]byte(doc), registry(), env(map[string]string{"SECRET": strings.Repeat("x", 40), "LIMIT": "7"}))
}

// problemsAt returns the key paths of the problems err reports.
func problemsAt(t *testing.T, err error) []string {
	t.Helper()
	var ps *Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want *Problems, got %v", err)
	}
	var paths []string
	for _, p := range ps.List {
		paths = append(paths, p.Path)
	}
	return paths
}

func TestAllowedHosts(t *testing.T) {
	l, err := loadWith(t, "  allowed_hosts: [atrium.internal, \"atrium.internal:8443\", \"[::1]:8080\"]\n", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(l.Server.AllowedHosts, " "); got != "atrium.internal atrium.internal:8443 [::1]:8080" {
		t.Errorf("allowed_hosts = %q", got)
	}
	if l, err := loadWith(t, "", ""); err != nil || len(l.Server.AllowedHosts) != 0 {
		t.Errorf("default allowed_hosts = %v, %v; want none", l.Server.AllowedHosts, err)
	}
	_, err = loadWith(t, "  allowed_hosts: [\"https://atrium.internal\", \"a.example/x\", \"*.example.com\", \"a.example:http\", \":8080\", ok.example]\n", "")
	got := strings.Join(problemsAt(t, err), " ")
	want := "server.allowed_hosts[0] server.allowed_hosts[1] server.allowed_hosts[2] server.allowed_hosts[3] server.allowed_hosts[4]"
	if got != want {
		t.Errorf("problems at %q, want %q:\n%v", got, want, err)
	}
}

func TestSignInLimits(t *testing.T) {
	l, err := loadWith(t, "", "  sign_in_rate: 30\n  sign_in_burst: 5\n  pending_sign_ins_per_address: 200\n  pending_sign_ins_per_browser: 3\n")
	if err != nil {
		t.Fatal(err)
	}
	if a := l.Auth; a.SignInRate != 30 || a.SignInBurst != 5 || a.PendingPerAddress != 200 || a.PendingPerBrowser != 3 {
		t.Errorf("limits = %+v", a)
	}
	_, err = loadWith(t, "", "  sign_in_rate: -1\n  sign_in_burst: 5000\n  pending_sign_ins_per_address: -3\n  pending_sign_ins_per_browser: 101\n")
	got := strings.Join(problemsAt(t, err), " ")
	if want := "auth.sign_in_rate auth.sign_in_burst auth.pending_sign_ins_per_address auth.pending_sign_ins_per_browser"; got != want {
		t.Errorf("problems at %q, want %q:\n%v", got, want, err)
	}
}

func TestBodyTimeout(t *testing.T) {
	if l, err := loadWith(t, "", ""); err != nil || l.Server.BodyTimeout.D() != DefaultBodyTimeout {
		t.Errorf("default body_timeout = %v, %v", l.Server.BodyTimeout.D(), err)
	}
	if l, err := loadWith(t, "  body_timeout: 30s\n", ""); err != nil || l.Server.BodyTimeout.D() != 30*time.Second {
		t.Errorf("body_timeout = %v, %v", l.Server.BodyTimeout.D(), err)
	}
	for _, bad := range []string{"500ms", "10m"} {
		_, err := loadWith(t, "  body_timeout: "+bad+"\n", "")
		if got := strings.Join(problemsAt(t, err), " "); got != "server.body_timeout" {
			t.Errorf("body_timeout %s: problems at %q", bad, got)
		}
	}
}
