/* The charts of /quality (数据质量通报), drawn with the vendored ECharts (static/vendor/echarts).
 *
 * Each chart container carries its data as JSON in data-chart (rendered and escaped by the server), so the
 * page needs no inline script: the CSP allows scripts from our own origin only. Sizes are set here through
 * the CSSOM (style attributes would need 'unsafe-inline'), and tooltips are drawn on the canvas
 * (renderMode "richText") instead of as HTML with inline styles. */
(function () {
  "use strict";

  var HEIGHT = "360px";

  function data(el) {
    try {
      return JSON.parse(el.getAttribute("data-chart") || "{}");
    } catch (e) {
      return null;
    }
  }

  function percent(value) {
    return value === null || value === undefined ? "—" : value.toFixed(2) + "%";
  }

  function base(d) {
    return {
      animation: false,
      grid: { left: 48, right: 16, top: 40, bottom: 96 },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: {
        type: "category",
        data: d.departments,
        axisLabel: { interval: 0, rotate: d.departments.length > 6 ? 30 : 0 }
      }
    };
  }

  function scoreChart(el, d) {
    var option = base(d);
    option.yAxis = { type: "value", min: 0, max: 100, name: "得分" };
    option.series = [
      {
        name: "综合得分",
        type: "bar",
        data: d.scores,
        itemStyle: { color: "#c0392b" },
        label: { show: true, position: "top" }
      }
    ];
    return option;
  }

  function shareChart(el, d) {
    var option = base(d);
    option.legend = { top: 0 };
    option.yAxis = { type: "value", min: 0, name: "%" };
    option.tooltip.valueFormatter = percent;
    option.series = [
      { name: "迟报率", type: "bar", stack: "share", data: d.late, itemStyle: { color: "#e67e22" } },
      { name: "不合规率", type: "bar", stack: "share", data: d.invalid, itemStyle: { color: "#8e44ad" } },
      { name: "瞒报率", type: "bar", stack: "share", data: d.omission, itemStyle: { color: "#7f8c8d" } }
    ];
    return option;
  }

  function draw(id, build) {
    var el = document.getElementById(id);
    if (!el || typeof window.echarts === "undefined") {
      return null;
    }
    var d = data(el);
    if (!d || !d.departments) {
      return null;
    }
    el.style.width = "100%";
    el.style.height = HEIGHT;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(build(el, d));
    el.setAttribute("data-rendered", "true");
    return chart;
  }

  function start() {
    var charts = [draw("quality-score-chart", scoreChart), draw("quality-share-chart", shareChart)];
    window.addEventListener("resize", function () {
      charts.forEach(function (c) {
        if (c) {
          c.resize();
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
