// The survey builder's question form: shows the settings of the chosen kind and
// of the chosen show-if condition (surveys/staff/question_form.html).
(function () {
  "use strict";
  var form = document.getElementById("question-form");
  if (!form) { return; }
  var kind = form.elements.namedItem("kind");
  var refKinds = JSON.parse(document.getElementById("ref-kinds").textContent);
  var ref = form.elements.namedItem("show_if_question");
  var op = form.elements.namedItem("show_if_op");
  function syncKind() {
    form.querySelectorAll("[data-kinds]").forEach(function (el) {
      el.hidden = el.getAttribute("data-kinds").split(" ").indexOf(kind.value) < 0;
    });
  }
  function syncCondition() {
    if (!ref) { return; }
    var chosen = ref.value, refKind = refKinds[chosen] || "";
    var valued = chosen && op && op.value !== "answered";
    var cond = form.querySelector("[data-cond]");
    if (cond) { cond.hidden = !chosen; }
    form.querySelectorAll("[data-ref]").forEach(function (el) {
      el.hidden = !valued || el.getAttribute("data-ref") !== chosen;
    });
    var values = form.querySelector("[data-cond-values]");
    if (values) { values.hidden = !valued || !form.querySelector('[data-ref="' + chosen + '"]'); }
    var text = form.querySelector("[data-cond-text]");
    if (text) { text.hidden = !valued || (refKind !== "number" && refKind !== "short_text"); }
  }
  kind.addEventListener("change", syncKind);
  if (ref) { ref.addEventListener("change", syncCondition); }
  if (op) { op.addEventListener("change", syncCondition); }
  syncKind();
  syncCondition();
})();
