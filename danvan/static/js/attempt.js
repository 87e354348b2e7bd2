/*
 * Dân Vận Số: the attempt page, made nicer (the page works without this file).
 *
 * - counts down from the server's remaining seconds and submits the form when
 *   the time is up;
 * - saves each answer as it is chosen (POST JSON to data-save-url, CSRF header)
 *   and keeps a copy in localStorage keyed by the attempt token, so a reload or
 *   a dropped connection loses nothing;
 * - on the result page (#attempt-done) forgets the local copy.
 *
 * Plain ES5-ish code for old phone browsers; no library.
 */
(function () {
  "use strict";

  var PREFIX = "danvan:attempt:";

  function storageGet(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function storageSet(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full or private */ }
  }
  function storageDel(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
  }

  var done = document.getElementById("attempt-done");
  if (done && done.getAttribute("data-token")) {
    storageDel(PREFIX + done.getAttribute("data-token"));
    return;
  }

  var form = document.getElementById("attempt-form");
  if (!form) { return; }

  var token = form.getAttribute("data-token");
  var saveUrl = form.getAttribute("data-save-url");
  var secondsLeft = parseInt(form.getAttribute("data-seconds-left"), 10) || 0;
  var endsAt = Date.now() + secondsLeft * 1000;
  var storeKey = PREFIX + token;
  var countdown = document.getElementById("countdown");
  var status = document.getElementById("save-status");
  var answeredCount = document.getElementById("answered-count");
  var prediction = document.getElementById("id_du_doan");
  var csrfInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = csrfInput ? csrfInput.value : "";
  var submitting = false;
  var pending = {};        // question id -> choice ids not yet confirmed by the server
  var pendingPrediction = null;
  var inflight = false;
  var retryTimer = null;

  function questions() { return form.querySelectorAll("fieldset[data-question]"); }

  function chosen(fieldset) {
    var ids = [];
    var inputs = fieldset.querySelectorAll("input");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].checked) { ids.push(parseInt(inputs[i].value, 10)); }
    }
    return ids;
  }

  function allAnswers() {
    var out = {};
    var list = questions();
    for (var i = 0; i < list.length; i++) {
      out[list[i].getAttribute("data-question")] = chosen(list[i]);
    }
    return out;
  }

  function updateCount() {
    if (!answeredCount) { return; }
    var list = questions(), n = 0;
    for (var i = 0; i < list.length; i++) { if (chosen(list[i]).length) { n++; } }
    answeredCount.textContent = String(n);
  }

  function say(text) { if (status) { status.textContent = text; } }

  function keepLocal() {
    storageSet(storeKey, {
      answers: allAnswers(),
      prediction: prediction ? prediction.value : null,
      t: Date.now()
    });
  }

  function restoreLocal() {
    var saved = storageGet(storeKey);
    if (!saved || !saved.answers) { return false; }
    var changed = false;
    var list = questions();
    for (var i = 0; i < list.length; i++) {
      var qid = list[i].getAttribute("data-question");
      var ids = saved.answers[qid];
      if (!ids) { continue; }
      var inputs = list[i].querySelectorAll("input");
      for (var j = 0; j < inputs.length; j++) {
        var want = ids.indexOf(parseInt(inputs[j].value, 10)) !== -1;
        if (inputs[j].checked !== want) {
          inputs[j].checked = want;
          changed = true;
          pending[qid] = ids;
        }
      }
    }
    if (prediction && saved.prediction && prediction.value !== saved.prediction) {
      prediction.value = saved.prediction;
      pendingPrediction = saved.prediction;
      changed = true;
    }
    return changed;
  }

  function flush() {
    if (inflight || submitting) { return; }
    var keys = Object.keys(pending);
    if (!keys.length && pendingPrediction === null) { return; }
    var body = { answers: pending };
    if (pendingPrediction !== null) { body.prediction = pendingPrediction; }
    var sentAnswers = pending, sentPrediction = pendingPrediction;
    pending = {};
    pendingPrediction = null;
    inflight = true;
    say("Đang lưu…");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", saveUrl, true);
    xhr.setRequestHeader("Content-Type", "application/json");
    xhr.setRequestHeader("X-CSRFToken", csrf);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.timeout = 20000;
    function requeue() {
      for (var k in sentAnswers) {
        if (Object.prototype.hasOwnProperty.call(sentAnswers, k) && !(k in pending)) {
          pending[k] = sentAnswers[k];
        }
      }
      if (sentPrediction !== null && pendingPrediction === null) { pendingPrediction = sentPrediction; }
    }
    xhr.onload = function () {
      inflight = false;
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      if (xhr.status === 200 && data && data.ok) {
        say("Đã lưu lúc " + data.saved_at + ".");
        flush();
        return;
      }
      if (data && data.redirect) {  // submitted elsewhere or time is up
        submitting = true;
        window.location.href = data.redirect;
        return;
      }
      if (xhr.status === 429 || xhr.status >= 500) {
        requeue();
        say("Chưa lưu được, sẽ thử lại. Câu trả lời vẫn được giữ trên máy này.");
        scheduleRetry();
        return;
      }
      say((data && data.error) || "Chưa lưu được. Vui lòng bấm “Lưu tạm”.");
    };
    xhr.onerror = xhr.ontimeout = function () {
      inflight = false;
      requeue();
      say("Mất kết nối: chưa lưu được, sẽ thử lại. Câu trả lời vẫn được giữ trên máy này.");
      scheduleRetry();
    };
    xhr.send(JSON.stringify(body));
  }

  function scheduleRetry() {
    if (retryTimer) { return; }
    retryTimer = window.setTimeout(function () { retryTimer = null; flush(); }, 5000);
  }

  var predictionTimer = null;

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (!target || target.tagName !== "INPUT") { return; }
    keepLocal();
    if (target === prediction) {
      if (prediction.value === "") { return; }
      pendingPrediction = prediction.value;
    } else {
      var fieldset = target.closest ? target.closest("fieldset[data-question]") : null;
      if (!fieldset) { return; }
      pending[fieldset.getAttribute("data-question")] = chosen(fieldset);
      updateCount();
    }
    flush();
  });

  if (prediction) {
    prediction.addEventListener("input", function () {
      keepLocal();
      if (predictionTimer) { window.clearTimeout(predictionTimer); }
      predictionTimer = window.setTimeout(function () {
        if (prediction.value !== "") { pendingPrediction = prediction.value; flush(); }
      }, 1200);
    });
  }

  // Which button sent the form (event.submitter is missing on older browsers).
  var lastButton = null;
  var buttons = form.querySelectorAll("button[name=action]");
  for (var b = 0; b < buttons.length; b++) {
    buttons[b].addEventListener("click", function () { lastButton = this; });
  }

  // A refused submit: the summary at the top (the server's, or this page's own
  // when the prediction is missing) gets the focus, with a link to each field.
  function showSummary(title, message, fieldId) {
    var summary = document.getElementById("loi");
    if (!summary) {
      summary = document.createElement("div");
      summary.id = "loi";
      summary.className = "messages error-summary";
      summary.setAttribute("role", "alert");
      summary.setAttribute("tabindex", "-1");
      form.parentNode.insertBefore(summary, form);
    }
    summary.innerHTML = "";
    var box = document.createElement("div");
    box.className = "message message-error";
    var head = document.createElement("p");
    head.className = "message-title";
    head.textContent = title;
    var list = document.createElement("ul");
    list.className = "mb-0";
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = "#" + fieldId;
    link.textContent = message;
    link.addEventListener("click", function (e) {
      var field = document.getElementById(fieldId);
      if (field) { e.preventDefault(); field.focus(); }
    });
    item.appendChild(link);
    list.appendChild(item);
    box.appendChild(head);
    box.appendChild(list);
    summary.appendChild(box);
    summary.focus();
    if (summary.scrollIntoView) { summary.scrollIntoView(); }
  }

  function markPrediction(message) {
    var wrap = document.getElementById("cau-du-doan");
    if (!wrap) { return; }
    wrap.className = "field field-error";
    var errors = document.getElementById("id_du_doan_error");
    if (!errors) {
      errors = document.createElement("ul");
      errors.className = "errorlist";
      errors.id = "id_du_doan_error";
      wrap.insertBefore(errors, prediction);
    }
    errors.innerHTML = "";
    var li = document.createElement("li");
    li.textContent = message;
    errors.appendChild(li);
    prediction.setAttribute("aria-invalid", "true");
    prediction.setAttribute("aria-describedby", "id_du_doan_helptext id_du_doan_error");
  }

  var focusFirst = document.querySelector("[data-focus-on-load]");
  if (focusFirst) { focusFirst.focus(); }

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter || lastButton;
    var isSave = submitter && submitter.value === "save";
    if (!isSave && !submitting && secondsLeftNow() > 0 && prediction &&
        !/^\s*(\d+|\d{1,3}([.,]\d{3})+)\s*$/.test(prediction.value)) {
      event.preventDefault();
      var message = prediction.value.replace(/\s/g, "") === ""
        ? "Hãy nhập câu trả lời cho câu hỏi dự đoán (một số nguyên, ví dụ 1250)."
        : "Câu trả lời dự đoán phải là một số nguyên không âm, ví dụ 1250.";
      markPrediction(message);
      showSummary("Chưa nộp được bài: còn thiếu câu hỏi dự đoán.", message, "id_du_doan");
      return;
    }
    if (!isSave && !submitting && secondsLeftNow() > 0) {
      var total = questions().length, answered = 0, list = questions();
      for (var i = 0; i < list.length; i++) { if (chosen(list[i]).length) { answered++; } }
      if (answered < total &&
          !window.confirm("Bạn còn " + (total - answered) + " câu chưa trả lời. Vẫn nộp bài?")) {
        event.preventDefault();
        return;
      }
    }
    keepLocal();
    submitting = true;
  });

  function secondsLeftNow() { return Math.max(0, Math.round((endsAt - Date.now()) / 1000)); }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    var left = secondsLeftNow();
    if (countdown) {
      countdown.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
      if (left <= 60) { countdown.className = "timer timer-low"; }
    }
    if (left <= 0) {
      if (!submitting) {
        submitting = true;
        say("Đã hết giờ: đang nộp bài…");
        keepLocal();
        var submitButton = document.getElementById("btn-submit");
        // A hidden field carries the action (form.submit() sends no button value).
        var action = document.createElement("input");
        action.type = "hidden";
        action.name = "action";
        action.value = "submit";
        form.appendChild(action);
        if (submitButton) { submitButton.disabled = true; }
        var saveButton = document.getElementById("btn-save");
        if (saveButton) { saveButton.disabled = true; }
        form.submit();
      }
      return;
    }
    window.setTimeout(tick, 1000 - (Date.now() % 1000) || 1000);
  }

  if (restoreLocal()) {
    updateCount();
    say("Đã khôi phục câu trả lời lưu trên máy này.");
    flush();
  }
  updateCount();
  tick();

  window.addEventListener("online", flush);
})();
