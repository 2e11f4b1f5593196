/* /monitoring: the district score trend; /monitoring/city: the city's published district scores as bars, our
 * district and our computed score marked. The server-rendered tables are the fallback without scripts. */
xinyongChart("monitoring-trend-chart", function (d) {
  "use strict";
  if (!d.months || d.months.length === 0) {
    return null;
  }
  return {
    height: "300px",
    holder: "replace",
    option: {
      animation: false,
      grid: { left: 48, right: 16, top: 32, bottom: 40 },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: d.months },
      yAxis: { type: "value", name: "得分", min: 0, max: 100 },
      series: [
        { name: "全区得分", type: "line", data: d.scores, itemStyle: { color: "#c0392b" }, label: { show: true, position: "top" } }
      ]
    }
  };
});

xinyongChart("monitoring-city-chart", function (d) {
  "use strict";
  if (!d.bars || d.bars.length === 0) {
    return null;
  }
  var bars = d.bars.slice().reverse();
  return {
    height: Math.max(240, 36 * d.bars.length + 60) + "px",
    holder: "replace",
    option: {
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
    }
  };
});
