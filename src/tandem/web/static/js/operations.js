// The operations dashboard's funnel chart: reads the JSON block the page embeds and draws it with ECharts.
(function () {
  function draw() {
    var el = document.getElementById("ops-funnel-chart");
    var data = document.getElementById("ops-funnel-data");
    if (!el || !data || !window.echarts) return;
    var d = JSON.parse(data.textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 90, right: 20, top: 10, bottom: 20 },
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: d.labels },
      series: [{ type: "bar", data: d.values, label: { show: true, position: "right" } }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
