// Findings queue: "select all" for the bulk form. Delegated, so it keeps working after htmx swaps the queue
// in (the filters reload only #queue); no inline handlers (strict CSP).
(function () {
  "use strict";
  document.addEventListener("change", function (ev) {
    var all = ev.target;
    if (!all || all.id !== "select-all") { return; }
    document.querySelectorAll("#queue input.pick").forEach(function (box) { box.checked = all.checked; });
  });
})();
