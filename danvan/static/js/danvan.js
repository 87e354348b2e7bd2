/*
 * Dân Vận Số: progressive enhancement only.
 *
 * Every page works without this file: menus are <details> elements, confirmations
 * are server-rendered pages and live pages refresh with <meta http-equiv="refresh">.
 * Keep it that way; add code here only when it makes a working page nicer.
 */
"use strict";

/*
 * Staff tables on a phone: below 600 px the stylesheet stacks each row as a
 * card; here every cell gets its column's name (data-label) to show beside its
 * value, and the columns marked col-minor on their header are left out there.
 */
(function () {
  var tables = document.querySelectorAll(".staff-main .table");
  Array.prototype.forEach.call(tables, function (table) {
    var heads = [];
    Array.prototype.forEach.call(table.querySelectorAll("thead th"), function (th) {
      var hidden = th.querySelector(".sr-only");
      var text = th.textContent.replace(/\s+/g, " ").trim();
      if (hidden && hidden.textContent.trim() === text) { text = ""; }
      for (var span = 0; span < (th.colSpan || 1); span++) {
        heads.push({ text: text, minor: th.classList.contains("col-minor") });
      }
    });
    if (!heads.length) { return; }
    table.classList.add("table-labelled");
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (tr) {
      var column = 0;
      Array.prototype.forEach.call(tr.children, function (cell) {
        var head = heads[column];
        if (head) {
          if (head.text && column > 0) { cell.setAttribute("data-label", head.text); }
          if (head.minor) { cell.classList.add("col-minor"); }
        }
        column += cell.colSpan || 1;
      });
    });
  });
})();
