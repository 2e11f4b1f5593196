/* The usage chart of /incentives/admin (eligible / not eligible / refused per scenario); the server-rendered table
 * stays below as the accessible fallback. */
xinyongChart("incentive-stats-chart", function (d) {
  "use strict";
  if (!d.scenarios || d.scenarios.length === 0) {
    return null;
  }
  return {
    height: "300px",
    holder: "prepend",
    option: {
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
    }
  };
});
