package sfsim

import "strings"

// fieldType is the data type of a field; it decides how values are stored,
// compared in SOQL and written on the wire.
type fieldType int

const (
	typeID fieldType = iota
	typeReference
	typeString
	typeTextArea
	typePicklist
	typeEmail
	typePhone
	typeURL
	typeCurrency
	typeDouble
	typePercent
	typeInt
	typeBoolean
	typeDate
	typeDateTime
)

// describeName is the type as the describe call names it.
func (t fieldType) describeName() string {
	return [...]string{"id", "reference", "string", "textarea", "picklist", "email", "phone",
		"url", "currency", "double", "percent", "int", "boolean", "date", "datetime"}[t]
}

// isText reports whether values of the type are strings compared without regard
// to case, which is how SOQL compares text.
func (t fieldType) isText() bool {
	switch t {
	case typeString, typeTextArea, typePicklist, typeEmail, typePhone, typeURL:
		return true
	}
	return false
}

func (t fieldType) isID() bool { return t == typeID || t == typeReference }

func (t fieldType) isNumber() bool {
	return t == typeCurrency || t == typeDouble || t == typePercent || t == typeInt
}

// field describes one field of an object.
type field struct {
	name     string
	label    string
	typ      fieldType
	required bool // must be given on create: not nillable and no default
	readOnly bool // set by the system only
	refTo    []string
	relName  string // relationship name of a reference, e.g. "Owner"
	// pseudo marks the fields of the Name pseudo-object, read from whatever
	// record a polymorphic reference points at.
	pseudo bool
}

// polymorphic reports whether a reference may point at several objects; SOQL then
// reaches only the fields every target shares (Id, Name, Type).
func (f *field) polymorphic() bool { return len(f.refTo) > 1 || f.relName == "Who" }

// childRel is a parent-to-child relationship, e.g. Account.Contacts.
type childRel struct {
	name  string
	child *object
	field *field // the child's reference to the parent
}

// object describes an sObject type.
type object struct {
	name      string
	label     string
	prefix    string
	nameField string // the field a polymorphic reference shows as Name
	fields    []*field
	byName    map[string]*field    // lower-case field name
	byRel     map[string]*field    // lower-case relationship name
	children  map[string]*childRel // lower-case relationship name
	childList []*childRel
}

func (o *object) field(name string) *field { return o.byName[strings.ToLower(name)] }

// schema is the set of simulated objects. It is built once per data set and never
// changed, so it is shared without locks.
type schema struct {
	objects  map[string]*object // lower-case name
	byPrefix map[string]*object
	// name is the pseudo-object behind a polymorphic reference.
	name *object
}

func (s *schema) object(name string) *object { return s.objects[strings.ToLower(name)] }

// objectOfID returns the object whose key prefix the id carries.
func (s *schema) objectOfID(id string) *object {
	if len(id) < 3 {
		return nil
	}
	return s.byPrefix[id[:3]]
}

// Field constructors, to keep the object tables below readable.
func text(name, label string) *field { return &field{name: name, label: label, typ: typeString} }
func typed(name, label string, t fieldType) *field {
	return &field{name: name, label: label, typ: t}
}
func required(f *field) *field { f.required = true; return f }
func readOnly(f *field) *field { f.readOnly = true; return f }
func ref(name, label, rel string, to ...string) *field {
	return &field{name: name, label: label, typ: typeReference, refTo: to, relName: rel}
}

// systemFields are the audit fields every object carries.
func systemFields() []*field {
	return []*field{
		readOnly(typed("CreatedDate", "Created Date", typeDateTime)),
		readOnly(typed("LastModifiedDate", "Last Modified Date", typeDateTime)),
		readOnly(typed("SystemModstamp", "System Modstamp", typeDateTime)),
	}
}

func newSchema() *schema {
	id := func() *field { return readOnly(typed("Id", "Record ID", typeID)) }
	deleted := func() *field { return readOnly(typed("IsDeleted", "Deleted", typeBoolean)) }
	owner := func() *field { return ref("OwnerId", "Owner ID", "Owner", "User") }
	account := func() *field { return ref("AccountId", "Account ID", "Account", "Account") }

	objs := []*object{
		{name: "User", label: "User", prefix: prefixUser, nameField: "Name", fields: []*field{
			id(), required(text("Username", "Username")), text("FirstName", "First Name"),
			required(text("LastName", "Last Name")), readOnly(text("Name", "Full Name")),
			required(typed("Email", "Email", typeEmail)), text("Title", "Title"),
			typed("Phone", "Phone", typePhone), typed("IsActive", "Active", typeBoolean),
		}},
		{name: "Account", label: "Account", prefix: prefixAccount, nameField: "Name", fields: []*field{
			id(), deleted(), required(text("Name", "Account Name")),
			typed("Type", "Account Type", typePicklist), typed("Industry", "Industry", typePicklist),
			typed("Website", "Website", typeURL), typed("Phone", "Account Phone", typePhone),
			text("BillingCity", "Billing City"), text("BillingCountry", "Billing Country"),
			typed("AnnualRevenue", "Annual Revenue", typeCurrency),
			typed("NumberOfEmployees", "Employees", typeInt),
			typed("Description", "Account Description", typeTextArea), owner(),
		}},
		{name: "Contact", label: "Contact", prefix: prefixContact, nameField: "Name", fields: []*field{
			id(), deleted(), account(), text("FirstName", "First Name"),
			required(text("LastName", "Last Name")), readOnly(text("Name", "Full Name")),
			text("Title", "Title"), typed("Email", "Email", typeEmail),
			typed("Phone", "Business Phone", typePhone), typed("MobilePhone", "Mobile Phone", typePhone),
			text("Department", "Department"), owner(),
		}},
		{name: "Opportunity", label: "Opportunity", prefix: prefixOpportunity, nameField: "Name", fields: []*field{
			id(), deleted(), account(), required(text("Name", "Name")),
			required(typed("StageName", "Stage", typePicklist)), typed("Amount", "Amount", typeCurrency),
			required(typed("CloseDate", "Close Date", typeDate)),
			typed("Probability", "Probability (%)", typePercent),
			readOnly(typed("IsClosed", "Closed", typeBoolean)), readOnly(typed("IsWon", "Won", typeBoolean)),
			typed("Type", "Opportunity Type", typePicklist), typed("LeadSource", "Lead Source", typePicklist),
			typed("Description", "Description", typeTextArea), owner(),
		}},
		{name: "Case", label: "Case", prefix: prefixCase, nameField: "CaseNumber", fields: []*field{
			id(), deleted(), readOnly(text("CaseNumber", "Case Number")), account(),
			ref("ContactId", "Contact ID", "Contact", "Contact"), text("Subject", "Subject"),
			typed("Description", "Description", typeTextArea), typed("Status", "Status", typePicklist),
			typed("Priority", "Priority", typePicklist), typed("Origin", "Case Origin", typePicklist),
			typed("Type", "Case Type", typePicklist), readOnly(typed("IsClosed", "Closed", typeBoolean)),
			readOnly(typed("ClosedDate", "Closed Date", typeDateTime)), owner(),
		}},
		{name: "Task", label: "Task", prefix: prefixTask, nameField: "Subject", fields: []*field{
			id(), deleted(), ref("WhatId", "Related To ID", "What", "Account", "Opportunity", "Case"),
			ref("WhoId", "Name ID", "Who", "Contact"), text("Subject", "Subject"),
			typed("Status", "Status", typePicklist), typed("Priority", "Priority", typePicklist),
			typed("ActivityDate", "Due Date Only", typeDate), typed("Description", "Description", typeTextArea),
			readOnly(typed("IsClosed", "Closed", typeBoolean)), owner(),
		}},
	}
	s := &schema{objects: map[string]*object{}, byPrefix: map[string]*object{}}
	for _, o := range objs {
		o.fields = append(o.fields, systemFields()...)
		s.add(o)
	}
	s.name = &object{name: "Name", fields: []*field{id(), text("Name", "Name"), text("Type", "Object Type")}}
	for _, f := range s.name.fields {
		f.pseudo = true
	}
	index(s.name)

	s.relate("Account", "Contacts", "Contact", "AccountId")
	s.relate("Account", "Opportunities", "Opportunity", "AccountId")
	s.relate("Account", "Cases", "Case", "AccountId")
	s.relate("Account", "Tasks", "Task", "WhatId")
	s.relate("Contact", "Cases", "Case", "ContactId")
	s.relate("Contact", "Tasks", "Task", "WhoId")
	s.relate("Opportunity", "Tasks", "Task", "WhatId")
	s.relate("Case", "Tasks", "Task", "WhatId")
	return s
}

func (s *schema) add(o *object) {
	index(o)
	s.objects[strings.ToLower(o.name)] = o
	s.byPrefix[o.prefix] = o
}

func index(o *object) {
	o.byName = map[string]*field{}
	o.byRel = map[string]*field{}
	o.children = map[string]*childRel{}
	for _, f := range o.fields {
		o.byName[strings.ToLower(f.name)] = f
		if f.relName != "" {
			o.byRel[strings.ToLower(f.relName)] = f
		}
	}
}

func (s *schema) relate(parent, rel, child, fieldName string) {
	p, c := s.object(parent), s.object(child)
	r := &childRel{name: rel, child: c, field: c.field(fieldName)}
	p.children[strings.ToLower(rel)] = r
	p.childList = append(p.childList, r)
}

// target returns the object a reference field leads to in SOQL: the object itself,
// or the Name pseudo-object for a polymorphic reference.
func (s *schema) target(f *field) *object {
	if f.polymorphic() {
		return s.name
	}
	return s.object(f.refTo[0])
}
