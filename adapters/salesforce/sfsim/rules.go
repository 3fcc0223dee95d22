package sfsim

import (
	"net/http"
	"strings"
	"time"
)

// Picklist values whose choice drives other fields.
const (
	caseStatusClosed    = "Closed"
	taskStatusCompleted = "Completed"
)

// stage is one value of the standard Opportunity stage picklist.
type stage struct {
	probability float64
	closed, won bool
	known       bool
}

// stageOf returns the standard meaning of an opportunity stage.
func stageOf(name string) stage {
	switch name {
	case "Prospecting":
		return stage{10, false, false, true}
	case "Qualification":
		return stage{10, false, false, true}
	case "Needs Analysis":
		return stage{20, false, false, true}
	case "Value Proposition":
		return stage{50, false, false, true}
	case "Id. Decision Makers":
		return stage{60, false, false, true}
	case "Perception Analysis":
		return stage{70, false, false, true}
	case "Proposal/Price Quote":
		return stage{75, false, false, true}
	case "Negotiation/Review":
		return stage{90, false, false, true}
	case "Closed Won":
		return stage{100, true, true, true}
	case "Closed Lost":
		return stage{0, true, false, true}
	}
	return stage{}
}

// validCaseStatus reports whether s is a value of the Case status picklist.
func validCaseStatus(s string) bool {
	switch s {
	case "New", "Working", "Escalated", "On Hold", caseStatusClosed:
		return true
	}
	return false
}

// applyDefaults sets the picklist defaults of a new record.
func applyDefaults(r *record) {
	def := func(name string, v any) {
		if r.fields[name] == nil {
			r.fields[name] = v
		}
	}
	switch r.obj.name {
	case "Case":
		def("Status", "New")
		def("Priority", "Medium")
	case "Task":
		def("Status", "Not Started")
		def("Priority", "Normal")
	case "User":
		def("IsActive", true)
	}
}

// derive recomputes the fields Salesforce maintains itself after a write; in is
// what the write gave, so that an explicit value wins over a derived default.
func derive(r *record, in map[string]any, now time.Time, create bool) *apiError {
	given := func(name string) bool {
		for k := range in {
			if strings.EqualFold(k, name) {
				return true
			}
		}
		return false
	}
	f := r.fields
	switch r.obj.name {
	case "Contact", "User":
		first, _ := f["FirstName"].(string)
		last, _ := f["LastName"].(string)
		f["Name"] = strings.TrimSpace(first + " " + last)
	case "Opportunity":
		name, _ := f["StageName"].(string)
		st := stageOf(name)
		if !st.known {
			return &apiError{status: http.StatusBadRequest, code: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
				message: "Stage: bad value for restricted picklist field: " + name, fields: []string{"StageName"}}
		}
		f["IsClosed"], f["IsWon"] = st.closed, st.won
		// A new stage brings its default probability unless the write sets one.
		if (create || given("StageName")) && !given("Probability") {
			f["Probability"] = st.probability
		}
	case "Case":
		status, _ := f["Status"].(string)
		if !validCaseStatus(status) {
			return &apiError{status: http.StatusBadRequest, code: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
				message: "Status: bad value for restricted picklist field: " + status, fields: []string{"Status"}}
		}
		closed := status == caseStatusClosed
		f["IsClosed"] = closed
		switch {
		case !closed:
			f["ClosedDate"] = nil
		case f["ClosedDate"] == nil:
			f["ClosedDate"] = now.UTC().Truncate(time.Millisecond)
		}
	case "Task":
		f["IsClosed"] = f["Status"] == taskStatusCompleted
	}
	return nil
}
