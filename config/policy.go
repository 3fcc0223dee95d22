package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/atrium-dev/atrium/policy"
)

// Policy says what each role may see and do. Absent, every signed-in user
// sees everything and members of auth.admin_groups may also link customers
// and read the audit trail.
type Policy struct {
	// Roles maps each Atrium role to the identity provider's groups (from
	// auth.groups_claim) whose members hold it; "*" is every signed-in user.
	// Absent: member: ["*"], admin: auth.admin_groups.
	Roles map[string][]string `yaml:"roles"`
	// Sources, Facets ("source/facet"), Timeline (event kind), Tools (tool
	// id) and Actions (link, audit.read, sessions.end) each list the roles
	// allowed them; what is not listed is every role's, but actions, which
	// are admins'.
	Sources  map[string][]string `yaml:"sources"`
	Facets   map[string][]string `yaml:"facets"`
	Timeline map[string][]string `yaml:"timeline"`
	Tools    map[string][]string `yaml:"tools"`
	Actions  map[string][]string `yaml:"actions"`
	// Fields mark sensitive fields, shown only to the roles listed (none:
	// admins only).
	Fields []FieldPolicy `yaml:"fields"`
	// Contact is whom a user without access is told to ask, e.g. "the
	// service desk (#it-help)".
	Contact string `yaml:"contact"`
}

// FieldPolicy restricts the fields Field names (source/facet/field, each
// part may be *, the field may be kind:money) to Roles.
type FieldPolicy struct {
	Field string   `yaml:"field"`
	Roles []string `yaml:"roles"`
}

// Rules is the policy as the composer and the web layer apply it.
func (c *Config) Rules() *policy.Rules {
	p := c.Policy
	r := &policy.Rules{Roles: p.Roles, Sources: p.Sources, Facets: p.Facets, Timeline: p.Timeline, Tools: p.Tools,
		Actions: p.Actions, Contact: p.Contact}
	if len(r.Roles) == 0 {
		r.Roles = policy.DefaultRoles(c.Auth.AdminGroups)
	}
	for _, f := range p.Fields {
		r.Fields = append(r.Fields, policy.FieldRule{Pattern: f.Field, Roles: f.Roles})
	}
	return r
}

var knownActions = []string{policy.ActionLink, policy.ActionAuditRead, policy.ActionSessionsEnd}

func (v *validator) validatePolicy(c *Config) {
	p := c.Policy
	roles := map[string]bool{}
	for role := range c.Rules().Roles {
		roles[role] = true
	}
	roleList := strings.Join(slices.Sorted(maps.Keys(roles)), ", ")
	sources := map[string]bool{}
	for _, s := range c.Sources {
		sources[s.Name] = true
	}
	tools := map[string]bool{}
	for _, t := range c.Tools {
		tools[t.ID] = true
	}
	checkRoles := func(path string, list []string) {
		for _, r := range list {
			if !roles[r] {
				v.at(path, path, fmt.Sprintf("names unknown role %q", r), "use one of the roles under policy.roles: "+roleList)
			}
		}
	}
	for role, groups := range p.Roles {
		if len(groups) == 0 {
			v.at("policy.roles", "policy.roles."+role, "lists no groups", `list the identity provider's groups whose members hold it, or "*" for everyone signed in`)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(p.Sources)) {
		path := "policy.sources." + name
		if !sources[name] {
			v.at("policy.sources", path, fmt.Sprintf("names unknown source %q", name), "use the name of one of the sources")
		}
		checkRoles("policy.sources", p.Sources[name])
	}
	for _, name := range slices.Sorted(maps.Keys(p.Facets)) {
		path := "policy.facets." + name
		src, facet, ok := strings.Cut(name, "/")
		if !ok || facet == "" || !sources[src] {
			v.at("policy.facets", path, fmt.Sprintf("does not name a source's panel: %q", name), "write source/facet, e.g. billing/invoices")
		}
		checkRoles("policy.facets", p.Facets[name])
	}
	for _, name := range slices.Sorted(maps.Keys(p.Tools)) {
		if !tools[name] {
			v.at("policy.tools", "policy.tools."+name, fmt.Sprintf("names unknown tool %q", name), "use the id of one of the tools")
		}
		checkRoles("policy.tools", p.Tools[name])
	}
	for _, name := range slices.Sorted(maps.Keys(p.Actions)) {
		if !slices.Contains(knownActions, name) {
			v.at("policy.actions", "policy.actions."+name, fmt.Sprintf("unknown action %q", name), "use one of "+strings.Join(knownActions, ", "))
		}
		checkRoles("policy.actions", p.Actions[name])
	}
	for _, name := range slices.Sorted(maps.Keys(p.Timeline)) {
		checkRoles("policy.timeline", p.Timeline[name])
	}
	for i, f := range p.Fields {
		path := fmt.Sprintf("policy.fields[%d]", i)
		parts := strings.Split(f.Field, "/")
		switch {
		case len(parts) != 3 || slices.Contains(parts, ""):
			v.at(path, path+".field", fmt.Sprintf("%q is not source/facet/field", f.Field), "write e.g. billing/invoices/amount_due, */*/annual_revenue or billing/*/kind:money")
		case parts[0] != "*" && !sources[parts[0]]:
			v.at(path, path+".field", fmt.Sprintf("names unknown source %q", parts[0]), "use the name of one of the sources, or *")
		case strings.HasPrefix(parts[2], "kind:") && !slices.Contains(policy.Kinds(), strings.TrimPrefix(parts[2], "kind:")):
			v.at(path, path+".field", fmt.Sprintf("unknown kind %q", strings.TrimPrefix(parts[2], "kind:")), "use one of "+strings.Join(policy.Kinds(), ", "))
		}
		checkRoles(path, f.Roles)
	}
}
