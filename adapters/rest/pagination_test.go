package rest_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/atrium-dev/atrium/adapters"
)

// tableSettings is a settings block whose "items" facet reads path with the
// given extra keys (pagination, bounds).
func tableSettings(base, path, extra string) string {
	return fmt.Sprintf(`settings:
  base_url: %s
  facets:
    - name: account
      header: true
      path: /accounts/{id}
      fields: {name: .name}
    - name: items
      path: %s
      items: .items
%s      columns:
        - {title: N, value: .n, kind: number}
`, base, path, extra)
}

// fetchItems fetches the "items" facet and returns the n of each row.
func fetchItems(t *testing.T, a adapters.Adapter) ([]int, error) {
	t.Helper()
	f, err := a.Fetch(t.Context(), adapters.FetchRequest{ID: "42", Facet: "items"})
	if err != nil {
		return nil, err
	}
	var ns []int
	for _, r := range f.Tables[0].Rows {
		ns = append(ns, int(r.Cells[0].Number))
	}
	return ns, nil
}

// items writes records n from..to-1 and the extra top-level JSON.
func items(w http.ResponseWriter, from, to int, extra string) {
	w.Header().Set("Content-Type", "application/json")
	var recs []string
	for n := from; n < to; n++ {
		recs = append(recs, fmt.Sprintf(`{"n": %d}`, n))
	}
	fmt.Fprintf(w, `{"items": [%s]%s}`, strings.Join(recs, ","), extra)
}

func TestPaginationPage(t *testing.T) {
	const total = 23
	rs := startRecordServer(t, func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		size, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		from := (page - 1) * size
		items(w, from, min(from+size, total), "")
	})
	a := newAdapter(t, tableSettings(rs.URL, "/accounts/{id}/items?sort=n",
		"      pagination: {style: page, param: page, size_param: per_page, size: 10}\n"), nil, nil)
	ns, err := fetchItems(t, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != total || ns[0] != 0 || ns[total-1] != total-1 {
		t.Errorf("rows %v, want 0..%d", ns, total-1)
	}
	_, paths := rs.requests()
	want := []string{
		"/accounts/42/items?page=1&per_page=10&sort=n",
		"/accounts/42/items?page=2&per_page=10&sort=n",
		"/accounts/42/items?page=3&per_page=10&sort=n",
	}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Errorf("requests %v, want %v", paths, want)
	}
}

func TestPaginationCursor(t *testing.T) {
	rs := startRecordServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("after") {
		case "":
			items(w, 0, 5, `, "meta": {"next": "c5"}`)
		case "c5":
			items(w, 5, 10, `, "meta": {"next": "c10"}`)
		default:
			items(w, 10, 12, `, "meta": {"next": null}`)
		}
	})
	a := newAdapter(t, tableSettings(rs.URL, "/accounts/{id}/items",
		"      pagination: {style: cursor, next: .meta.next, param: after}\n"), nil, nil)
	ns, err := fetchItems(t, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 12 {
		t.Errorf("rows %v, want 12", ns)
	}
	if _, paths := rs.requests(); len(paths) != 3 || paths[2] != "/accounts/42/items?after=c10" {
		t.Errorf("requests %v, want 3 ending with ?after=c10", paths)
	}
}

func TestPaginationNextLink(t *testing.T) {
	var base string
	rs := startRecordServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("p") {
		case "":
			items(w, 0, 3, `, "next": "/accounts/42/items?p=2"`) // relative
		case "2":
			items(w, 3, 6, fmt.Sprintf(`, "next": %q`, base+"/accounts/42/items?p=3")) // absolute
		default:
			items(w, 6, 7, `, "next": null`)
		}
	})
	base = rs.URL
	a := newAdapter(t, tableSettings(rs.URL, "/accounts/{id}/items",
		"      pagination: {style: next_link, next: .next}\n"), nil, nil)
	ns, err := fetchItems(t, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 7 {
		t.Errorf("rows %v, want 7", ns)
	}
}

func TestPaginationStopsAtMaxPages(t *testing.T) {
	styles := map[string]string{
		"page":      "{style: page}",
		"cursor":    "{style: cursor, next: .cursor}",
		"next_link": "{style: next_link, next: .next}",
	}
	for name, style := range styles {
		t.Run(name, func(t *testing.T) {
			var served atomic.Int32
			rs := startRecordServer(t, func(w http.ResponseWriter, r *http.Request) {
				n := int(served.Add(1))
				items(w, n*10, n*10+2, fmt.Sprintf(`, "cursor": "c%d", "next": "/accounts/42/items?p=%d"`, n, n))
			})
			a := newAdapter(t, tableSettings(rs.URL, "/accounts/{id}/items",
				"      pagination: "+style+"\n      max_pages: 3\n"), nil, nil)
			ns, err := fetchItems(t, a)
			if err != nil {
				t.Fatal(err)
			}
			if got := served.Load(); got != 3 || len(ns) != 6 {
				t.Errorf("%d requests and %d rows for an endless list, want 3 and 6 (max_pages)", got, len(ns))
			}
		})
	}
}

func TestPaginationStopsAtMaxItems(t *testing.T) {
	var served atomic.Int32
	rs := startRecordServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := int(served.Add(1))
		items(w, n*10, n*10+4, fmt.Sprintf(`, "next": "/accounts/42/items?more=%d"`, n))
	})
	a := newAdapter(t, tableSettings(rs.URL, "/accounts/{id}/items",
		"      pagination: {style: next_link, next: .next}\n      max_items: 6\n"), nil, nil)
	ns, err := fetchItems(t, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 6 || served.Load() != 2 {
		t.Errorf("%d rows in %d requests, want 6 in 2 (max_items)", len(ns), served.Load())
	}
}

func TestPaginationRefusesNextLinkToAnotherHost(t *testing.T) {
	var other atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.Add(1)
		items(w, 100, 101, "")
	}))
	t.Cleanup(evil.Close)
	rs := startRecordServer(t, func(w http.ResponseWriter, r *http.Request) {
		items(w, 0, 2, fmt.Sprintf(`, "next": %q`, evil.URL+"/steal?page=2"))
	})
	a := newAdapter(t, tableSettings(rs.URL, "/accounts/{id}/items",
		"      pagination: {style: next_link, next: .next}\n"), nil, nil)
	ns, err := fetchItems(t, a)
	if !errors.Is(err, adapters.ErrBadResponse) || !strings.Contains(err.Error(), "next link leads to another host") {
		t.Errorf("fetch = %v, %v; want ErrBadResponse naming the next link", ns, err)
	}
	if n := other.Load(); n != 0 {
		t.Errorf("the other host got %d requests, want none", n)
	}
}
