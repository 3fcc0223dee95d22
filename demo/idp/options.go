package idp

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// validate checks the options and returns the parsed issuer. It collects
// every problem, so a broken configuration is fixed in one round.
func (o Options) validate() (*url.URL, error) {
	var problems []error
	add := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }

	issuer, err := url.Parse(o.Issuer)
	switch {
	case o.Issuer == "":
		add("issuer is required")
	case err != nil:
		add("issuer: %w", err)
	case issuer.Scheme != "http" && issuer.Scheme != "https":
		add("issuer %q: scheme must be http or https", o.Issuer)
	case issuer.Host == "":
		add("issuer %q: host is required", o.Issuer)
	case issuer.RawQuery != "" || issuer.Fragment != "" || issuer.User != nil:
		add("issuer %q: must not have a query, fragment or user info", o.Issuer)
	case strings.HasSuffix(o.Issuer, "/"):
		// Relying parties compare the issuer as a string; a trailing slash
		// would make discovery's issuer differ from the one configured.
		add("issuer %q: must not end with a slash", o.Issuer)
	}

	if len(o.Users) == 0 {
		add("at least one user is required")
	}
	ids, usernames := make(map[string]bool), make(map[string]bool)
	for i, u := range o.Users {
		name := strings.ToLower(u.Username)
		switch {
		case u.ID == "":
			add("user %d (%q): id is required", i, u.Username)
		case ids[u.ID]:
			add("user %d: id %q is used twice", i, u.ID)
		}
		switch {
		case strings.TrimSpace(u.Username) != u.Username || u.Username == "":
			add("user %d: username %q must be non-empty without surrounding spaces", i, u.Username)
		case usernames[name]:
			add("user %d: username %q is used twice", i, u.Username)
		}
		if u.Password == "" {
			add("user %d (%q): password is required", i, u.Username)
		}
		ids[u.ID], usernames[name] = true, true
	}

	if len(o.Clients) == 0 {
		add("at least one client is required")
	}
	clientIDs := make(map[string]bool)
	for i, c := range o.Clients {
		switch {
		case c.ID == "":
			add("client %d: id is required", i)
		case clientIDs[c.ID]:
			add("client %d: id %q is used twice", i, c.ID)
		}
		clientIDs[c.ID] = true
		if len(c.RedirectURIs) == 0 {
			add("client %q: at least one redirect URI is required", c.ID)
		}
		for _, raw := range c.RedirectURIs {
			if err := checkAbsoluteURL(raw); err != nil {
				add("client %q: redirect URI: %w", c.ID, err)
			}
		}
		for _, raw := range c.PostLogoutRedirectURIs {
			if err := checkAbsoluteURL(raw); err != nil {
				add("client %q: post-logout redirect URI: %w", c.ID, err)
			}
		}
		if c.BackChannelLogoutURI != "" {
			if err := checkAbsoluteURL(c.BackChannelLogoutURI); err != nil {
				add("client %q: back-channel logout URI: %w", c.ID, err)
			}
		}
	}

	if len(problems) > 0 {
		return nil, fmt.Errorf("idp: invalid options: %w", errors.Join(problems...))
	}
	return issuer, nil
}

func checkAbsoluteURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return err
	case u.Scheme == "" || u.Host == "":
		return fmt.Errorf("%q is not an absolute URL", raw)
	case u.Fragment != "":
		return fmt.Errorf("%q must not have a fragment", raw)
	}
	return nil
}
