package sfsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxBody bounds the JSON body of a write.
const maxBody = 1 << 20

// sobjects answers …/sobjects[/{Type}[/{Id}|/describe]].
func (s *Server) sobjects(w http.ResponseWriter, r *http.Request, version string, parts []string, sess *session) {
	if len(parts) == 0 {
		if r.Method != http.MethodGet {
			writeError(w, errMethod(r.Method, "GET,HEAD"))
			return
		}
		s.describeGlobal(w, version)
		return
	}
	o := s.store.schema.object(parts[0])
	if o == nil {
		writeError(w, errNotFound())
		return
	}
	switch {
	case len(parts) == 1:
		switch r.Method {
		case http.MethodGet:
			writeJSON(w, http.StatusOK, obj("objectDescribe", objectSummary(o, version), "recentItems", []*jsonObject{}))
		case http.MethodPost:
			s.create(w, r, o, sess)
		default:
			writeError(w, errMethod(r.Method, "GET,HEAD,POST"))
		}
	case parts[1] == "describe":
		if r.Method != http.MethodGet {
			writeError(w, errMethod(r.Method, "GET,HEAD"))
			return
		}
		writeJSON(w, http.StatusOK, describe(o, version))
	default:
		s.recordRequest(w, r, o, version, parts[1])
	}
}

// recordRequest answers GET, PATCH and DELETE on one record.
func (s *Server) recordRequest(w http.ResponseWriter, r *http.Request, o *object, version, rawID string) {
	switch r.Method {
	case http.MethodGet, http.MethodPatch, http.MethodDelete:
	default:
		writeError(w, errMethod(r.Method, "GET,PATCH,DELETE,HEAD"))
		return
	}
	id, ok := normalizeID(rawID)
	if !ok {
		writeError(w, &apiError{status: http.StatusBadRequest, code: "MALFORMED_ID",
			message: fmt.Sprintf("%s ID: id value of incorrect type: %s", o.name, rawID)})
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.read(w, r, o, version, id)
	case http.MethodPatch:
		in, e := decodeBody(r)
		if e == nil {
			e = s.write(o, id, func(rec *record) *apiError { return s.store.update(rec, in, s.now()) })
		}
		if e != nil {
			writeError(w, e)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case http.MethodDelete:
		if e := s.write(o, id, func(rec *record) *apiError { return s.store.remove(rec, s.now()) }); e != nil {
			writeError(w, e)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// write runs a change on one record of o under the store's write lock.
func (s *Server) write(o *object, id string, change func(*record) *apiError) *apiError {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	rec := s.store.byID[id]
	if rec == nil || rec.obj != o {
		return errNotFound()
	}
	return change(rec)
}

// read answers one record, with every field or those of ?fields=.
func (s *Server) read(w http.ResponseWriter, r *http.Request, o *object, version, id string) {
	fields := o.fields
	if list := r.URL.Query().Get("fields"); list != "" {
		fields = nil
		for name := range strings.SplitSeq(list, ",") {
			f := o.field(strings.TrimSpace(name))
			if f == nil {
				writeError(w, &apiError{status: http.StatusBadRequest, code: "INVALID_FIELD",
					message: fmt.Sprintf("No such column '%s' on sobject of type %s", strings.TrimSpace(name), o.name)})
				return
			}
			fields = append(fields, f)
		}
	}
	s.store.mu.RLock()
	rec := s.store.live(id)
	var body *jsonObject
	if rec != nil && rec.obj == o {
		body = newObject(len(fields) + 1)
		body.set("attributes", attributes(rec, version))
		for _, f := range fields {
			body.set(f.name, wire(f, rec.fields[f.name]))
		}
	}
	s.store.mu.RUnlock()
	if body == nil {
		writeError(w, errNotFound())
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// create answers POST …/sobjects/{Type}/.
func (s *Server) create(w http.ResponseWriter, r *http.Request, o *object, sess *session) {
	in, e := decodeBody(r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.store.mu.Lock()
	owner := ""
	if s.store.live(sess.userID) != nil {
		owner = sess.userID
	}
	rec, e := s.store.insert(o, in, apiWrite, s.now(), owner)
	s.store.mu.Unlock()
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusCreated, obj("id", rec.id, "success", true, "errors", []any{}))
}

// decodeBody reads a JSON object of field values. The attributes entry that
// records carry when read is accepted and ignored, as Salesforce does.
func decodeBody(r *http.Request) (map[string]any, *apiError) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return nil, &apiError{status: http.StatusBadRequest, code: "JSON_PARSER_ERROR", message: "Unable to read the request body"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &apiError{status: http.StatusBadRequest, code: "JSON_PARSER_ERROR",
			message: "Unexpected character in the request body: " + err.Error()}
	}
	in, ok := v.(map[string]any)
	if !ok {
		return nil, &apiError{status: http.StatusBadRequest, code: "JSON_PARSER_ERROR",
			message: "Cannot deserialize instance of the sObject from a JSON value that is not an object"}
	}
	for k := range in {
		if strings.EqualFold(k, "attributes") {
			delete(in, k)
		}
	}
	return in, nil
}
