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

/* /monitoring/city: the city's published district scores as bars, our district and our computed score marked. */
(function () {
  "use strict";

  function drawCity() {
    var el = document.getElementById("monitoring-city-chart");
    if (!el || typeof echarts === "undefined") {
      return;
    }
    var d;
    try {
      d = JSON.parse(el.getAttribute("data-chart") || "{}");
    } catch (e) {
      return;
    }
    if (!d.bars || d.bars.length === 0) {
      return;
    }
    el.textContent = "";
    el.style.height = Math.max(240, 36 * d.bars.length + 60) + "px";
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var bars = d.bars.slice().reverse();
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 48, top: 16, bottom: 24, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", data: bars.map(function (b) { return b.name; }) },
      series: [
        {
          name: "得分",
          type: "bar",
          data: bars.map(function (b) {
            var color = b.computed ? "#e67e22" : b.own ? "#c0392b" : "#7f8c8d";
            return { value: b.score, itemStyle: { color: color } };
          }),
          label: { show: true, position: "right" }
        }
      ]
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  document.addEventListener("DOMContentLoaded", drawCity);
})();
