/* The home page's charts (/), drawn with the vendored ECharts from the JSON in each container's data-chart
 * (no inline script: the CSP allows scripts from our own origin only; sizes set through the CSSOM). Without
 * scripts, or before they load, the numbers stay readable in the table under each chart; once a chart is
 * drawn its table folds away (it stays one click away, and it is what print shows). */
(function () {
  "use strict";

  var RED = "#b3261e";
  var GREY = "#5f6670";
  var GOLD = "#c98a00";
  var PALETTE = ["#1565c0", RED, "#2e7d32", "#ef6c00"];

  function data(el) {
    try {
      return JSON.parse(el.getAttribute("data-chart") || "{}");
    } catch (e) {
      return null;
    }
  }

  function shortMonth(m) {
    // "2026-01" -> "2026年1月" for January, else "2月"…
    var parts = String(m).split("-");
    var month = parseInt(parts[1], 10);
    return month === 1 ? parts[0] + "年1月" : month + "月";
  }

  function base() {
    return {
      animation: false,
      color: PALETTE,
      tooltip: { trigger: "axis", renderMode: "richText" },
      grid: { left: 48, right: 16, top: 36, bottom: 36, containLabel: true }
    };
  }

  var builders = {
    "chart-records": function (d) {
      var option = base();
      option.legend = { top: 0 };
      option.xAxis = { type: "category", data: (d.months || []).map(shortMonth) };
      option.yAxis = { type: "value", minInterval: 1 };
      option.series = (d.series || []).map(function (s) {
        return { name: s.name, type: "bar", data: s.data, barMaxWidth: 18 };
      });
      return option;
    },
    "chart-lists": function (d) {
      var option = base();
      option.grid = { left: 8, right: 40, top: 8, bottom: 8, containLabel: true };
      option.xAxis = { type: "value", minInterval: 1 };
      option.yAxis = { type: "category", inverse: true, data: d.names || [], axisLabel: { width: 150, overflow: "truncate" } };
      option.series = [
        {
          name: "在列主体",
          type: "bar",
          barMaxWidth: 18,
          label: { show: true, position: "right" },
          data: (d.values || []).map(function (v, i) {
            var kind = (d.kinds || [])[i];
            return { value: v, itemStyle: { color: kind === "red" ? GOLD : kind === "received" ? GREY : RED } };
          })
        }
      ];
      return option;
    },
    "chart-repairs": function (d) {
      var option = base();
      option.xAxis = { type: "category", data: (d.months || []).map(shortMonth) };
      option.yAxis = { type: "value", minInterval: 1 };
      option.series = [
        { name: "准予修复", type: "line", data: d.values || [], smooth: false, symbolSize: 6, areaStyle: { opacity: 0.12 }, itemStyle: { color: "#2e7d32" } }
      ];
      return option;
    }
  };

  function draw() {
    if (typeof echarts === "undefined") {
      return;
    }
    var charts = [];
    Object.keys(builders).forEach(function (id) {
      var el = document.getElementById(id);
      var d = el && data(el);
      if (!d) {
        return;
      }
      el.style.height = id === "chart-lists" ? Math.max(200, 34 * (d.names || []).length + 24) + "px" : "280px";
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(builders[id](d));
      charts.push(chart);
      var table = el.parentNode.querySelector("details.chart-data");
      if (table) {
        table.open = false;
      }
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) {
        c.resize();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
