/* Tandem page behaviour: draw ECharts charts found in the page (on load and after every htmx swap).
   Charts use the SVG renderer so Chinese text follows the page's CSS font stack (and the web-font fallback). */
(function () {
  "use strict";
  var UP = "#e03131", DOWN = "#13a05a";

  function readJSON(el, selector) {
    var node = el.parentNode.querySelector(selector);
    return node ? JSON.parse(node.textContent) : null;
  }

  function drawKline(el) {
    if (el.dataset.drawn || typeof echarts === "undefined") return;
    var d = readJSON(el, "script.kline-data");
    if (!d) return;
    el.dataset.drawn = "1";
    var candles = d.dates.map(function (_, i) { return [d.open[i], d.close[i], d.low[i], d.high[i]]; });
    var vols = d.dates.map(function (_, i) {
      return { value: d.volume[i] / 100, itemStyle: { color: d.close[i] >= d.open[i] ? UP : DOWN } };
    });
    var n = d.dates.length, startPct = n > 120 ? 100 - (120 / n) * 100 : 0;
    var font = getComputedStyle(document.body).fontFamily;
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: font },
      legend: { top: 0, data: [el.dataset.labelCandle, "MA5", "MA20", "MA60"], textStyle: { fontFamily: font } },
      tooltip: { trigger: "axis", axisPointer: { type: "cross" }, confine: true, textStyle: { fontFamily: font } },
      axisPointer: { link: [{ xAxisIndex: "all" }] },
      grid: [{ left: 50, right: 12, top: 30, height: "56%" }, { left: 50, right: 12, top: "74%", height: "14%" }],
      xAxis: [
        { type: "category", data: d.dates, boundaryGap: true, axisLine: { onZero: false }, splitLine: { show: false }, min: "dataMin", max: "dataMax" },
        { type: "category", gridIndex: 1, data: d.dates, boundaryGap: true, axisLabel: { show: false }, axisTick: { show: false }, min: "dataMin", max: "dataMax" }
      ],
      yAxis: [
        { scale: true, splitNumber: 4, axisLabel: { fontSize: 10 } },
        { scale: true, gridIndex: 1, splitNumber: 2, axisLabel: { show: false }, axisLine: { show: false }, axisTick: { show: false }, splitLine: { show: false }, name: el.dataset.labelVolume, nameGap: 4, nameTextStyle: { fontSize: 10, align: "left" } }
      ],
      dataZoom: [
        { type: "inside", xAxisIndex: [0, 1], start: startPct, end: 100 },
        { type: "slider", xAxisIndex: [0, 1], top: "91%", height: 18, start: startPct, end: 100, labelFormatter: "" }
      ],
      series: [
        { name: el.dataset.labelCandle, type: "candlestick", data: candles,
          itemStyle: { color: UP, color0: DOWN, borderColor: UP, borderColor0: DOWN } },
        { name: "MA5", type: "line", data: d.ma5, smooth: false, showSymbol: false, lineStyle: { width: 1 }, color: "#f59f00" },
        { name: "MA20", type: "line", data: d.ma20, smooth: false, showSymbol: false, lineStyle: { width: 1 }, color: "#1c7ed6" },
        { name: "MA60", type: "line", data: d.ma60, smooth: false, showSymbol: false, lineStyle: { width: 1 }, color: "#ae3ec9" },
        { name: el.dataset.labelVolume, type: "bar", xAxisIndex: 1, yAxisIndex: 1, data: vols }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawRadar(el) {
    if (el.dataset.drawn || typeof echarts === "undefined") return;
    var d = readJSON(el, "script.radar-data");
    if (!d) return;
    el.dataset.drawn = "1";
    var font = getComputedStyle(document.body).fontFamily;
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: font },
      radar: { indicator: d.labels.map(function (l) { return { name: l, max: 100 }; }), radius: "56%",  // room for four-character labels at the sides on a phone
               axisName: { color: "#3b4554", fontFamily: font, fontSize: 11 } },
      series: [{ type: "radar", data: [{ value: d.scores, name: d.name, areaStyle: { opacity: 0.2 } }], color: "#1f4fd8" }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawGeneric(el) {
    if (el.dataset.drawn || typeof echarts === "undefined") return;
    var opt = readJSON(el, "script.chart-option");
    if (!opt) return;
    el.dataset.drawn = "1";
    opt.textStyle = { fontFamily: getComputedStyle(document.body).fontFamily };
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(opt);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-kline]").forEach(drawKline);
    (root || document).querySelectorAll("[data-radar]").forEach(drawRadar);
    (root || document).querySelectorAll("[data-chart]").forEach(drawGeneric);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (e) { drawAll(e.target); });
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.target && e.target.id === "stock-panel") {
      var r = document.getElementById("search-results"); if (r) r.innerHTML = "";
    }
  });
})();
