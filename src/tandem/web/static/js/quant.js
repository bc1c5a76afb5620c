/* 量化 tab: example chips fill and run the screener; "use in backtest" copies a screen into the builder. */
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var ex = e.target.closest("[data-example]");
    if (ex) {
      var expr = document.getElementById("expr");
      expr.value = ex.dataset.example;
      expr.form.requestSubmit();
      return;
    }
    var use = e.target.closest("[data-use-screen]");
    if (use) {
      var box = document.getElementById("bt-screen");
      box.value = use.dataset.useScreen;
      document.getElementById("builder").scrollIntoView({ behavior: "smooth" });
      box.focus();
    }
  });
})();

/* Result charts arrive in htmx swaps (the polled job card replaces itself): draw each new one once. */
(function () {
  "use strict";
  function draw(el) {
    if (el.dataset.drawn || typeof echarts === "undefined") return;
    var node = el.parentNode.querySelector("script.qchart-option");
    if (!node) return;
    el.dataset.drawn = "1";
    var opt = JSON.parse(node.textContent);
    opt.textStyle = { fontFamily: getComputedStyle(document.body).fontFamily };
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(opt);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function scan(root) {
    if (!root || !root.querySelectorAll) return;
    if (root.matches && root.matches("[data-qchart]")) draw(root);
    root.querySelectorAll("[data-qchart]").forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:load", function (e) { scan(e.detail && e.detail.elt); });
})();
