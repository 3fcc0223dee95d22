package sfsim

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// queryError is a query that parsed but does not fit the schema, at a byte
// offset of the query.
type queryError struct {
	code string
	pos  int // -1: the message carries no caret
	msg  string
}

func (e *queryError) Error() string { return e.code + ": " + e.msg }

// queryAPIError turns a parse or bind error into the answer Salesforce gives.
func queryAPIError(q string, err error) *apiError {
	var se *syntaxError
	if errors.As(err, &se) {
		return &apiError{status: http.StatusBadRequest, code: "MALFORMED_QUERY", message: caret(q, se.pos, se.msg)}
	}
	var qe *queryError
	if errors.As(err, &qe) {
		msg := qe.msg
		if qe.pos >= 0 {
			msg = caret(q, qe.pos, qe.msg)
		}
		return &apiError{status: http.StatusBadRequest, code: qe.code, message: msg}
	}
	return &apiError{status: http.StatusBadRequest, code: "MALFORMED_QUERY", message: err.Error()}
}

// caret formats a query error as Salesforce does: the query up to the row of the
// error, a line with a caret under the offending column, the position, and the
// message:
//
//	\nSELECT Id, Nmae FROM Account\n           ^\nERROR at Row:1:Column:12\nNo such column …
func caret(q string, pos int, msg string) string {
	pos = min(max(pos, 0), len(q))
	row := 1 + strings.Count(q[:pos], "\n")
	lineStart := strings.LastIndexByte(q[:pos], '\n') + 1
	col := 1 + utf8.RuneCountInString(q[lineStart:pos])
	lineEnd := strings.IndexByte(q[pos:], '\n')
	shown := q
	if lineEnd >= 0 {
		shown = q[:pos+lineEnd]
	}
	return "\n" + shown + "\n" + strings.Repeat(" ", col-1) + "^\nERROR at Row:" + strconv.Itoa(row) +
		":Column:" + strconv.Itoa(col) + "\n" + msg
}

// Messages of schema errors, worded as Salesforce words them.

func errNoSuchColumn(name, entity string, pos int) *queryError {
	return &queryError{"INVALID_FIELD", pos, "No such column '" + name + "' on entity '" + entity +
		"'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."}
}

func errRelationship(name string, pos int) *queryError {
	return &queryError{"INVALID_FIELD", pos, "Didn't understand relationship '" + name +
		"' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."}
}

func errChildRelationship(name string, pos int) *queryError {
	return &queryError{"INVALID_TYPE", pos, "Didn't understand relationship '" + name +
		"' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."}
}

func errUnsupportedType(name string, pos int) *queryError {
	return &queryError{"INVALID_TYPE", pos, "sObject type '" + name +
		"' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."}
}

// errFilterType is a literal of the wrong type for its field.
func errFilterType(f *field, pos int) *queryError {
	want, quoted := "string", true
	switch {
	case f.typ.isID():
		want = "id"
	case f.typ == typeInt:
		want, quoted = "integer", false
	case f.typ.isNumber():
		want, quoted = "double", false
	case f.typ == typeBoolean:
		want, quoted = "boolean", false
	case f.typ == typeDate:
		want, quoted = "date", false
	case f.typ == typeDateTime:
		want, quoted = "dateTime", false
	}
	enclosed := "should be enclosed in quotes"
	if !quoted {
		enclosed = "should not be enclosed in quotes"
	}
	return &queryError{"INVALID_FIELD", pos, "value of filter criterion for field '" + f.name + "' must be of type " + want + " and " + enclosed}
}
