// The printable sheet of invitation codes: the print button
// (surveys/staff/codes_print.html).
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (!button || !window.print) { return; }
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
