/* The leadership dashboard (/dashboard): draws the ECharts charts from the figures rendered into the page
 * (data-figures), then asks data-api for new figures every data-refresh seconds and redraws. When the page came
 * as a shell (data-pending: the server had no figures cached and did not wait for them), it asks data-api at once
 * and fills in every number, heading and chart from the answer. No inline script (the CSP allows scripts from our
 * own origin only); the server-rendered tables are the fallback without scripts.
 * window.__dashboardFilled: performance.now() when figures were first drawn (the benchmark reads it). */
(function () {
  "use strict";

  var TEXT = "#dbe7ff";
  var AXIS = "#5b6f8f";
  var COLORS = ["#4fc3f7", "#ffb74d", "#81c784", "#e57373", "#ba68c8", "#fff176", "#4db6ac", "#f06292"];
  var charts = {};

  function fontSize() {
    return Math.max(12, Math.min(22, Math.round(window.innerWidth / 110)));
  }

  function base(extra) {
    var fs = fontSize();
    var option = {
      animation: false,
      color: COLORS,
      textStyle: { color: TEXT, fontSize: fs },
      tooltip: { trigger: "axis", renderMode: "richText" },
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true }
    };
    Object.keys(extra).forEach(function (k) {
      option[k] = extra[k];
    });
    return option;
  }

  function axis(type, data, extra) {
    var a = {
      type: type,
      axisLabel: { color: TEXT, fontSize: fontSize() },
      axisLine: { lineStyle: { color: AXIS } },
      splitLine: { lineStyle: { color: "#1f3350" } }
    };
    if (data) {
      a.data = data;
    }
    Object.keys(extra || {}).forEach(function (k) {
      a[k] = extra[k];
    });
    return a;
  }

  function short(name) {
    return String(name).replace(/^广州市/, "").replace(/^番禺区/, "");
  }

  var BUILD = {
    "chart-records": function (d) {
      var rows = d.records_by_department.slice(0, 12).reverse();
      return base({
        legend: { top: 0, textStyle: { color: TEXT } },
        grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
        xAxis: axis("value"),
        yAxis: axis("category", rows.map(function (r) { return short(r.name); })),
        series: [
          { name: "累计", type: "bar", data: rows.map(function (r) { return r.records; }) },
          { name: "本月", type: "bar", data: rows.map(function (r) { return r.this_month; }) }
        ]
      });
    },
    "chart-quality": function (d) {
      if (!d.quality.ready || d.quality.rows.length === 0) {
        return null;
      }
      var rows = d.quality.rows.filter(function (q) { return q.score !== null; }).slice(0, 12).reverse();
      return base({
        xAxis: axis("value", null, { min: 0, max: 100 }),
        yAxis: axis("category", rows.map(function (q) { return (q.rank || "") + " " + short(q.name); })),
        series: [{ name: "综合得分", type: "bar", data: rows.map(function (q) { return q.score; }),
          label: { show: true, position: "right", color: TEXT } }]
      });
    },
    "chart-grades": function (d) {
      if (!d.grades.total) {
        return null;
      }
      return base({
        tooltip: { trigger: "item", renderMode: "richText" },
        legend: { bottom: 0, textStyle: { color: TEXT } },
        series: [{
          name: "等级", type: "pie", radius: ["35%", "65%"],
          label: { color: TEXT, formatter: "{b}\n{c}" },
          data: d.grades.bands.map(function (b) { return { name: b.grade + " " + b.label, value: b.subjects }; })
        }]
      });
    },
    "chart-lists": function (d) {
      var rows = d.lists.filter(function (x) { return x.count > 0; });
      if (rows.length === 0) {
        rows = d.lists;
      }
      return base({
        xAxis: axis("value"),
        yAxis: axis("category", rows.map(function (x) { return x.name; })),
        series: [{ name: "在列", type: "bar", data: rows.map(function (x) {
          return { value: x.count, itemStyle: { color: x.kind === "red" ? "#e57373" : "#4fc3f7" } };
        }), label: { show: true, position: "right", color: TEXT } }]
      });
    },
    "chart-cases": function (d) {
      var c = d.cases;
      var kinds = ["异议", "信用修复"];
      var parts = [c.objections, c.repairs];
      return base({
        legend: { top: 0, textStyle: { color: TEXT } },
        grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
        xAxis: axis("category", kinds),
        yAxis: axis("value", null, { minInterval: 1 }),
        series: [
          { name: "已逾期", type: "bar", stack: "s", itemStyle: { color: "#e57373" },
            data: parts.map(function (p) { return p.overdue; }) },
          { name: c.due_within + "个工作日内到期", type: "bar", stack: "s", itemStyle: { color: "#ffb74d" },
            data: parts.map(function (p) { return p.due_soon; }) },
          { name: "期限内", type: "bar", stack: "s", itemStyle: { color: "#81c784" },
            data: parts.map(function (p) { return p.on_time; }) }
        ]
      });
    },
    "chart-monitoring": function (d) {
      if (d.monitoring.months.length === 0) {
        return null;
      }
      return base({
        xAxis: axis("category", d.monitoring.months),
        yAxis: axis("value", null, { min: 0, max: 100 }),
        series: [{ name: "全区得分", type: "line", data: d.monitoring.scores, symbolSize: 10,
          lineStyle: { width: 4 }, label: { show: true, position: "top", color: TEXT } }]
      });
    },
    "chart-workplan": function (d) {
      if (!d.workplan.year) {
        return null;
      }
      var colors = { "已完成": "#81c784", "正常推进": "#4fc3f7", "进度滞后": "#ffb74d", "已逾期": "#e57373" };
      return base({
        tooltip: { trigger: "item", renderMode: "richText" },
        legend: { bottom: 0, textStyle: { color: TEXT } },
        series: [{
          name: "事项", type: "pie", radius: ["35%", "65%"], label: { color: TEXT, formatter: "{b} {c}" },
          data: Object.keys(d.workplan.counts).map(function (k) {
            return { name: k, value: d.workplan.counts[k], itemStyle: { color: colors[k] } };
          })
        }]
      });
    }
  };

  var EMPTY = {
    "chart-quality": function (d) { return d.quality.ready ? "本月暂无质量通报数据" : "正在统计……"; },
    "chart-grades": function () { return "尚未开展信用评价"; },
    "chart-monitoring": function () { return "尚未计算监测指标"; },
    "chart-workplan": function () { return "尚未载入工作要点"; }
  };

  function empty(el, id, d) {
    if (charts[id]) {
      charts[id].dispose();
      delete charts[id];
    }
    var p = document.createElement("p");
    p.className = "dash-empty";
    p.textContent = EMPTY[id] ? EMPTY[id](d) : "暂无数据";
    el.textContent = "";
    el.appendChild(p);
  }

  function draw(d) {
    if (typeof echarts === "undefined") {
      return;
    }
    Object.keys(BUILD).forEach(function (id) {
      var el = document.getElementById(id);
      if (!el) {
        return;
      }
      var option = BUILD[id](d);
      if (!option) {
        empty(el, id, d); // no data (or the quality ranking still being counted): say so
        return;
      }
      var chart = charts[id];
      if (!chart) {
        el.textContent = "";
        chart = echarts.init(el, null, { renderer: "canvas" });
        charts[id] = chart;
      }
      chart.setOption(option, true);
    });
  }

  function fmt(n) {
    return Number(n).toLocaleString("en-US");
  }

  function numbers(d) {
    var c = d.cases;
    var values = {
      monitoring_month: d.monitoring.latest_month ? "（" + d.monitoring.latest_month + "）" : "",
      quality_month: "（" + d.quality.month + "）",
      grades_as_of: d.grades.as_of ? "（" + d.grades.as_of + "）" : "",
      workplan_year: d.workplan.year ? d.workplan.year + " 年" : "",
      cases_note: "即将到期：截止 " + c.due_by + "（" + c.due_within + " 个工作日）" +
        (c.calendar_note ? "；" + c.calendar_note : ""),
      as_of: d.as_of,
      computed_at: new Date(d.computed_at).toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" }),
      subjects_total: fmt(d.subjects_total),
      records_total: fmt(d.records_total),
      records_this_month: fmt(d.records_this_month),
      lists_dishonesty: fmt(d.lists_dishonesty),
      lists_red: fmt(d.lists_red),
      monitoring_score: d.monitoring.latest_score === null ? "—" : d.monitoring.latest_score.toFixed(2),
      cases_overdue: fmt(d.cases.objections.overdue + d.cases.repairs.overdue)
    };
    Object.keys(values).forEach(function (k) {
      var el = document.querySelector('[data-k="' + k + '"]');
      if (el) {
        el.textContent = values[k];
      }
    });
    var list = document.getElementById("workplan-late");
    if (list) {
      var late = d.workplan.items.filter(function (i) { return i.status === "overdue" || i.status === "at_risk"; });
      list.textContent = "";
      late.forEach(function (i) {
        var li = document.createElement("li");
        li.className = "dash-item-" + i.status;
        var no = document.createElement("span");
        no.className = "dash-item-no";
        no.textContent = i.numeral;
        var tag = document.createElement("span");
        tag.className = "dash-tag";
        tag.textContent = i.status_label + " · " + i.percent + "%";
        li.appendChild(no);
        li.appendChild(document.createTextNode(" " + i.title + " "));
        li.appendChild(tag);
        list.appendChild(li);
      });
      if (late.length === 0) {
        var none = document.createElement("li");
        none.className = "dash-empty";
        none.textContent = "无滞后或逾期事项";
        list.appendChild(none);
      }
    }
  }

  function start() {
    var root = document.getElementById("dashboard");
    if (!root) {
      return;
    }
    var status = document.getElementById("dash-status");
    var pending = root.hasAttribute("data-pending");
    var figures = null;
    if (!pending) {
      try {
        figures = JSON.parse(root.getAttribute("data-figures") || "{}");
      } catch (e) {
        return;
      }
      draw(figures);
      window.__dashboardDrawn = Object.keys(charts).length;
      window.__dashboardFilled = performance.now();
    }
    var seconds = Math.max(1, parseInt(root.getAttribute("data-refresh"), 10) || 60);
    var api = root.getAttribute("data-api");

    function filled() {
      if (pending) {
        pending = false;
        root.removeAttribute("data-pending");
        root.removeAttribute("aria-busy");
        window.__dashboardDrawn = Object.keys(charts).length;
        window.__dashboardFilled = performance.now();
      }
    }

    function poll() {
      fetch(api, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (!r.ok) {
            throw new Error(String(r.status));
          }
          return r.json();
        })
        .then(function (d) {
          figures = d;
          numbers(d);
          draw(d);
          filled();
          window.__dashboardPolls = (window.__dashboardPolls || 0) + 1;
          if (status) {
            status.textContent = "";
          }
        })
        .catch(function () {
          if (status) {
            status.textContent = pending ? "（统计数据加载失败，稍后自动重试）" : "（刷新失败，显示上次数据）";
          }
          if (pending) {
            window.setTimeout(poll, 5000);
          }
        });
    }
    if (pending) {
      poll(); // the shell: fetch the figures now
    }
    window.setInterval(poll, seconds * 1000);

    var resize;
    window.addEventListener("resize", function () {
      window.clearTimeout(resize);
      resize = window.setTimeout(function () {
        Object.keys(charts).forEach(function (id) {
          charts[id].resize();
        });
        if (figures) {
          draw(figures);
        }
      }, 150);
    });
    var full = document.getElementById("dash-full");
    if (full && root.requestFullscreen) {
      full.addEventListener("click", function () {
        if (document.fullscreenElement) {
          document.exitFullscreen();
        } else {
          root.requestFullscreen();
        }
      });
    } else if (full) {
      full.hidden = true;
    }
  }

  document.addEventListener("DOMContentLoaded", start);
})();
