// Package policy decides what a signed-in viewer may see and do: which
// sources and panels are fetched for them, which fields of a facet reach
// their view models, which timeline kinds, tools and actions are theirs.
// It does no I/O: the composer asks it before any source is called and
// again on what a source answered, so a forbidden source is never called
// and a forbidden field never leaves the server.
package policy

import (
	"cmp"
	"slices"
	"strings"
)

// Viewer is the signed-in person a page is composed for.
type Viewer struct {
	Subject string
	Email   string
	Name    string
	Groups  []string
	// Roles are the Atrium roles the viewer's groups map to, sorted.
	Roles []string
}

// ID names the viewer in records: the email, else the subject.
func (v Viewer) ID() string { return cmp.Or(v.Email, v.Subject) }

// Has reports whether the viewer holds role.
func (v Viewer) Has(role string) bool { return slices.Contains(v.Roles, role) }

// Key names the viewer's permission set: two viewers with the same key see
// the same data, so what is rendered for one may be written for the other.
func (v Viewer) Key() string { return strings.Join(v.Roles, ",") }

// Everyone is the group every signed-in user is in, in a role's groups.
const Everyone = "*"

// Well-known roles and actions.
const (
	RoleAdmin = "admin"
	// ActionLink changes how customers are linked across systems.
	ActionLink = "link"
	// ActionAuditRead reads the audit trail.
	ActionAuditRead = "audit.read"
	// ActionSessionsEnd ends another user's sessions.
	ActionSessionsEnd = "sessions.end"
)

// FieldRule restricts the fields a pattern names to roles.
type FieldRule struct {
	// Pattern is source/facet/field; any part may be "*", and the field may
	// be "kind:money" (or another kind) to name every value of that kind.
	Pattern string
	// Roles may see the field; none means admins only.
	Roles []string
}

// Rules is the configured policy. Absent entries allow every viewer with a
// role, except actions (admins only) and fields named by a FieldRule.
type Rules struct {
	// Roles maps each Atrium role to the identity provider's groups whose
	// members hold it (Everyone: every signed-in user).
	Roles map[string][]string
	// Sources, Facets ("source/facet"), Timeline (event kind), Tools (tool
	// id) and Actions map each to the roles allowed it.
	Sources  map[string][]string
	Facets   map[string][]string
	Fields   []FieldRule
	Timeline map[string][]string
	Tools    map[string][]string
	Actions  map[string][]string
	// Contact says whom to ask for access, in the words of a sentence's
	// end: "the service desk".
	Contact string
}

// DefaultRoles is the mapping used when none is configured: every signed-in
// user is a member, the admin groups' members are admins too.
func DefaultRoles(adminGroups []string) map[string][]string {
	return map[string][]string{"member": {Everyone}, RoleAdmin: adminGroups}
}

// DefaultActions are the actions' roles when none are configured.
var DefaultActions = map[string][]string{ActionLink: {RoleAdmin}, ActionAuditRead: {RoleAdmin}, ActionSessionsEnd: {RoleAdmin}}

// A nil *Rules allows every source, facet, field, kind and tool, and each
// action to admins: the composer's default when no policy is configured.

// Viewer returns who a signed-in user is to the policy: their roles from
// their groups.
func (r *Rules) Viewer(subject, email, name string, groups []string) Viewer {
	v := Viewer{Subject: subject, Email: email, Name: name, Groups: groups}
	for role, gs := range r.Roles {
		if slices.Contains(gs, Everyone) || slices.ContainsFunc(gs, func(g string) bool { return slices.Contains(groups, g) }) {
			v.Roles = append(v.Roles, role)
		}
	}
	slices.Sort(v.Roles)
	return v
}

// allowed reports whether v holds one of roles; with no entry (ok false)
// every viewer with a role is allowed.
func allowed(v Viewer, roles []string, ok bool) bool {
	if len(v.Roles) == 0 {
		return false
	}
	if !ok {
		return true
	}
	return slices.ContainsFunc(roles, v.Has)
}

// Source reports whether v may see anything of source.
func (r *Rules) Source(v Viewer, source string) bool {
	if r == nil {
		return true
	}
	roles, ok := r.Sources[source]
	return allowed(v, roles, ok)
}

// Facet reports whether v may see the facet of source (and the source).
func (r *Rules) Facet(v Viewer, source, facet string) bool {
	if r == nil {
		return true
	}
	roles, ok := r.Facets[source+"/"+facet]
	return r.Source(v, source) && allowed(v, roles, ok)
}

// Kind reports whether v may see timeline entries of kind.
func (r *Rules) Kind(v Viewer, kind string) bool {
	if r == nil {
		return true
	}
	roles, ok := r.Timeline[kind]
	return allowed(v, roles, ok)
}

// Tool reports whether v may use the tool with id.
func (r *Rules) Tool(v Viewer, id string) bool {
	if r == nil {
		return true
	}
	roles, ok := r.Tools[id]
	return allowed(v, roles, ok)
}

// Action reports whether v may take action; an action nobody configured is
// admins' only.
func (r *Rules) Action(v Viewer, action string) bool {
	var roles []string
	ok := false
	if r != nil {
		roles, ok = r.Actions[action]
	}
	if !ok {
		roles, ok = DefaultActions[action]
	}
	if !ok {
		roles = []string{RoleAdmin}
	}
	return allowed(v, roles, true)
}

// Field reports whether v may see field of kind in source's facet. A field
// no rule names is shown; one that rules name is shown only when v passes
// each of them. restricted reports whether any rule named it.
func (r *Rules) Field(v Viewer, source, facet, field, kind string) (ok, restricted bool) {
	ok = true
	if r == nil {
		return ok, false
	}
	for _, fr := range r.Fields {
		if !fr.matches(source, facet, field, kind) {
			continue
		}
		restricted = true
		roles := fr.Roles
		if len(roles) == 0 {
			roles = []string{RoleAdmin}
		}
		if !allowed(v, roles, true) {
			ok = false
		}
	}
	return ok, restricted
}

func (fr FieldRule) matches(source, facet, field, kind string) bool {
	parts := strings.SplitN(fr.Pattern, "/", 3)
	if len(parts) != 3 {
		return false
	}
	seg := func(p, s string) bool { return p == "*" || p == s }
	if !seg(parts[0], source) || !seg(parts[1], facet) {
		return false
	}
	if k, ok := strings.CutPrefix(parts[2], "kind:"); ok {
		return kind != "" && k == kind
	}
	return seg(parts[2], field)
}

// NoAccess is what a viewer without a role, or without the source asked
// for, is told.
func (r *Rules) NoAccess() string {
	if r == nil || r.Contact == "" {
		return "Ask an Atrium admin for access."
	}
	return "Ask " + r.Contact + " for access."
}
