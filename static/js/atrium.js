// Atrium's script on every page: the "/" shortcut and sortable tables. A
// signed tool's frame is opened by canvas-host.js, loaded beside it.
(function () {
  "use strict";

  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var q = document.getElementById("q");
    if (!q) return;
    e.preventDefault();
    q.focus();
    q.select();
  });

  // A cell's value to sort by: its data-sort, else its text; "" when it
  // shows no value ("—").
  function cellValue(row, i) {
    var c = row.cells[i];
    if (!c) return "";
    if (c.hasAttribute("data-sort")) return c.getAttribute("data-sort");
    var t = c.textContent.trim();
    return t === "—" ? "" : t;
  }

  var NUMBER = /^-?\d+(\.\d+)?$/;

  // Cells carry a machine-sortable data-sort value: ISO dates, plain numbers
  // for amounts, the rank of a priority or of a status in a record's life.
  function compare(a, b) {
    if (NUMBER.test(a) && NUMBER.test(b)) return parseFloat(a) - parseFloat(b);
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  document.addEventListener("click", function (e) {
    var btn = e.target.closest("table.sortable button.sort");
    // A table whose page holds only some of its rows is sorted by the
    // server (htmx): sorting the rows present would mislead.
    if (!btn || btn.hasAttribute("hx-get")) return;
    var th = btn.closest("th");
    var table = th.closest("table");
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var asc = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(th.parentNode.children, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var body = table.tBodies[0];
    // Read each row's value once, not once per comparison.
    var keyed = Array.prototype.map.call(body.rows, function (r) { return { row: r, value: cellValue(r, index) }; });
    keyed.sort(function (a, b) {
      // Rows without a value come last whichever the direction.
      if (a.value === "" || b.value === "") return (a.value === "") - (b.value === "");
      var d = compare(a.value, b.value);
      return asc ? d : -d;
    });
    var sorted = document.createDocumentFragment();
    keyed.forEach(function (k) { sorted.appendChild(k.row); });
    body.appendChild(sorted);
  });

  // Keyboard in tables. The links in a table's rows are one tab stop (a
  // roving tabindex): Tab passes a table of thousands of rows at once, the
  // arrows move between rows and within a row, Home and End go to the first
  // and last row. A table without links is scrolled by the arrows, as the
  // browser does for the focused sort button inside its wrapper.
  var ITEM = "a[href]";

  function rove(root) {
    Array.prototype.forEach.call(root.querySelectorAll("table.data"), function (table) {
      if (!table.tBodies[0]) return;
      var items = table.tBodies[0].querySelectorAll(ITEM);
      Array.prototype.forEach.call(items, function (a) { a.tabIndex = -1; });
      if (items.length) items[0].tabIndex = 0;
    });
  }
  rove(document);
  // Search results, a retried panel, a page of the timeline and a sorted
  // table arrive later; so do the rows "Load more" appends, which join their
  // table's one tab stop.
  document.addEventListener("htmx:load", function (e) {
    var t = e.target;
    if (t.matches && t.matches("table.data tbody tr")) {
      Array.prototype.forEach.call(t.querySelectorAll(ITEM), function (a) { a.tabIndex = -1; });
      var body = t.parentNode, items = body.querySelectorAll(ITEM);
      if (items.length && !body.querySelector(ITEM + '[tabindex="0"]')) items[0].tabIndex = 0;
      return;
    }
    rove(t);
  });

  // Once the last rows are loaded, "Load more" is gone: the focus goes to the
  // note saying how many are shown instead of back to the top of the page.
  document.addEventListener("htmx:afterSwap", function (e) {
    var t = e.target;
    if (!t.matches || !t.matches("table.data tbody")) return;
    if (document.activeElement && document.activeElement !== document.body) return;
    var note = t.closest(".table-block") && t.closest(".table-block").querySelector(".table-note");
    if (note) note.focus();
  });

  // The row that holds each item, as lists of items; rows without one are
  // skipped.
  function itemRows(body) {
    var rows = [];
    Array.prototype.forEach.call(body.rows, function (r) {
      var items = r.querySelectorAll(ITEM);
      if (items.length) rows.push(items);
    });
    return rows;
  }

  // The item of a row closest to the column of from.
  function sameColumn(items, from) {
    var col = from.closest("td").cellIndex, best = items[0], dist = Infinity;
    Array.prototype.forEach.call(items, function (it) {
      var d = Math.abs(it.closest("td").cellIndex - col);
      if (d < dist) { dist = d; best = it; }
    });
    return best;
  }

  function moveInTable(body, el, key) {
    var rows = itemRows(body), r = -1, c = -1;
    for (var i = 0; i < rows.length && r < 0; i++) {
      c = Array.prototype.indexOf.call(rows[i], el);
      if (c >= 0) r = i;
    }
    if (r < 0) return null;
    switch (key) {
      case "ArrowDown": return rows[r + 1] && sameColumn(rows[r + 1], el);
      case "ArrowUp": return rows[r - 1] && sameColumn(rows[r - 1], el);
      case "PageDown": return sameColumn(rows[Math.min(rows.length - 1, r + 10)], el);
      case "PageUp": return sameColumn(rows[Math.max(0, r - 10)], el);
      case "ArrowRight": return rows[r][c + 1];
      case "ArrowLeft": return rows[r][c - 1];
      case "Home": return rows[0][0];
      case "End": return rows[rows.length - 1][0];
    }
    return null;
  }

  // The one tab stop of a table follows the focus.
  document.addEventListener("focusin", function (e) {
    var el = e.target;
    if (!el.matches || !el.matches("table.data tbody " + ITEM)) return;
    var body = el.closest("tbody"), prev = body.querySelector(ITEM + '[tabindex="0"]');
    if (prev && prev !== el) prev.tabIndex = -1;
    el.tabIndex = 0;
  });

  function typing(t) {
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  // "]" and "[" move to the next and the previous panel of a customer page:
  // from the panel that has the focus, else from the top of the window.
  function jump(dir) {
    var panels = Array.prototype.slice.call(document.querySelectorAll("section.panel"));
    if (!panels.length) return false;
    var cur = -1;
    panels.forEach(function (p, i) { if (p.contains(document.activeElement)) cur = i; });
    var next;
    if (cur >= 0) {
      next = panels[cur + dir];
    } else {
      var below = panels.filter(function (p) { return p.getBoundingClientRect().top > 1; });
      var above = panels.filter(function (p) { return p.getBoundingClientRect().top < -1; });
      next = dir > 0 ? below[0] : above[above.length - 1];
    }
    if (!next) return true;
    next.focus({ preventScroll: true });
    next.scrollIntoView({ block: "start" });
    return true;
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    var el = e.target;
    if (el.matches && el.matches("table.data tbody " + ITEM)) {
      var body = el.closest("tbody"), to = moveInTable(body, el, e.key);
      // Up from the first search result goes back to the search box.
      if (!to && e.key === "ArrowUp" && el.closest("#result-table") && itemRows(body)[0][0].closest("tr") === el.closest("tr")) {
        to = document.getElementById("q");
      }
      if (to) {
        e.preventDefault();
        to.focus();
      }
      return;
    }
    if (el.id === "q" && e.key === "ArrowDown") {
      var first = document.querySelector("#result-table tbody " + ITEM + '[tabindex="0"]');
      if (first) {
        e.preventDefault();
        first.focus();
      }
      return;
    }
    if ((e.key === "]" || e.key === "[") && !typing(el) && jump(e.key === "]" ? 1 : -1)) e.preventDefault();
  });
})();

// Freshness: a panel's "2 min ago" (a <time datetime data-ago>) stays true
// while the page is open. The words are present.Ago's; the absolute time is
// in the element's datetime and its tooltip.
(function () {
  "use strict";

  function ago(ms) {
    var s = ms / 1000;
    if (s < 30) return "just now";
    if (s < 3600 - 30) return Math.max(1, Math.round(s / 60)) + " min ago";
    if (s < 86400) return Math.max(1, Math.floor(s / 3600)) + " h ago";
    if (s < 2 * 86400) return "1 day ago";
    return Math.floor(s / 86400) + " days ago";
  }

  function tick() {
    var now = Date.now();
    Array.prototype.forEach.call(document.querySelectorAll("time[data-ago][datetime]"), function (t) {
      var at = Date.parse(t.getAttribute("datetime"));
      if (isNaN(at)) return;
      var words = ago(now - at);
      if (t.textContent !== words) t.textContent = words;
    });
  }
  setInterval(tick, 30000);
  // A tab put aside for an hour says so as soon as it is looked at again.
  document.addEventListener("visibilitychange", function () { if (!document.hidden) tick(); });
})();
