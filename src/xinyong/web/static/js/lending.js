/* The chart of /lending/stats (信易贷推广统计): approved amounts and registrations per town, sector or institution. */
xinyongChart("lending-stats-chart", function (d, el) {
  "use strict";
  if (!d.labels || d.labels.length === 0) {
    el.textContent = "暂无数据";
    return null;
  }
  return {
    height: "340px",
    holder: "keep",
    option: {
      animation: false,
      legend: { top: 0 },
      grid: { left: 56, right: 56, top: 40, bottom: 80 },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: d.labels, axisLabel: { rotate: 30, interval: 0 } },
      yAxis: [
        { type: "value", name: "万元" },
        { type: "value", name: "家", minInterval: 1 }
      ],
      series: [
        { name: "获批金额", type: "bar", data: d.approved_amount, itemStyle: { color: "#c0392b" } },
        { name: "注册企业", type: "line", yAxisIndex: 1, data: d.registrations, itemStyle: { color: "#2c6fbb" } }
      ]
    }
  };
});
