package sfsim

import "net/http"

// The describe answers carry what a client checks before it reads or writes:
// field names, types, whether a field can be written, and the relationships.

func (s *Server) describeGlobal(w http.ResponseWriter, version string) {
	var list []*jsonObject
	for _, name := range []string{"Account", "Case", "Contact", "Opportunity", "Task", "User"} {
		list = append(list, objectSummary(s.store.schema.object(name), version))
	}
	writeJSON(w, http.StatusOK, obj("encoding", "UTF-8", "maxBatchSize", 200, "sobjects", list))
}

func objectSummary(o *object, version string) *jsonObject {
	base := "/services/data/v" + version + "/sobjects/" + o.name
	return obj(
		"name", o.name,
		"label", o.label,
		"keyPrefix", o.prefix,
		"queryable", true,
		"createable", true,
		"updateable", true,
		"deletable", o.name != "User",
		"urls", obj("sobject", base, "describe", base+"/describe", "rowTemplate", base+"/{ID}"),
	)
}

func describe(o *object, version string) *jsonObject {
	d := objectSummary(o, version)
	fields := make([]*jsonObject, 0, len(o.fields))
	for _, f := range o.fields {
		refTo := f.refTo
		if refTo == nil {
			refTo = []string{}
		}
		var rel any
		if f.relName != "" {
			rel = f.relName
		}
		writable := !f.readOnly && f.name != "Id"
		fields = append(fields, obj(
			"name", f.name,
			"label", f.label,
			"type", f.typ.describeName(),
			"nillable", !f.required && f.typ != typeBoolean && f.name != "Id",
			"createable", writable,
			"updateable", writable,
			"referenceTo", refTo,
			"relationshipName", rel,
		))
	}
	d.set("fields", fields)
	children := make([]*jsonObject, 0, len(o.childList))
	for _, c := range o.childList {
		children = append(children, obj(
			"childSObject", c.child.name,
			"field", c.field.name,
			"relationshipName", c.name,
			"cascadeDelete", o.name == "Account" || c.child.name == "Task",
		))
	}
	d.set("childRelationships", children)
	return d
}
