/* One way to draw a page's ECharts chart from the JSON in its element's data-chart attribute (no inline script:
 * the CSP allows scripts from our own origin only; sizes set through the CSSOM). A page script calls
 *   xinyongChart(id, function (data, el) { ...; return {height: "300px", option: {...}, holder: "replace"}; })
 * ``holder``: "replace" clears the element's server-rendered fallback (a table) and draws into it; "prepend"
 * keeps the fallback below and draws into a new box above it; "keep" draws into the element as it is. Returning
 * nothing draws nothing (no data: the fallback stays). Loaded before the page script, both deferred. */
(function () {
  "use strict";

  function draw(id, build) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") {
      return;
    }
    var data;
    try {
      data = JSON.parse(el.getAttribute("data-chart") || "{}");
    } catch (e) {
      return;
    }
    var spec = build(data, el);
    if (!spec) {
      return;
    }
    var target = el;
    if (spec.holder === "prepend") {
      target = document.createElement("div");
      el.insertBefore(target, el.firstChild);
    } else if (spec.holder === "replace") {
      el.textContent = "";
    }
    target.style.height = spec.height;
    var chart = echarts.init(target, null, { renderer: "canvas" });
    chart.setOption(spec.option);
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  window.xinyongChart = function (id, build) {
    document.addEventListener("DOMContentLoaded", function () {
      draw(id, build);
    });
  };
})();
