// Draws a group's score history (catalogs/group_detail.html) with the vendored ECharts.
(function () {
  const rows = JSON.parse(document.getElementById("score-history-data").textContent);
  const el = document.getElementById("score-history");
  if (rows.length < 2 || typeof echarts === "undefined") { el.style.display = "none"; return; }
  echarts.init(el).setOption({
    animation: false, tooltip: {trigger: "axis"}, grid: {left: 60, right: 10, top: 20, bottom: 40},
    xAxis: {type: "category", data: rows.map((r) => r[0])}, yAxis: {type: "value", scale: true},
    series: [{type: "line", data: rows.map((r) => Number(r[1])), label: {show: true}}],
  });
})();
