/* The district score trend of /monitoring, drawn with the vendored ECharts from the JSON in data-chart
 * (no inline script: the CSP allows scripts from our own origin only; sizes set through the CSSOM). */
(function () {
  "use strict";

  function draw() {
    var el = document.getElementById("monitoring-trend-chart");
    if (!el || typeof echarts === "undefined") {
      return;
    }
    var d;
    try {
      d = JSON.parse(el.getAttribute("data-chart") || "{}");
    } catch (e) {
      return;
    }
    if (!d.months || d.months.length === 0) {
      return;
    }
    el.textContent = ""; // the server-rendered table is the fallback without scripts
    el.style.height = "300px";
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 32, bottom: 40 },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: d.months },
      yAxis: { type: "value", name: "得分", min: 0, max: 100 },
      series: [
        {
          name: "全区得分",
          type: "line",
          data: d.scores,
          itemStyle: { color: "#c0392b" },
          label: { show: true, position: "top" }
        }
      ]
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
