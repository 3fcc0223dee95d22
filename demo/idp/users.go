package idp

// User is an account that can sign in at the provider. Passwords are kept and
// compared in plain text: the accounts are demo fixtures shown on the sign-in
// page, not secrets.
type User struct {
	ID         string // subject ("sub") of the tokens; stable and unique
	Username   string // what is typed on the sign-in page; unique, case-insensitive
	Password   string
	Email      string
	Name       string
	GivenName  string
	FamilyName string
	Groups     []string // sent as the "groups" claim when the groups scope is asked for
}

// DemoUsers returns the demo accounts. Each call returns a fresh slice, so a
// caller may change it without affecting other callers.
//
//	username  password    groups
//	alice     demo-alice  sales
//	bob       demo-bob    support
//	carol     demo-carol  finance
//	dave      demo-dave   admins, sales
//	erin      demo-erin   (none: signed in, but no access yet)
func DemoUsers() []User {
	return []User{
		{
			ID: "user-alice", Username: "alice", Password: "demo-alice",
			Email: "alice@example.com", Name: "Alice Anderson", GivenName: "Alice", FamilyName: "Anderson",
			Groups: []string{"sales"},
		},
		{
			ID: "user-bob", Username: "bob", Password: "demo-bob",
			Email: "bob@example.com", Name: "Bob Brown", GivenName: "Bob", FamilyName: "Brown",
			Groups: []string{"support"},
		},
		{
			ID: "user-carol", Username: "carol", Password: "demo-carol",
			Email: "carol@example.com", Name: "Carol Clark", GivenName: "Carol", FamilyName: "Clark",
			Groups: []string{"finance"},
		},
		{
			ID: "user-dave", Username: "dave", Password: "demo-dave",
			Email: "dave@example.com", Name: "Dave Davis", GivenName: "Dave", FamilyName: "Davis",
			Groups: []string{"admins", "sales"},
		},
		{
			ID: "user-erin", Username: "erin", Password: "demo-erin",
			Email: "erin@example.com", Name: "Erin Evans", GivenName: "Erin", FamilyName: "Evans",
		},
	}
}
