// kaigai dashboard: tiny progressive enhancements (pages work without JavaScript).
(function () {
  "use strict";
  // Range inputs show their value in an <output for=...> next to them.
  document.addEventListener("input", function (ev) {
    var el = ev.target;
    if (el && el.type === "range" && el.id) {
      var out = document.querySelector('output[for="' + el.id + '"]');
      if (out) { out.textContent = el.value; }
    }
  });
  // Country pickers: a search box (shown only with JavaScript) narrows the ticked-box list.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-filter]").forEach(function (box) {
      var picker = document.getElementById(box.getAttribute("data-filter"));
      if (!picker) { return; }
      box.closest(".field").hidden = false;
      box.addEventListener("input", function () {
        var q = box.value.trim().toLowerCase();
        picker.querySelectorAll(".checks label").forEach(function (lab) {
          var input = lab.querySelector("input");
          var hit = !q || lab.textContent.toLowerCase().indexOf(q) >= 0 ||
            (input && input.value.toLowerCase() === q);
          lab.hidden = !hit;
        });
        var more = picker.querySelector("details");
        if (more && q) { more.open = true; }
      });
    });
  });
})();
