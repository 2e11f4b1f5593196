/* /government/overview: the overview's charts, drawn with the vendored ECharts from the JSON in data-chart
 * (no inline script: the CSP allows scripts from our own origin only). The tables below are the fallback. */
(function () {
  "use strict";

  function data(el) {
    try {
      return JSON.parse(el.getAttribute("data-chart") || "{}");
    } catch (e) {
      return null;
    }
  }

  function init(id, height) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") {
      return null;
    }
    var d = data(el);
    if (!d) {
      return null;
    }
    el.textContent = "";
    el.style.height = height + "px";
    var chart = echarts.init(el, null, { renderer: "canvas" });
    window.addEventListener("resize", function () {
      chart.resize();
    });
    return { chart: chart, d: d };
  }

  function draw() {
    var c = init("gov-contracts-chart", 260);
    if (c) {
      c.chart.setOption({
        animation: false,
        tooltip: { trigger: "item", renderMode: "richText" },
        series: [{ name: "合同", type: "pie", radius: ["35%", "65%"], data: c.d.contracts, label: { formatter: "{b}: {c}" } }]
      });
    }
    var a = init("gov-arrears-chart", 260);
    if (a) {
      a.chart.setOption({
        animation: false,
        grid: { left: 8, right: 16, top: 24, bottom: 24, containLabel: true },
        tooltip: { trigger: "axis", renderMode: "richText" },
        xAxis: { type: "category", data: a.d.arrears.kinds },
        yAxis: { type: "value", name: "元" },
        series: [{ name: "尚欠", type: "bar", data: a.d.arrears.outstanding, itemStyle: { color: "#c0392b" } }]
      });
    }
    var k = init("gov-cases-chart", 280);
    if (k) {
      k.chart.setOption({
        animation: false,
        legend: { top: 0 },
        grid: { left: 8, right: 16, top: 32, bottom: 24, containLabel: true },
        tooltip: { trigger: "axis", renderMode: "richText" },
        xAxis: { type: "category", data: k.d.cases.units },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: "未结", type: "bar", stack: "c", data: k.d.cases.open, itemStyle: { color: "#e67e22" } },
          { name: "已结", type: "bar", stack: "c", data: k.d.cases.closed, itemStyle: { color: "#27ae60" } },
          { name: "整改逾期", type: "line", data: k.d.cases.overdue, itemStyle: { color: "#c0392b" } }
        ]
      });
    }
    var r = init("gov-records-chart", 280);
    if (r) {
      r.chart.setOption({
        animation: false,
        legend: { top: 0 },
        grid: { left: 8, right: 16, top: 40, bottom: 24, containLabel: true },
        tooltip: { trigger: "axis", renderMode: "richText" },
        xAxis: { type: "category", data: r.d.records.months },
        yAxis: { type: "value", minInterval: 1 },
        series: r.d.records.series.map(function (s) {
          return { name: s.name, type: "bar", stack: "r", data: s.data };
        })
      });
    }
    var p = init("gov-campaigns-chart", 280);
    if (p) {
      p.chart.setOption({
        animation: false,
        legend: { top: 0 },
        grid: { left: 8, right: 16, top: 40, bottom: 24, containLabel: true },
        tooltip: { trigger: "axis", renderMode: "richText" },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: p.d.campaigns.map(function (c) { return c.name; }) },
        series: p.d.target_labels.map(function (label, i) {
          return {
            name: label,
            type: "bar",
            stack: "t",
            data: p.d.campaigns.map(function (c) { return c.targets[i]; })
          };
        })
      });
    }
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
