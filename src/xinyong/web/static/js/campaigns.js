/* The target-status chart of /special-campaigns/{id}: targets by status; the <progress> bars beside it are the
 * fallback without scripts. */
xinyongChart("campaign-status-chart", function (d) {
  "use strict";
  if (!d.statuses || d.statuses.length === 0) {
    return null;
  }
  return {
    height: "300px",
    holder: "keep",
    option: {
      animation: false,
      grid: { left: 48, right: 16, top: 32, bottom: 40 },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: d.statuses },
      yAxis: { type: "value", name: "治理对象", minInterval: 1 },
      series: [
        { name: "治理对象", type: "bar", data: d.counts || [], itemStyle: { color: "#c0392b" }, label: { show: true, position: "top" } }
      ]
    }
  };
});
