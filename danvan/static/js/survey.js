/*
 * Dân Vận Số — survey pages. Progressive enhancement only: without this file
 * every page works, the server evaluates the skip logic on every page (and
 * shows any question an answer has just revealed before going on), checks
 * that the hamlet lies in the chosen commune, and counts the progress.
 *
 * With it:
 * - follow-up questions show and hide as answers change (skip logic);
 * - the hamlet list of the unit question narrows to the chosen commune;
 * - a one-page survey's progress ("Đã trả lời 3/12 câu") follows the answers;
 * - what is typed on the page is kept in this tab's sessionStorage and put
 *   back after a reload (the server keeps a page's answers once it is sent);
 *   forgotten when the survey is sent. Only the answer fields of the question
 *   pages are kept: never the start page (name, phone, invitation code).
 */
"use strict";
(function () {
  var PREFIX = "danvan:khao-sat:";
  var storage = null;
  try {
    storage = window.sessionStorage;
    storage.setItem(PREFIX + "test", "1");
    storage.removeItem(PREFIX + "test");
  } catch (e) {
    storage = null; // private mode, or storage refused: nothing kept
  }

  // The thank-you page: forget everything kept for this survey.
  var sent = document.querySelector("[data-survey-sent]");
  if (sent) {
    if (storage) {
      var mine = PREFIX + sent.getAttribute("data-survey-sent") + "/";
      for (var i = storage.length - 1; i >= 0; i--) {
        var key = storage.key(i);
        if (key && key.indexOf(mine) === 0) storage.removeItem(key);
      }
    }
    return;
  }

  var form = document.getElementById("survey-form");
  if (!form) return;
  var shownInput = document.getElementById("survey-shown");
  var SKIP = { csrfmiddlewaretoken: true, shown: true, action: true };

  // --- Skip logic ----------------------------------------------------------------

  function valuesOf(qid) {
    var box = document.getElementById("cau-" + qid);
    if (!box || box.hidden) return null; // not on this page, or hidden
    var kind = box.getAttribute("data-kind");
    var out = [];
    box.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (el.name.indexOf("_other") !== -1 || el.disabled) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (el.value.trim() === "") return;
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

  function updateVisibility() {
    var shown = [];
    form.querySelectorAll("[data-question]").forEach(function (box) {
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

  // --- Progress of a one-page survey -----------------------------------------------

  var progress = document.querySelector("[data-progress]");

  function updateProgress() {
    if (!progress) return;
    var total = 0, answered = 0;
    form.querySelectorAll("[data-question]").forEach(function (box) {
      if (box.hidden) return;
      total += 1;
      var answer = valuesOf(box.getAttribute("data-question"));
      var other = box.querySelector("input[name$='_other']");
      if ((answer && answer.values.length) || (other && other.value.trim())) answered += 1;
    });
    progress.querySelector("[data-progress-answered]").textContent = answered;
    progress.querySelector("[data-progress-total]").textContent = total;
    var bar = progress.querySelector("progress");
    bar.max = Math.max(total, 1);
    bar.value = answered;
    bar.textContent = "Đã trả lời " + answered + "/" + total + " câu";
  }

  // --- Unit question: the hamlets of the chosen commune ------------------------------

  var units = [];
  form.querySelectorAll("select[data-unit-hamlets]").forEach(function (hamlets) {
    var communes = document.getElementById(hamlets.getAttribute("data-unit-hamlets"));
    if (!communes) return;
    var groups = Array.prototype.map.call(hamlets.querySelectorAll("optgroup"), function (g) {
      return { commune: g.getAttribute("data-commune"), node: g.cloneNode(true) };
    });
    var placeholder = hamlets.options[0].cloneNode(true);
    var unit = { communes: communes, hamlets: hamlets, groups: groups, placeholder: placeholder };
    units.push(unit);
    hamlets.addEventListener("change", function () {
      // A hamlet picked from the whole list: its commune is chosen with it.
      var picked = hamlets.options[hamlets.selectedIndex];
      var group = picked && picked.parentNode.getAttribute
        ? picked.parentNode.getAttribute("data-commune") : null;
      if (group && communes.value !== group) {
        communes.value = group;
        narrow(unit);
      }
    });
    communes.addEventListener("change", function () { narrow(unit); });
  });

  function narrow(unit) {
    var chosen = unit.communes.value;
    var keep = unit.hamlets.value;
    var select = unit.hamlets;
    select.textContent = "";
    var empty = unit.placeholder.cloneNode(true);
    select.appendChild(empty);
    var found = false;
    unit.groups.forEach(function (g) {
      if (chosen && g.commune !== chosen) return;
      var node = g.node.cloneNode(true);
      if (chosen) { // one commune: its hamlets without the group heading
        while (node.firstChild) select.appendChild(node.firstChild);
        found = true;
      } else {
        select.appendChild(node);
      }
    });
    if (chosen && !found) {
      empty.textContent = "(Xã, phường này chưa có danh sách ấp, khu vực)";
      select.disabled = true;
    } else {
      select.disabled = false;
    }
    select.value = keep;
    if (select.value !== keep) select.value = "";
  }

  // --- Answers kept in this tab across a reload ----------------------------------------

  var draftKey = PREFIX + form.getAttribute("data-draft");

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP[el.name] && el.type !== "submit" && el.type !== "hidden";
    });
  }

  function serialize() {
    var out = {};
    fields().forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        if (!out[el.name]) out[el.name] = [];
        if (el.checked) out[el.name].push(el.value);
      } else {
        out[el.name] = el.value;
      }
    });
    return out;
  }

  function apply(values) {
    // Communes first: their hamlet lists depend on them.
    units.forEach(function (unit) {
      if (unit.communes.name in values) unit.communes.value = values[unit.communes.name];
      narrow(unit);
    });
    fields().forEach(function (el) {
      if (!(el.name in values)) return;
      var v = values[el.name];
      if (el.type === "radio" || el.type === "checkbox") el.checked = v.indexOf(el.value) !== -1;
      else el.value = v;
    });
  }

  function read() {
    try { return JSON.parse(storage.getItem(draftKey) || "null"); } catch (e) { return null; }
  }

  function write(saved) {
    try { storage.setItem(draftKey, JSON.stringify(saved)); } catch (e) { /* full: skip */ }
  }

  var saved = null;
  if (storage) {
    var base = JSON.stringify(serialize()); // what the server drew
    var kept = read();
    // Put back only what was typed over this very page as the server drew it:
    // once the page was sent (or changed elsewhere), the server's copy wins.
    if (kept && kept.base === base && JSON.stringify(kept.values) !== base) {
      apply(kept.values);
      var note = document.getElementById("khoi-phuc");
      if (note) note.hidden = false;
      saved = kept;
    } else {
      saved = { base: base, values: JSON.parse(base) };
      write(saved);
    }
  }

  function remember() {
    if (!saved) return;
    saved.values = serialize();
    write(saved);
  }

  function update() {
    updateVisibility();
    updateProgress();
  }

  form.addEventListener("change", function () { update(); remember(); });
  form.addEventListener("input", function () { update(); remember(); });
  units.forEach(narrow);
  update();
})();
