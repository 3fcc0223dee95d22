package sfsim

import (
	"net/http"
	"strconv"
)

// LatestVersion is the newest API version the server lists; it answers any
// vNN.N path.
const LatestVersion = "62.0"

// versions answers the versions root, which needs no session and, unlike every
// other REST answer, carries no Sforce-Limit-Info.
func (s *Server) versions(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, errMethod(r.Method, "GET,HEAD"))
		return
	}
	releases := []string{"Summer '22", "Winter '23", "Spring '23", "Summer '23", "Winter '24", "Spring '24", "Summer '24", "Winter '25"}
	list := make([]*jsonObject, 0, len(releases))
	for i, label := range releases {
		v := strconv.Itoa(55+i) + ".0"
		list = append(list, obj("label", label, "url", "/services/data/v"+v, "version", v))
	}
	writeJSON(w, http.StatusOK, list)
}

// resources answers the root of a version with the resources it offers.
func (s *Server) resources(w http.ResponseWriter, r *http.Request, version string) {
	if r.Method != http.MethodGet {
		writeError(w, errMethod(r.Method, "GET,HEAD"))
		return
	}
	base := "/services/data/v" + version + "/"
	writeJSON(w, http.StatusOK, obj(
		"limits", base+"limits",
		"query", base+"query",
		"queryAll", base+"queryAll",
		"sobjects", base+"sobjects",
	))
}

// limits answers the org's limits; only the daily API allocation is simulated.
func (s *Server) limits(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, errMethod(r.Method, "GET,HEAD"))
		return
	}
	used, limit := s.usage.get()
	writeJSON(w, http.StatusOK, obj(
		"DailyApiRequests", obj("Max", limit, "Remaining", max(limit-used, 0)),
	))
}
