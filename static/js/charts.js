// Draws the dashboard charts with the vendored ECharts. Each [data-chart] element names the json_script
// element holding its spec (audit/dashboards/charts.py): categories, series of decimal strings, marks.
(function () {
  "use strict";
  const PALETTE = ["#0d6efd", "#fd7e14", "#198754", "#dc3545", "#6f42c1", "#20c997", "#6c757d"];

  function num(value) {
    return value === null || value === undefined ? null : Number(value);
  }

  function marks(spec) {
    const axis = spec.horizontal ? "xAxis" : "yAxis";
    return {
      symbol: "none",
      label: { formatter: "{b}：{c}", position: spec.horizontal ? "end" : "insideEndTop" },
      data: spec.marks.map(function (mark) { return { name: mark.name, [axis]: num(mark.value) }; }),
    };
  }

  function option(spec) {
    const category = { type: "category", data: spec.categories, axisLabel: spec.horizontal ? { interval: 0, width: 150, overflow: "truncate" } : {} };
    const value = { type: "value", name: spec.unit || "" };
    const series = spec.series.map(function (s, i) {
      const drawn = { name: s.name, type: s.type, data: s.data.map(num), connectNulls: true };
      if (s.stack) drawn.stack = s.stack;
      if (s.dashed) drawn.lineStyle = { type: "dashed" };
      if (i === 0 && spec.marks.length) drawn.markLine = marks(spec);
      return drawn;
    });
    return {
      color: PALETTE,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 10, right: 40, top: 40, bottom: 10, containLabel: true },
      xAxis: spec.horizontal ? value : category,
      yAxis: spec.horizontal ? category : value,
      series: series,
    };
  }

  function isEmpty(spec) {
    return !spec.categories.length || spec.series.every(function (s) { return s.data.every(function (v) { return v === null; }); });
  }

  function draw(element) {
    const spec = JSON.parse(document.getElementById(element.dataset.chart).textContent);
    if (isEmpty(spec) || typeof echarts === "undefined") {
      element.textContent = element.dataset.empty || "暂无数据";
      element.classList.add("text-muted", "small");
      element.style.height = "auto";
      return;
    }
    if (spec.horizontal) element.style.height = Math.max(240, 24 * spec.categories.length + 80) + "px";
    const chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option(spec));
    window.addEventListener("resize", function () { chart.resize(); });
    element.dataset.rendered = "true";
  }

  document.querySelectorAll("[data-chart]").forEach(draw);
})();
