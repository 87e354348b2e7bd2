/*
 * Dân Vận Số — the questionnaire page (staff): drag and drop to reorder
 * sections and questions, with a mouse or a finger.
 *
 * Progressive enhancement over the "Lên" / "Xuống" buttons, which keep
 * working (and stay the way to reorder by keyboard: the drag handles are
 * decoration, hidden from assistive technology). On a drop the whole order is
 * posted to the reorder endpoint, which refuses an order that would break a
 * show-if condition, exactly like the buttons; the questionnaire is then
 * redrawn from the server, so numbers and conditions are always its truth.
 */
"use strict";
(function () {
  var root = document.getElementById("phieu-hoi");
  if (!root || !root.getAttribute("data-reorder-url") || !window.fetch || !window.DOMParser) {
    return;
  }
  var url = root.getAttribute("data-reorder-url");
  var status = document.getElementById("sap-xep-trang-thai");
  var hint = document.querySelector(".sv-dnd-hint");
  if (hint) hint.hidden = false;
  root.classList.add("has-dnd");

  var EDGE = 56; // px from the top or bottom of the window where dragging scrolls
  var drag = null;
  var scroller = 0;

  function csrf() {
    var input = root.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function say(text, isError) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("is-error", Boolean(isError));
  }

  function makeHandle(title) {
    var h = document.createElement("span");
    h.className = "sv-drag";
    h.setAttribute("aria-hidden", "true");
    h.title = title;
    h.textContent = "⠿";
    return h;
  }

  function decorate() {
    root.querySelectorAll("[data-sv-section]").forEach(function (section) {
      var head = section.querySelector(".sv-section-head");
      if (head && !head.querySelector(".sv-drag")) {
        head.insertBefore(makeHandle("Kéo để đổi thứ tự phần này"), head.firstChild);
      }
    });
    root.querySelectorAll("[data-sv-question]").forEach(function (item) {
      if (!item.querySelector(":scope > .sv-drag")) {
        item.insertBefore(makeHandle("Kéo để đổi thứ tự câu hỏi này"), item.firstChild);
      }
    });
  }

  function currentOrder() {
    var out = [];
    root.querySelectorAll("[data-sv-section]").forEach(function (section) {
      var questions = [];
      section.querySelectorAll("[data-sv-question]").forEach(function (item) {
        questions.push(Number(item.getAttribute("data-sv-question")));
      });
      out.push({ section: Number(section.getAttribute("data-sv-section")), questions: questions });
    });
    return out;
  }

  function middle(el) {
    var box = el.getBoundingClientRect();
    return box.top + box.height / 2;
  }

  function others(selector) {
    return Array.prototype.filter.call(root.querySelectorAll(selector), function (el) {
      return el !== drag.item;
    });
  }

  function firstBelow(items, y) {
    for (var i = 0; i < items.length; i++) {
      if (y < middle(items[i])) return items[i];
    }
    return null;
  }

  // Move the dragged element to where the pointer is (the list follows the finger).
  function follow(y) {
    if (drag.kind === "section") {
      var next = firstBelow(others("[data-sv-section]"), y);
      if (drag.item.nextElementSibling !== next || (!next && root.lastElementChild !== drag.item)) {
        root.insertBefore(drag.item, next);
      }
      return;
    }
    var sections = root.querySelectorAll("[data-sv-section]");
    var target = sections[sections.length - 1];
    for (var i = 0; i < sections.length; i++) {
      if (y < sections[i].getBoundingClientRect().bottom) {
        target = sections[i];
        break;
      }
    }
    var list = target.querySelector("[data-sv-list]");
    if (!list) return;
    var below = firstBelow(
      Array.prototype.filter.call(list.querySelectorAll("[data-sv-question]"), function (el) {
        return el !== drag.item;
      }),
      y
    );
    if (drag.item.parentNode !== list || drag.item.nextElementSibling !== below) {
      list.insertBefore(drag.item, below);
    }
  }

  function autoScroll() {
    if (!drag) return;
    if (drag.y < EDGE) window.scrollBy(0, -12);
    else if (drag.y > window.innerHeight - EDGE) window.scrollBy(0, 12);
    else return;
    follow(drag.y);
  }

  function start(event) {
    var handle = event.target.closest ? event.target.closest(".sv-drag") : null;
    if (!handle || !root.contains(handle) || drag) return;
    if (event.pointerType === "mouse" && event.button !== 0) return;
    var item = handle.parentNode.closest("[data-sv-question], [data-sv-section]");
    if (!item) return;
    event.preventDefault();
    drag = {
      item: item,
      kind: item.hasAttribute("data-sv-question") ? "question" : "section",
      before: JSON.stringify(currentOrder()),
      parent: item.parentNode,
      next: item.nextSibling,
      pointer: event.pointerId,
      handle: handle,
      y: event.clientY,
    };
    if (handle.setPointerCapture) handle.setPointerCapture(event.pointerId);
    item.classList.add("is-dragging");
    root.classList.add("is-sorting");
    scroller = window.setInterval(autoScroll, 30);
  }

  function move(event) {
    if (!drag || event.pointerId !== drag.pointer) return;
    event.preventDefault();
    drag.y = event.clientY;
    follow(event.clientY);
  }

  function finish(keep) {
    var done = drag;
    drag = null;
    window.clearInterval(scroller);
    done.item.classList.remove("is-dragging");
    root.classList.remove("is-sorting");
    if (!keep) {
      done.parent.insertBefore(done.item, done.next);
      return;
    }
    var order = JSON.stringify(currentOrder());
    if (order !== done.before) save(order);
  }

  function end(event) {
    if (drag && event.pointerId === drag.pointer) finish(event.type === "pointerup");
  }

  function redraw() {
    return fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("phieu-hoi");
        if (fresh) root.innerHTML = fresh.innerHTML;
        decorate();
      });
  }

  function save(order) {
    var body = new URLSearchParams();
    body.set("order", order);
    body.set("csrfmiddlewaretoken", csrf());
    root.setAttribute("aria-busy", "true");
    say("Đang lưu thứ tự mới…", false);
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf() },
    })
      .then(function (response) {
        return response.json().catch(function () {
          return { ok: false, errors: ["Không lưu được thứ tự mới. Hãy tải lại trang rồi thử lại."] };
        });
      })
      .then(function (data) {
        return redraw().then(function () {
          say(data.ok ? data.message : (data.errors || []).join(" "), !data.ok);
        });
      })
      .catch(function () {
        say("Không kết nối được máy chủ: thứ tự mới chưa được lưu. Hãy tải lại trang.", true);
      })
      .then(function () {
        root.removeAttribute("aria-busy");
      });
  }

  root.addEventListener("pointerdown", start);
  root.addEventListener("pointermove", move);
  root.addEventListener("pointerup", end);
  root.addEventListener("pointercancel", end);
  document.addEventListener("keydown", function (event) {
    if (drag && event.key === "Escape") finish(false);
  });
  decorate();
})();
