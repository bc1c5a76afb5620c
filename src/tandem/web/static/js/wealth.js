/* 财富 tab behaviour (no inline scripts under the CSP): amount chips, "use this strategy", "use the minimum". */
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("[data-amount], [data-use-strategy]") : null;
    if (!el) return;
    var form = document.getElementById("plan-form");
    if (!form) return;
    if (el.dataset.useStrategy) {
      document.getElementById("plan-strategy").value = el.dataset.useStrategy;
      form.scrollIntoView({ behavior: "smooth", block: "start" });
      document.getElementById("plan-amount").focus({ preventScroll: true });
      return;
    }
    document.getElementById("plan-amount").value = el.dataset.amount;
    if (el.dataset.submit) form.requestSubmit();
  });
})();
