/* Statistics dashboards: turn the chart specifications of the page (a JSON data block written by
   platform/stats/charts.py) into Apache ECharts charts. No data lives here; no inline script is
   needed, so the Content-Security-Policy `script-src 'self'` holds. */
(function () {
  "use strict";

  var PALETTE = ["#0b5d3b", "#3f9f6f", "#f2a93b", "#5470c6", "#b42318", "#91cc75", "#73c0de"];

  function title(text) {
    return { text: text, left: "center", textStyle: { fontSize: 14, fontWeight: 600 } };
  }

  function bars(spec) {
    var axes = spec.axes || [""];
    var longest = Math.max.apply(null, spec.categories.map(function (c) { return String(c).length; }).concat([0]));
    var slanted = spec.categories.length > 8 || (spec.categories.length > 3 && longest > 6);
    return {
      color: PALETTE,
      title: title(spec.title),
      tooltip: { trigger: "axis" },
      legend: { top: 26 },
      // containLabel: the grid grows around its axis labels, so a long city or industry name is not cut.
      grid: { top: 70, left: 16, right: 16, bottom: 16, containLabel: true },
      xAxis: {
        type: "category",
        data: spec.categories,
        axisLabel: { interval: 0, rotate: slanted ? 35 : 0, width: slanted ? 140 : 90, overflow: "break" }
      },
      yAxis: axes.map(function (unit) { return { type: "value", name: unit }; }),
      series: spec.series.map(function (s) {
        return {
          name: s.name,
          type: s.kind === "line" ? "line" : "bar",
          yAxisIndex: s.axis || 0,
          data: s.data,
          barMaxWidth: 28
        };
      })
    };
  }

  function progress(spec) {
    return {
      color: PALETTE,
      title: title(spec.title),
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
      legend: { top: 26 },
      grid: { top: 70, left: 16, right: 48, bottom: 16, containLabel: true },
      xAxis: { type: "value", name: "%", max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); } },
      yAxis: { type: "category", data: spec.categories, axisLabel: { width: 120, overflow: "break" } },
      series: spec.series.map(function (s, i) {
        var series = { name: s.name, type: "bar", data: s.data, barMaxWidth: 18,
                       label: { show: true, position: "right", formatter: "{c}%" } };
        if (i === 0) {
          series.markLine = { symbol: "none", data: [{ xAxis: 100, name: "目标" }],
                              lineStyle: { color: "#b42318", type: "dashed" }, label: { formatter: "目标" } };
        }
        return series;
      })
    };
  }

  function pie(spec) {
    return {
      color: PALETTE,
      title: title(spec.title),
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "62%"], center: ["50%", "52%"], data: spec.data,
                 label: { formatter: "{b}\n{c}" } }]
    };
  }

  var BUILDERS = { bars: bars, progress: progress, pie: pie };

  function render() {
    var block = document.getElementById("stats-charts");
    if (!block || typeof echarts === "undefined") {
      return;
    }
    var specs = JSON.parse(block.textContent).charts;
    var charts = [];
    specs.forEach(function (spec) {
      var element = document.getElementById(spec.id);
      var build = BUILDERS[spec.type];
      if (!element || !build) {
        return;
      }
      var chart = echarts.init(element, null, { renderer: "svg", locale: "ZH" });
      chart.setOption(build(spec));
      element.setAttribute("data-rendered", "true");
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
