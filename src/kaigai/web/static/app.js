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
})();
