/* The usage chart of /incentives/admin (eligible / not eligible / refused per scenario), drawn with the vendored
 * ECharts from the JSON in data-chart (no inline script: the CSP allows scripts from our own origin only). */
(function () {
  "use strict";

  function draw() {
    var el = document.getElementById("incentive-stats-chart");
    if (!el || typeof echarts === "undefined") {
      return;
    }
    var d;
    try {
      d = JSON.parse(el.getAttribute("data-chart") || "{}");
    } catch (e) {
      return;
    }
    if (!d.scenarios || d.scenarios.length === 0) {
      return;
    }
    var holder = document.createElement("div");
    holder.style.height = "300px";
    el.insertBefore(holder, el.firstChild); // the server-rendered table stays below as the accessible fallback
    var chart = echarts.init(holder, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 40, bottom: 40 },
      legend: { top: 0 },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: d.scenarios },
      yAxis: { type: "value", name: "次数", minInterval: 1 },
      series: [
        { name: "符合", type: "bar", stack: "all", data: d.eligible, itemStyle: { color: "#27ae60" } },
        { name: "不符合", type: "bar", stack: "all", data: d.not_eligible, itemStyle: { color: "#95a5a6" } },
        { name: "拒绝", type: "bar", stack: "all", data: d.refused, itemStyle: { color: "#c0392b" } }
      ]
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
