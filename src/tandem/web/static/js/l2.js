/* Level-2 panel: open the SSE replay, append each minute update, redraw price, per-class net inflow bars and the
   cumulative 主力 (main force) line. One stream per panel; a new speed restarts the replay. */
(function () {
  "use strict";
  var COLORS = { super_large: "#c92a2a", large: "#f76707", medium: "#1c7ed6", small: "#adb5bd" };
  var ORDER = ["super_large", "large", "medium", "small"];

  function fmt(v) { return (v >= 0 ? "+" : "") + v.toLocaleString(undefined, { maximumFractionDigits: 0 }); }

  function setup(el) {
    if (el.dataset.ready || typeof echarts === "undefined") return;
    el.dataset.ready = "1";
    var names = JSON.parse(el.dataset.classes);
    var font = getComputedStyle(document.body).fontFamily;
    var chart = echarts.init(el, null, { renderer: "svg" });
    var state = { source: null };
    var card = el.closest(".l2");

    function reset() {
      state.minutes = []; state.price = []; state.cum = [];
      state.net = {}; ORDER.forEach(function (c) { state.net[c] = []; });
    }

    function draw() {
      var series = [{ name: el.dataset.labelPrice, type: "line", data: state.price, showSymbol: false, connectNulls: true,
                      color: "#1f4fd8", lineStyle: { width: 1.5 } }];
      ORDER.forEach(function (c) {
        series.push({ name: names[c], type: "bar", stack: "net", xAxisIndex: 1, yAxisIndex: 1, data: state.net[c],
                      color: COLORS[c], barMaxWidth: 6 });
      });
      series.push({ name: el.dataset.labelCum, type: "line", xAxisIndex: 1, yAxisIndex: 2, data: state.cum,
                    showSymbol: false, color: "#7048e8", lineStyle: { width: 2 } });
      chart.setOption({
        animation: false, textStyle: { fontFamily: font },
        legend: { top: 0, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 10, fontFamily: font } },
        tooltip: { trigger: "axis", confine: true, textStyle: { fontFamily: font } },
        axisPointer: { link: [{ xAxisIndex: "all" }] },
        grid: [{ left: 48, right: 48, top: 44, height: "34%" }, { left: 48, right: 48, top: "58%", bottom: 24 }],
        xAxis: [{ type: "category", data: state.minutes, axisLabel: { show: false } },
                { type: "category", gridIndex: 1, data: state.minutes }],
        yAxis: [{ scale: true, splitNumber: 3, axisLabel: { fontSize: 10 } },
                { gridIndex: 1, name: el.dataset.labelUnit, nameTextStyle: { fontSize: 10 }, splitNumber: 3, axisLabel: { fontSize: 10 } },
                { gridIndex: 1, splitLine: { show: false }, axisLabel: { fontSize: 10, color: "#7048e8" }, splitNumber: 3 }],
        series: series
      }, true);
    }

    function start(speed) {
      if (state.source) state.source.close();
      reset(); draw();
      card.classList.remove("ended");
      var status = card.querySelector("#l2-status");
      var src = new EventSource(el.dataset.stream + "?speed=" + speed);
      state.source = src;
      src.addEventListener("minute", function (e) {
        var u = JSON.parse(e.data);
        state.minutes.push(u.minute);
        state.price.push(u.last_price > 0 ? u.last_price : null);
        ORDER.forEach(function (c) { state.net[c].push(Math.round(u.net_amount[c] / 1e4)); });
        state.cum.push(Math.round(u.cum_main_net / 1e4));
        draw();
        card.querySelector("#l2-minute").textContent = u.minute;
        if (u.last_price > 0) card.querySelector("#l2-price").textContent = u.last_price.toFixed(2);
        card.querySelector("#l2-main").textContent = fmt(u.main_net / 1e4);
        card.querySelector("#l2-cum").textContent = fmt(u.cum_main_net / 1e4);
        el.dataset.minutes = String(state.minutes.length);
      });
      src.addEventListener("end", function () {
        src.close();
        card.classList.add("ended");
        el.dataset.ended = "1";
        if (status) status.lastChild.textContent = el.dataset.labelEnded;
      });
      src.onerror = function () { if (src.readyState === EventSource.CLOSED) card.classList.add("ended"); };
    }

    card.addEventListener("click", function (e) {
      var b = e.target.closest("[data-l2-speed]");
      if (!b) return;
      card.querySelectorAll("[data-l2-speed]").forEach(function (x) { x.classList.toggle("on", x === b); });
      start(b.dataset.l2Speed);
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.l2Stop = function () { if (state.source) state.source.close(); };
    start(el.dataset.speed);
  }

  function scan(root) { (root || document).querySelectorAll("[data-l2]").forEach(setup); }
  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:afterSettle", function (e) { scan(e.target); });
  document.addEventListener("htmx:beforeSwap", function (e) {  // leaving the stock: stop its replay
    (e.target || document).querySelectorAll("[data-l2]").forEach(function (el) { if (el.l2Stop) el.l2Stop(); });
  });
})();
