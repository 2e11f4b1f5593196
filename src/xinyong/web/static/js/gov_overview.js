/* /government/overview: the overview's charts (the same figures in every data-chart; the tables below are the
 * fallback), drawn through charts.js. */
(function () {
  "use strict";

  function chart(id, height, option) {
    xinyongChart(id, function (d) {
      return { height: height + "px", holder: "replace", option: option(d) };
    });
  }

  chart("gov-contracts-chart", 260, function (d) {
    return {
      animation: false,
      tooltip: { trigger: "item", renderMode: "richText" },
      series: [{ name: "合同", type: "pie", radius: ["35%", "65%"], data: d.contracts, label: { formatter: "{b}: {c}" } }]
    };
  });

  chart("gov-arrears-chart", 260, function (d) {
    return {
      animation: false,
      grid: { left: 8, right: 16, top: 24, bottom: 24, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: d.arrears.kinds },
      yAxis: { type: "value", name: "元" },
      series: [{ name: "尚欠", type: "bar", data: d.arrears.outstanding, itemStyle: { color: "#c0392b" } }]
    };
  });

  chart("gov-cases-chart", 280, function (d) {
    return {
      animation: false,
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 24, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: d.cases.units },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "未结", type: "bar", stack: "c", data: d.cases.open, itemStyle: { color: "#e67e22" } },
        { name: "已结", type: "bar", stack: "c", data: d.cases.closed, itemStyle: { color: "#27ae60" } },
        { name: "整改逾期", type: "line", data: d.cases.overdue, itemStyle: { color: "#c0392b" } }
      ]
    };
  });

  chart("gov-records-chart", 280, function (d) {
    return {
      animation: false,
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 40, bottom: 24, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: d.records.months },
      yAxis: { type: "value", minInterval: 1 },
      series: d.records.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "r", data: s.data };
      })
    };
  });

  chart("gov-campaigns-chart", 280, function (d) {
    return {
      animation: false,
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 40, bottom: 24, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: d.campaigns.map(function (c) { return c.name; }) },
      series: d.target_labels.map(function (label, i) {
        return { name: label, type: "bar", stack: "t", data: d.campaigns.map(function (c) { return c.targets[i]; }) };
      })
    };
  });
})();
