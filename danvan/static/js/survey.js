/*
 * Dân Vận Số — survey pages: show and hide follow-up questions as answers
 * change (skip logic). Progressive enhancement only: without this file the
 * server evaluates the same rules on every page and shows any question that
 * an answer has just revealed before going on.
 */
"use strict";
(function () {
  var form = document.getElementById("survey-form");
  if (!form) return;
  var shownInput = document.getElementById("survey-shown");

  function valuesOf(qid) {
    var box = document.getElementById("cau-" + qid);
    if (!box || box.hidden) return null; // not on this page, or hidden
    var kind = box.getAttribute("data-kind");
    var out = [];
    box.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (el.name.indexOf("_other") !== -1) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (el.value === "") return;
      out.push(el.value === "other" ? "-1" : el.value);
    });
    return { kind: kind, values: out };
  }

  function same(a, b) {
    var x = Number(a), y = Number(b);
    if (a !== "" && b !== "" && !isNaN(x) && !isNaN(y)) return x === y;
    return String(a).trim() === String(b).trim();
  }

  function holds(rule, answer) {
    if (!answer || answer.values.length === 0) return false;
    var v = answer.values;
    if (rule.op === "answered") return true;
    var eq = v.some(function (a) { return same(a, rule.value); });
    if (rule.op === "equals") return eq;
    if (rule.op === "not_equals") return !eq;
    if (rule.op === "any_of" && Array.isArray(rule.value)) {
      return v.some(function (a) { return rule.value.some(function (t) { return same(a, t); }); });
    }
    return false;
  }

  function update() {
    var boxes = form.querySelectorAll("[data-question]");
    var shown = [];
    boxes.forEach(function (box) {
      var raw = box.getAttribute("data-show-if");
      if (raw) {
        var rule;
        try { rule = JSON.parse(raw); } catch (e) { return; }
        var target = document.getElementById("cau-" + rule.question);
        // A rule on a question of another page was settled by the server.
        if (target) box.hidden = !holds(rule, valuesOf(rule.question));
      }
      if (!box.hidden) shown.push(box.getAttribute("data-question"));
    });
    if (shownInput) shownInput.value = shown.join(",");
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
