// Dashboard charts: the data comes from the page's data-charts attribute (no inline script; strict CSP).
(function () {
  "use strict";
  var box = document.getElementById("charts");
  if (!box || typeof echarts === "undefined") { return; }
  var data = JSON.parse(box.getAttribute("data-charts"));
  var en = box.getAttribute("data-lang") === "en";
  function L(zh, e) { return en ? e : zh + " " + e; }
  function bar(id, title, rows, horizontal) {
    var el = document.getElementById(id);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var names = rows.map(function (r) { return en && r.en ? r.en : r.name; });
    var values = rows.map(function (r) { return r.value; });
    var cat = { type: "category", data: names, axisLabel: { interval: 0, width: 150, overflow: "truncate" } };
    var val = { type: "value", minInterval: 1 };
    chart.setOption({
      tooltip: {},
      grid: { left: horizontal ? 160 : 40, right: 20, top: 10, bottom: 30 },
      xAxis: horizontal ? val : cat,
      yAxis: horizontal ? Object.assign({}, cat, { inverse: true }) : val,
      series: [{ type: "bar", data: values, itemStyle: { color: "#8b0000" } }],
      animation: false
    });
    el.setAttribute("data-rendered", String(rows.length));
  }
  bar("chart-types", L("按问题类型", "Findings by problem type"), data.types, true);
  bar("chart-provinces", L("按省份（案件）", "Cases by province"), data.provinces, true);
  bar("chart-stores", L("按应用商店（案件）", "Cases by store"), data.stores, true);
  bar("chart-sdks", L("按SDK（问题）", "Findings by SDK"), data.sdks, true);
  var trend = echarts.init(document.getElementById("chart-trend"), null, { renderer: "canvas" });
  trend.setOption({
    tooltip: { trigger: "axis" },
    grid: { left: 50, right: 20, top: 10, bottom: 30 },
    xAxis: { type: "category", data: data.trend.months },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: L("检出问题", "findings"), type: "line", data: data.trend.findings, itemStyle: { color: "#8b0000" } },
      { name: L("新立案件", "new cases"), type: "line", data: data.trend.cases, itemStyle: { color: "#1f5fa8" } }
    ],
    animation: false
  });
  document.getElementById("chart-trend").setAttribute("data-rendered", String(data.trend.months.length));
})();
