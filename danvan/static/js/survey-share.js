// The share page: copy buttons for the link and the invitation text
// (surveys/staff/survey_share.html).
(function () {
  "use strict";
  if (!navigator.clipboard) { return; }
  var status = document.getElementById("sao-chep-xong");
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      navigator.clipboard.writeText(source.value).then(function () {
        status.textContent = "Đã sao chép.";
      }, function () {
        source.select();
        status.textContent = "Không sao chép tự động được: nội dung đã được chọn, hãy nhấn Ctrl+C.";
      });
    });
  });
  var link = document.getElementById("duong-dan");
  link.addEventListener("focus", function () { link.select(); });
})();
