package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
	"github.com/atrium-dev/atrium/internal/testenv"
)

// layoutWidths are the viewport widths the pages must fit: a phone, a small
// laptop or tablet in landscape, and a desktop.
var layoutWidths = []int64{390, 1024, 1440}

// TestLayout runs `atrium demo` and, at each width of layoutWidths, checks
// the search results, the richest customer's page and its timeline: nothing
// overflows the viewport or its panel (tables scroll inside their panel), no
// column header is clipped, no id or code is broken over lines, and the
// timeline's titles line up. It then drives the pages with the keyboard.
func TestLayout(t *testing.T) {
	portal := fmt.Sprintf("http://127.0.0.1:%d", testenv.FreePort(t))
	runAtrium(t, portal, "demo", "--addr", portal[len("http://"):], "--log-level", "warn")
	b := testenv.NewBrowser(t)
	b.Navigate(portal + "/")
	b.WaitVisible("#username")
	b.SendKeys("#username", "carol")
	b.SendKeys("#password", "demo-carol")
	b.Click("#submit")
	b.WaitVisible("#q")

	customerPage := portal + "/customers/" + sfsim.DemoAccountAcme
	for _, w := range layoutWidths {
		t.Run(fmt.Sprintf("%dpx", w), func(t *testing.T) {
			b := b.ForTest(t)
			setViewport(t, b, w)
			// look checks the page, saves its picture and runs axe on it.
			look := func(page string, shot func(string) string) {
				t.Helper()
				where := fmt.Sprintf("%s at %d px", page, w)
				checkLayout(t, b, w, where)
				noConsoleErrors(t, b, where)
				name := fmt.Sprintf("layout-%d-%s", w, page)
				shot(name)
				b.CheckAccessibility(t, name)
				b.ClearConsoleErrors() // axe's own probing may log
			}

			b.Navigate(portal + "/search?q=a")
			b.WaitVisible("#result-table a.result")
			look("search", b.Screenshot)

			b.Navigate(customerPage)
			waitPanels(t, b)
			timelineAligned(t, b, fmt.Sprintf("timeline at %d px", w))
			look("customer", b.Screenshot)

			// The timeline filtered to one system, as htmx swaps it in.
			b.Click(`#panel-all-timeline .filter-bar a[href*="source=billing"]`)
			b.WaitVisible(`#panel-all-timeline .filter-bar a.active[href*="source=billing"]`)
			timelineAligned(t, b, fmt.Sprintf("filtered timeline at %d px", w))
			var scrolled bool
			b.Eval(`(document.querySelector("#panel-all-timeline").scrollIntoView({block: "start"}), true)`, &scrolled)
			look("timeline", b.ViewportScreenshot)
		})
	}
	t.Run("keyboard", func(t *testing.T) {
		keyboard(t, b.ForTest(t), portal)
	})
	t.Run("sorting", func(t *testing.T) {
		sorting(t, b.ForTest(t), customerPage)
	})
}

// focused describes the element that has the focus.
func focused(t *testing.T, b *testenv.Browser) string {
	t.Helper()
	var s string
	b.Eval(`(() => { const e = document.activeElement; if (!e) return "";
		const sec = e.closest("section[id]"); return (sec ? "#" + sec.id + " " : "") + e.tagName.toLowerCase() +
		(e.id ? "#" + e.id : "") + " «" + e.textContent.trim().slice(0, 50) + "»" +
		(e.getAttribute("href") ? " " + e.getAttribute("href") : ""); })()`, &s)
	return s
}

// keyboard drives the search results and a customer page without a mouse.
func keyboard(t *testing.T, b *testenv.Browser, portal string) {
	setViewport(t, b, 1440)
	b.Navigate(portal + "/search?q=a")
	b.WaitVisible("#result-table a.result")
	var names []string
	b.Eval(`[...document.querySelectorAll("#result-table tbody tr")].slice(0, 2).map(r => r.querySelector("a.result")?.textContent.trim() || "")`, &names)
	if len(names) < 2 || names[0] == "" || names[1] == "" {
		t.Fatalf("the first two results are not both customers of Atrium: %q", names)
	}
	// From the search box, the arrows walk the results and come back.
	b.Click("#q")
	b.PressKeys(kb.ArrowDown)
	if got := focused(t, b); !strings.Contains(got, "«"+names[0]+"»") {
		t.Fatalf("ArrowDown in the search box focused %s, want the first result %q", got, names[0])
	}
	b.PressKeys(kb.ArrowDown)
	if got := focused(t, b); !strings.Contains(got, "«"+names[1]+"»") {
		t.Fatalf("ArrowDown on the first result focused %s, want the second %q", got, names[1])
	}
	b.PressKeys(kb.ArrowUp + kb.ArrowUp)
	if got := focused(t, b); !strings.Contains(got, "input#q") {
		t.Fatalf("ArrowUp from the first result focused %s, want the search box", got)
	}
	// Enter opens the result the arrows reached.
	b.PressKeys(kb.ArrowDown + kb.ArrowDown + kb.Enter)
	poll(t, b, "a customer page after Enter", `document.readyState === "complete" && !!document.getElementById("customer-name")`)
	var opened string
	b.Eval(`document.getElementById("customer-name").textContent.trim()`, &opened)
	if opened != names[1] {
		t.Fatalf("Enter on the second result opened %q, want %q", opened, names[1])
	}

	// A long table is one tab stop: Tab leaves it from its first row.
	b.Navigate(portal + "/customers/" + sfsim.DemoAccountManyContacts)
	waitPanels(t, b)
	var rows, stops int
	b.Eval(`document.querySelectorAll("#panel-salesforce-contacts tbody tr").length`, &rows)
	b.Eval(`[...document.querySelectorAll("#panel-salesforce-contacts tbody a[href]")].filter(a => a.tabIndex >= 0).length`, &stops)
	if rows < 50 || stops != 1 {
		t.Errorf("the contacts table of %d rows has %d tab stops in its rows, want 1", rows, stops)
	}
	var ok bool
	b.Eval(`(document.querySelector("#panel-salesforce-contacts tbody a[href]").focus(), true)`, &ok)
	start := focused(t, b)
	b.PressKeys(kb.ArrowDown)
	second := focused(t, b)
	b.PressKeys(kb.ArrowRight)
	right := focused(t, b)
	b.PressKeys(kb.ArrowLeft + kb.ArrowUp)
	if back := focused(t, b); back != start || second == start || right == second ||
		!strings.Contains(second, "#panel-salesforce-contacts a") || !strings.Contains(right, "#panel-salesforce-contacts a") {
		t.Errorf("arrows in the contacts table: %s, down %s, right %s, left and up %s", start, second, right, back)
	}
	b.PressKeys(kb.Tab)
	var inRows bool
	b.Eval(`!!document.activeElement?.closest("#panel-salesforce-contacts tbody")`, &inRows)
	if got := focused(t, b); inRows {
		t.Errorf("Tab from the contacts table's first row stayed in its rows: %s", got)
	}

	// "]" and "[" jump from panel to panel.
	b.Click("#customer-name")
	var panels []string
	b.Eval(`[...document.querySelectorAll("section.panel")].slice(0, 2).map(p => p.id)`, &panels)
	b.PressKeys("]")
	first := focused(t, b)
	b.PressKeys("]")
	next := focused(t, b)
	b.PressKeys("[")
	back := focused(t, b)
	if len(panels) < 2 || !strings.HasPrefix(first, "#"+panels[0]+" section") || !strings.HasPrefix(next, "#"+panels[1]+" section") || back != first {
		t.Errorf(`"]", "]", "[" focused %s, %s, %s; want the panels %q, then the first again`, first, next, back, panels)
	}
	var help string
	b.Eval(`document.getElementById("keyboard-help")?.textContent || ""`, &help)
	if !strings.Contains(help, "[") || !strings.Contains(help, "]") {
		t.Errorf("the keyboard help does not name the panel keys: %q", help)
	}
	noConsoleErrors(t, b, "keyboard walk")
}

// sorting checks that every sortable header says so and that the cases sort
// by priority's meaning, not its spelling.
func sorting(t *testing.T, b *testenv.Browser, customerPage string) {
	b.Navigate(customerPage)
	waitPanels(t, b)
	var unmarked []string
	b.Eval(`[...document.querySelectorAll("table.sortable th button.sort")].filter(btn =>
		!/[↕▲▼]/.test(getComputedStyle(btn, "::after").content)).map(btn => btn.textContent.trim())`, &unmarked)
	if len(unmarked) > 0 {
		t.Errorf("sortable headers without a sort mark: %q", unmarked)
	}
	order := func() []string {
		var got []string
		b.Eval(`[...document.querySelectorAll("#panel-salesforce-cases tbody tr")].map(r => r.cells[2].textContent.trim())`, &got)
		return got
	}
	rank := map[string]int{"Low": 1, "Medium": 2, "High": 3}
	sorted := func(got []string, desc bool) bool {
		for i := 1; i < len(got); i++ {
			a, c := rank[got[i-1]], rank[got[i]]
			if a == 0 || c == 0 || (!desc && a > c) || (desc && a < c) {
				return false
			}
		}
		return len(got) > 2
	}
	sel := `#panel-salesforce-cases th:nth-child(3) button.sort`
	b.Click(sel)
	if got := order(); !sorted(got, false) {
		t.Errorf("cases sorted up by priority: %q, want Low, Medium, High", got)
	}
	b.Click(sel)
	if got := order(); !sorted(got, true) {
		t.Errorf("cases sorted down by priority: %q, want High, Medium, Low", got)
	}
	var state string
	b.Eval(`document.querySelector("#panel-salesforce-cases th:nth-child(3)").getAttribute("aria-sort") || ""`, &state)
	if state != "descending" {
		t.Errorf("the sorted header says aria-sort=%q, want descending", state)
	}
}

// setViewport makes the tab's viewport w pixels wide (and 900 high), as a
// window or a phone of that width would.
func setViewport(t *testing.T, b *testenv.Browser, w int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), testenv.DefaultStepTimeout)
	defer cancel()
	var opts []chromedp.EmulateViewportOption
	if w < 600 {
		opts = append(opts, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 900, opts...)); err != nil {
		t.Fatalf("set the viewport to %d px: %v", w, err)
	}
}

// poll waits until the JavaScript expression is truthy, within the step
// timeout, and fails the test with what otherwise. A navigation ends the
// browser's wait; it is then asked again in the new document.
func poll(t *testing.T, b *testenv.Browser, what, expr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), testenv.DefaultStepTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond)))
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, err)
		case <-tick.C:
		}
	}
}

// waitPanels waits until the streamed customer page is complete: every slot
// of the panel grid holds its panel, and the timeline and chart are drawn.
func waitPanels(t *testing.T, b *testenv.Browser) {
	t.Helper()
	poll(t, b, "every panel of the customer page", `(() => {
		const root = document.querySelector(".panels-host")?.shadowRoot;
		if (!root || document.readyState !== "complete") return false;
		const slots = [...root.querySelectorAll("slot")];
		return slots.length > 0 && slots.every(s => s.assignedElements().length > 0) &&
			!!document.querySelector("#panel-all-timeline ol.timeline li") &&
			!!document.querySelector("#panel-all-summary .chart svg");
	})()`)
}

// layoutScript lists what does not fit on the page: the page wider than the
// viewport, an element beyond the viewport or beyond its panel (outside a
// scroll container, which may hold more than it shows), content clipped by
// an element that hides its overflow, a column header whose text is cut, and
// a single-word value (an id, a code, an amount) broken over lines; and from
// 1024 px up, a table with columns out of view.
//
// It is a function of the viewport's width: a phone's browser widens its
// window to a page that is too wide, so window.innerWidth alone cannot tell.
const layoutScript = `(vw) => {
	const out = [];
	const root = document.documentElement;
	if (root.scrollWidth > vw || window.innerWidth > vw)
		out.push("the page is " + root.scrollWidth + " px wide in a " + vw + " px viewport (window " + window.innerWidth + " px)");
	const name = el => {
		let s = el.tagName.toLowerCase();
		if (el.id) s += "#" + el.id;
		else if (typeof el.className === "string" && el.className.trim()) s += "." + el.className.trim().split(/\s+/).join(".");
		const host = el.parentElement?.closest("[id]");
		if (host && !el.id) s = "#" + host.id + " " + s;
		const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40);
		return text ? s + " «" + text + "»" : s;
	};
	const hidden = el => el.closest(".visually-hidden, [hidden]");
	const overflowX = el => getComputedStyle(el).overflowX;
	const scroller = el => /auto|scroll/.test(overflowX(el));
	for (const el of document.body.querySelectorAll("*")) {
		if (hidden(el)) continue;
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.height === 0) continue;
		const o = overflowX(el);
		// (A text field scrolls its own text.)
		if ((o === "hidden" || o === "clip") && el.scrollWidth > el.clientWidth + 1 && !el.matches("iframe, input, textarea, select"))
			out.push(name(el) + " clips its content: " + el.scrollWidth + " px in " + el.clientWidth + " px");
		// The nearest box that bounds el: a scroll container or a panel.
		let bound = null;
		for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
			if (scroller(p) || p.matches(".panel, .customer-head")) { bound = p; break; }
		}
		if (bound && scroller(bound)) continue;
		if (bound) {
			const pr = bound.getBoundingClientRect();
			if (r.right > pr.right + 1 || r.left < pr.left - 1)
				out.push(name(el) + " (" + Math.round(r.left) + "–" + Math.round(r.right) + ") sticks out of " + name(bound).slice(0, 60) + " (" + Math.round(pr.left) + "–" + Math.round(pr.right) + ")");
		}
		if (r.right > vw + 1 || r.left < -1)
			out.push(name(el) + " (" + Math.round(r.left) + "–" + Math.round(r.right) + ") is beyond the " + vw + " px viewport");
	}
	// From a small laptop up, every column is in view: a table scrolls
	// sideways only on a phone.
	if (vw >= 1024) for (const wrap of document.querySelectorAll(".table-wrap")) {
		if (wrap.scrollWidth > wrap.clientWidth + 1)
			out.push(name(wrap.closest("section") || wrap).slice(0, 60) + " has columns out of view: " + wrap.scrollWidth + " px in " + wrap.clientWidth + " px");
	}
	for (const th of document.querySelectorAll("th")) {
		if (hidden(th)) continue;
		for (const el of [th, ...th.querySelectorAll("*")]) {
			if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
				out.push("header " + name(el) + " is clipped: " + el.scrollWidth + " px in " + el.clientWidth + " px");
				break;
			}
		}
	}
	// The lines el's text takes: line boxes of its text nodes, each at least
	// half a line below the one before.
	const lines = el => {
		const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
		const range = document.createRange();
		let n = 0, last = -Infinity;
		for (let t = walk.nextNode(); t; t = walk.nextNode()) {
			range.selectNodeContents(t);
			for (const r of range.getClientRects()) {
				if (r.width === 0) continue;
				if (r.top > last + r.height / 2) { n++; last = r.top; }
			}
		}
		return n;
	};
	for (const cell of document.querySelectorAll("td, th, .timeline time, .timeline .amount, .badge, .source-name")) {
		if (hidden(cell)) continue;
		const text = cell.textContent.trim();
		if (text && !/\s/.test(text) && lines(cell) > 1) out.push(name(cell) + " is broken over lines");
	}
	return out;
}`

// checkLayout fails t with everything layoutScript finds on the page, in a
// viewport w pixels wide.
func checkLayout(t *testing.T, b *testenv.Browser, w int64, where string) {
	t.Helper()
	var problems []string
	b.Eval(fmt.Sprintf("(%s)(%d)", layoutScript, w), &problems)
	if len(problems) > 20 {
		problems = append(problems[:20], fmt.Sprintf("… and %d more", len(problems)-20))
	}
	if len(problems) > 0 {
		t.Errorf("%s does not fit:\n  %s", where, strings.Join(problems, "\n  "))
	}
}

// timelineAligned fails t when the timeline's titles do not start at one
// position, whatever the width of the dates, systems and kinds before them.
func timelineAligned(t *testing.T, b *testenv.Browser, where string) {
	t.Helper()
	var starts []int
	b.Eval(`[...new Set([...document.querySelectorAll("#panel-all-timeline ol.timeline li .what")].map(e => Math.round(e.getBoundingClientRect().left)))]`, &starts)
	if len(starts) != 1 {
		t.Errorf("%s: the titles start at %d different positions %v, want one", where, len(starts), starts)
	}
}
