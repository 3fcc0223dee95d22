// Package components holds Atrium's templ components: the layout, pages, panels
// and widgets. Components take the view models defined here and nothing else: no
// services, no adapter records.
package components

import (
	"iter"
	"strings"
	"unicode"
)

// Assets are the content-hashed URLs of the static files a page links.
type Assets struct {
	Icon string
	CSS  string
	HTMX string
	App  string
	// CanvasHost is loaded beside each signed tool's frame only.
	CanvasHost string
}

// Layout is what every signed-in page's frame shows.
type Layout struct {
	Title     string
	Assets    Assets
	User      *User // nil on pages shown without a session
	CSRFToken string
	Query     string // the search box's value
	RequestID string
}

// User is the signed-in user in the header.
type User struct {
	Name   string
	Email  string
	Groups []string
}

// SearchPage is the customer search page.
type SearchPage struct {
	Layout  Layout
	Results SearchResults
}

// SearchResults is the result list, also served alone as an htmx fragment.
type SearchResults struct {
	Query    string
	Searched bool
	// Sources names the systems searched, e.g. "Salesforce, Billing and ERP".
	Sources string
	Hits    []SearchHit
	// More, when set, says that there were more customers than shown.
	More string
	// Missing says which systems did not answer.
	Missing []Problem
	Problem *Problem
}

// SearchHit is one customer found, possibly in several systems.
type SearchHit struct {
	Name      string
	Href      string // the customer page in Atrium; empty when it has none
	Industry  string
	City      string
	Owner     string
	MatchedBy string // "name", "website", "email", "id"
	Found     []Link // the systems it was found in, each linking to its record
	// Note says why a hit found only outside the primary system opens the
	// record alone, not a customer.
	Note string
}

// Problem is an error or empty state: what happened, and what to do.
type Problem struct {
	Message string
	Hint    string
	Retry   string // a URL that retries, if retrying may help
	// RetryFragment, when set, is fetched with htmx to replace the enclosing
	// panel in place; Retry stays the link for browsers without script.
	RetryFragment string
	// Items lists records the problem is about, e.g. the candidates of a
	// conflict.
	Items []Link
	// Muted marks a state that is no failure (a source with no record of the
	// customer), shown quietly.
	Muted bool
}

// CustomerPage is the unified view of one customer. The page is streamed: the
// layout, header and a placeholder per slot go out first, then each panel as
// its source answers.
type CustomerPage struct {
	Layout Layout
	// Back leads to the search results the customer was opened from.
	Back   *Link
	Header CustomerHeader
	Slots  []Slot
	Panels iter.Seq[Panel]
	// HeaderFragment and SlotsFragment, when set, keep the rendered header
	// and placeholders, or already hold them: then of Header only Name is
	// set, and Slots is empty (see Kept).
	HeaderFragment, SlotsFragment Fragment
}

// Slot is where a panel will appear, shown as a placeholder until it does.
type Slot struct {
	ID     string
	Title  string
	Source string
}

// CustomerHeader is the customer's name and key facts.
type CustomerHeader struct {
	Name        string
	Subtitle    string // e.g. "Technology · Customer - Direct"
	Facts       []Fact
	ExternalURL string
	ExternalFor string // "Open in Salesforce"
	Source      Source
	Problem     *Problem
	// Pin pins the customer to the user's start page; nil when unknown.
	Pin *PinControl
}

// PinControl is the button that pins a customer to the user's start page,
// or unpins it.
type PinControl struct {
	Action    string
	CSRFToken string
	Name      string // the customer's name, as the start page will list it
	Pinned    bool
	// Problem says why the last press changed nothing.
	Problem string
}

// LandingPage is the start page: the search, then the customers the user
// pinned and those they opened last.
type LandingPage struct {
	Layout  Layout
	Results SearchResults
	Pinned  []VisitItem
	Recent  []VisitItem // opened lately and not pinned, last opened first
	// Problem says that the lists could not be read.
	Problem *Problem
}

// VisitItem is one customer on the start page.
type VisitItem struct {
	Name   string
	Href   string
	Opened string // "opened 2 min ago"
	When   string // RFC 3339
}

// Fact is one labelled value in the header.
type Fact struct {
	Label string
	Value string
	Href  string
}

// Source is a panel's provenance badge: which system, fetched when.
type Source struct {
	Title      string
	FetchedAgo string // "just now", "2 min ago"
	FetchedAt  string // RFC 3339, for <time datetime>
	Exact      string // human exact time, for the tooltip
	// Stale marks data served from cache past its freshness.
	Stale bool
	// Provenance says how the source's record was linked to the customer,
	// e.g. "linked by domain = acme.com"; empty for the customer's own record.
	Provenance string
}

// Panel is one card of the customer page.
type Panel struct {
	ID string
	// Slot names the placeholder the panel fills; empty outside a streamed page.
	Slot    string
	Title   string
	Source  Source
	Count   string // "12" or "2,300"
	Summary []Metric
	Table   *Table
	Empty   string // shown when the table has no rows
	// Wide marks a panel whose table needs the page's width: on a wide
	// screen it spans both columns of panels.
	Wide    bool
	Problem *Problem
	// Timeline is set on the merged activity panel instead of a table.
	Timeline *Timeline
	// Overview is set on the across-systems panel.
	Overview *Overview
	// Links holds an admin's controls over the panel's identity link; nil for
	// everyone else.
	Links *LinkControls
	// Frame is set on a legacy tool's panel.
	Frame *Frame
	// Refresh, when set, is fetched once RefreshDelay ("5s") after the panel
	// is shown, to replace it: a stale panel comes back once its source's
	// background refresh has had time to finish.
	Refresh      string
	RefreshDelay string
	// Fragment, when set, keeps the panel's rendered bytes, or already holds
	// them: then nothing but it and Links is set (see StreamedPanel).
	Fragment Fragment
}

// Frame is an embedded legacy tool.
type Frame struct {
	Name    string // the frame's name, the target of a signed request's form
	Src     string // empty for a signed tool, whose form opens it
	Title   string
	Sandbox string
	Height  int
	// Signed is the form that posts a signed request into the frame.
	Signed *SignedForm
}

// SignedForm posts a Canvas-style signed request into a frame.
type SignedForm struct {
	Action string
	Value  string
	// Host is the URL of the script that posts the form and answers the
	// tool's Canvas SDK (Assets.CanvasHost).
	Host string
}

// LinkControls let an admin confirm, split or add the link of a linked
// system's record to the customer.
type LinkControls struct {
	Action     string // the URL decisions are posted to
	CSRFToken  string
	Source     string
	SourceName string // e.g. "Billing"
	Record     string // the linked record, when there is one
	Confirm    bool
	// Split, when set, is the page asking the admin to confirm that Record
	// is not this customer (htmx fetches it in place of the button).
	Split      string
	Add        bool
	Candidates []Candidate
	// Undo lists the records split off by hand, each with a button that
	// takes the split back.
	Undo []Candidate
}

// LinkConfirm asks an admin to confirm a link decision before it is posted:
// a page of its own, or for htmx the question alone in place of its button.
type LinkConfirm struct {
	Layout    Layout
	Back      Link
	Question  string // "Split Billing record cus_7 (Globex Billing) from Globex Corporation?"
	Explain   string
	Action    string // where the decision is posted
	CSRFToken string
	Source    string
	Record    string
	Decision  string
	Submit    string // the confirming button's label
	// Cancel leads back to the customer page; CancelFragment, for htmx,
	// answers the button the question replaced.
	Cancel         string
	CancelFragment string
}

// Candidate is a record an admin may link.
type Candidate struct {
	ID    string
	Label string
}

// Overview is what all systems say together about the customer.
type Overview struct {
	Metrics []SourcedValue
	Facts   []SourcedValue
	Chart   *BarChart
	Empty   string
}

// SourcedValue is a labelled value and the system it came from.
type SourcedValue struct {
	Label  string
	Value  string
	Source string
}

// BarChart is a small server-rendered SVG bar chart, with its data as a table
// for screen readers. The bars are drawn in Width x Height user units,
// stretched to the chart's width; the value axis beside them is drawn at its
// real size, so its labels stay legible on a phone and on a wide screen.
type BarChart struct {
	Title  string
	Width  int
	Height int
	Bars   []Bar
	// Ticks are the value axis: labelled grid lines from zero up.
	Ticks []Tick
}

// Bar is one bar, positioned in the chart's coordinates.
type Bar struct {
	Label string // "Nov"
	Value string // "$1,200"
	X, Y  int
	W, H  int
}

// Tick is one value of the chart's axis and the height of its grid line.
type Tick struct {
	Label string // "1.5k"
	Y     int
}

// Timeline is one page of merged activity with its filters.
type Timeline struct {
	Items   []TimelineItem
	Sources []Filter // "All systems", then one per system
	Kinds   []Filter // "All kinds", then one per kind of record
	Prev    string   // fragment URL of newer events; empty on the first page
	Next    string   // fragment URL of older events; empty on the last page
	Showing string   // e.g. "26–50 of 132"
	Note    string   // e.g. "Billing did not answer: its events are missing."
}

// TimelineItem is one event.
type TimelineItem struct {
	When    string // "3 Nov 2026"
	WhenISO string
	Source  string
	Kind    string
	Title   string
	URL     string
	Status  string
	Badge   string
	// Priority is set instead of Status for an event that says how urgent
	// it is (a case opened with high priority), with its level's modifier.
	Priority      string
	PriorityLevel string
	Amount        string
}

// Filter is one choice of a filter bar; Href loads the panel filtered.
type Filter struct {
	Label  string
	Href   string
	Active bool
}

// Metric is a labelled figure in a panel's summary.
type Metric struct {
	Label string
	Value string
}

// Table is a sortable table of records. A long one shows its first rows and
// loads the rest on demand.
type Table struct {
	// ID names the table's parts (its rows, note and controls) for htmx to
	// aim at: the panel's ID.
	ID      string
	Caption string
	Columns []Column
	Rows    []Row
	Note    string // e.g. "Showing 50 of 2,300."
	// Shown is how many rows the page holds once Rows are in it; sorting on
	// the server answers as many.
	Shown int
	// More answers the next rows: appended to the table for htmx, as a page
	// showing them too for a browser without script. Empty when every row
	// Atrium holds is shown.
	More      string
	MoreLabel string // "Load 50 more"
	// Export downloads every row as CSV.
	Export string
}

// Column is a table column.
type Column struct {
	Title   string
	Numeric bool
	// SortURL, when set, answers the table sorted by this column: the page
	// holds only some rows, and the browser can sort only those.
	SortURL string
	// Sorted is "ascending" or "descending" on the column the server sorted
	// the rows by.
	Sorted string
}

// Row is one record.
type Row struct {
	Cells    []Cell
	Emphasis bool
}

// Cell is one value. Sort is the machine-sortable form of the value.
type Cell struct {
	Text  string
	Href  string
	Sort  string
	Title string
	// Badge is set on a status: a CSS modifier for its tone, "ok", "warn",
	// "bad", "muted" or "neutral".
	Badge string
	// Priority is set on a priority: the CSS modifier of its level, "low",
	// "medium", "high" or "urgent".
	Priority string
	// NoWrap keeps short structured values (dates, phones, amounts) on one line.
	NoWrap bool
	// Class is the cell's CSS class, derived from its column and NoWrap by
	// components.CellClasses.
	Class string
}

// CellClasses sets each cell's class from its column (numbers align right) and
// NoWrap, once, so that rendering a large table builds no class strings. A
// value of one short word (an id, a code, an address) never wraps either: a
// line break would make "SH-500007" read as two values.
func CellClasses(t *Table) {
	for r := range t.Rows {
		for i := range t.Rows[r].Cells {
			c := &t.Rows[r].Cells[i]
			numeric := i < len(t.Columns) && t.Columns[i].Numeric
			nowrap := c.NoWrap || oneWord(c.Text)
			switch {
			case numeric && nowrap:
				c.Class = "num nowrap"
			case numeric:
				c.Class = "num"
			case nowrap:
				c.Class = "nowrap"
			}
		}
	}
}

// oneWord reports whether s is a single word short enough to keep on a line.
func oneWord(s string) bool {
	return s != "" && len(s) <= 48 && !strings.ContainsFunc(s, unicode.IsSpace)
}

// ErrorPage explains a failed request.
type ErrorPage struct {
	Layout  Layout
	Status  int
	Heading string
	Message string
	Hint    string
	Action  *Link
}

// Link is a labelled URL.
type Link struct {
	Label string
	Href  string
}

// PanelPage is one panel opened at its own address (a reload, a new tab, a
// shared link): the panel in the page's frame, under a way back to its
// customer. htmx gets the panel alone.
type PanelPage struct {
	Layout Layout
	Back   Link
	Panel  Panel
}
