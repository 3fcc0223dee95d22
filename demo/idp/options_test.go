package idp

import (
	"slices"
	"strings"
	"testing"
)

func TestNewReportsEveryProblem(t *testing.T) {
	_, err := New(Options{
		Issuer: "ftp://idp.example",
		Users: []User{
			{ID: "u1", Username: "ann"},
			{ID: "u1", Username: "ANN", Password: "p"},
		},
		Clients: []Client{
			{ID: "web", RedirectURIs: []string{"/relative"}},
			{ID: "web", RedirectURIs: []string{"http://127.0.0.1/cb"}, PostLogoutRedirectURIs: []string{"http://x/#frag"}},
		},
	})
	if err == nil {
		t.Fatal("New accepted broken options")
	}
	for _, want := range []string{
		"scheme must be http or https",
		`user 0 ("ann"): password is required`,
		`id "u1" is used twice`,
		`username "ANN" is used twice`,
		`"/relative" is not an absolute URL`,
		`id "web" is used twice`,
		"must not have a fragment",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestNewRequiresTheEssentials(t *testing.T) {
	_, err := New(Options{})
	for _, want := range []string{"issuer is required", "at least one user", "at least one client"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New(Options{}) error %v lacks %q", err, want)
		}
	}
	_, err = New(Options{Issuer: "http://127.0.0.1:9/", Users: DemoUsers(), Clients: []Client{{ID: "c", RedirectURIs: []string{"http://127.0.0.1/cb"}}}})
	if err == nil || !strings.Contains(err.Error(), "must not end with a slash") {
		t.Errorf("trailing slash: error %v", err)
	}
}

func TestDemoUsers(t *testing.T) {
	want := []struct {
		username, password, email string
		groups                    []string
	}{
		{"alice", "demo-alice", "alice@example.com", []string{"sales"}},
		{"bob", "demo-bob", "bob@example.com", []string{"support"}},
		{"carol", "demo-carol", "carol@example.com", []string{"finance"}},
		{"dave", "demo-dave", "dave@example.com", []string{"admins", "sales"}},
		{"erin", "demo-erin", "erin@example.com", nil},
	}
	users := DemoUsers()
	if len(users) != len(want) {
		t.Fatalf("%d demo users, want %d", len(users), len(want))
	}
	for i, w := range want {
		u := users[i]
		if u.Username != w.username || u.Password != w.password || u.Email != w.email || !slices.Equal(u.Groups, w.groups) || u.ID == "" || u.Name == "" {
			t.Errorf("user %d = %+v, want %+v", i, u, w)
		}
	}
	users[0].Groups[0] = "changed"
	if DemoUsers()[0].Groups[0] != "sales" {
		t.Error("DemoUsers shares state between calls")
	}
}
