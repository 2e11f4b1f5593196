/* The chart of /lending/stats (信易贷推广统计), drawn with the vendored ECharts from the JSON in data-chart
 * (no inline script: the CSP allows scripts from our own origin only; sizes set through the CSSOM). */
(function () {
  "use strict";

  function draw() {
    var el = document.getElementById("lending-stats-chart");
    if (!el || typeof echarts === "undefined") {
      return;
    }
    var d;
    try {
      d = JSON.parse(el.getAttribute("data-chart") || "{}");
    } catch (e) {
      return;
    }
    if (!d.labels || d.labels.length === 0) {
      el.textContent = "暂无数据";
      return;
    }
    el.style.height = "340px";
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      legend: { top: 0 },
      grid: { left: 56, right: 56, top: 40, bottom: 80 },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: d.labels, axisLabel: { rotate: 30, interval: 0 } },
      yAxis: [
        { type: "value", name: "万元" },
        { type: "value", name: "家", minInterval: 1 }
      ],
      series: [
        { name: "获批金额", type: "bar", data: d.approved_amount, itemStyle: { color: "#c0392b" } },
        { name: "注册企业", type: "line", yAxisIndex: 1, data: d.registrations, itemStyle: { color: "#2c6fbb" } }
      ]
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
