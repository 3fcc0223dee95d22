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
    if (!btn) return;
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
})();
