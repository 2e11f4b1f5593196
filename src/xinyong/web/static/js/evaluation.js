/* The grade distribution chart of /evaluation, drawn with the vendored ECharts from the JSON in data-chart
 * (no inline script: the CSP allows scripts from our own origin only; sizes set through the CSSOM). */
(function () {
  "use strict";

  function draw() {
    var el = document.getElementById("evaluation-grade-chart");
    if (!el || typeof echarts === "undefined") {
      return;
    }
    var d;
    try {
      d = JSON.parse(el.getAttribute("data-chart") || "{}");
    } catch (e) {
      return;
    }
    el.style.height = "320px";
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 32, bottom: 40 },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: d.grades || [] },
      yAxis: { type: "value", name: "主体数", minInterval: 1 },
      series: [
        {
          name: "主体数",
          type: "bar",
          data: d.subjects || [],
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
