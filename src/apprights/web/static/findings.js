// Findings queue: "select all" for the bulk form (no inline handlers; strict CSP).
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) { return; }
  all.addEventListener("change", function () {
    document.querySelectorAll("input.pick").forEach(function (box) { box.checked = all.checked; });
  });
})();
