// The budget waterfall (budgets/budget_detail.html): income down to pools and categories, with the vendored ECharts.
(function () {
  const steps = JSON.parse(document.getElementById("waterfall-data").textContent);
  const el = document.getElementById("waterfall");
  if (!steps.length || typeof echarts === "undefined") { el.textContent = steps.length ? "" : "尚未编制预算行。"; return; }
  const colors = {income: "#0d6efd", reserve: "#dc3545", carve_out: "#fd7e14", pool: "#198754", category: "#20c997"};
  const wan = (v) => Math.round(Number(v) / 100) / 100;  // yuan -> 10k yuan, display only
  echarts.init(el).setOption({
    animation: false,
    tooltip: {trigger: "axis", axisPointer: {type: "shadow"},
      formatter: (p) => p[1].name + "：" + p[1].value.toLocaleString("zh-CN") + " 万元"},
    grid: {left: 70, right: 10, bottom: 90, top: 25},
    xAxis: {type: "category", data: steps.map((s) => s.name), axisLabel: {interval: 0, rotate: 35}},
    yAxis: {type: "value"},
    series: [
      {type: "bar", stack: "w", silent: true, itemStyle: {color: "transparent"}, data: steps.map((s) => wan(s.base))},
      {type: "bar", stack: "w", data: steps.map((s) => ({value: wan(s.amount), itemStyle: {color: colors[s.kind]}})),
       label: {show: true, position: "top", fontSize: 10}},
    ],
  });
})();
