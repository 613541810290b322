/* The map of Guangxi by city (templates/public/map.html): the figures come from the page's JSON data
   block and the outline from the locally served province map; a click on a city opens the list the
   chosen measure links to. No inline script, so the Content-Security-Policy `script-src 'self'` holds. */
(function () {
  "use strict";

  var holder = document.getElementById("city-map");
  var data = document.getElementById("city-map-data");
  if (!holder || !data || !window.echarts || !window.fetch) { return; }
  var spec = JSON.parse(data.textContent);
  var chart = null;
  var measure = "listed";

  function option() {
    var values = spec.rows.map(function (r) { return { name: r.name, value: r[measure], code: r.code }; });
    var max = Math.max.apply(null, values.map(function (v) { return v.value; }).concat([1]));
    return {
      tooltip: {
        trigger: "item",
        formatter: function (p) { return p.name + "<br>" + spec.measures[measure] + "：" + (p.value || 0); }
      },
      visualMap: {
        min: 0, max: max, left: 8, bottom: 8, calculable: false, text: ["多", "少"],
        inRange: { color: ["#e8f3ee", "#0b5d3b"] }
      },
      series: [{
        type: "map", map: "guangxi", roam: false, data: values,
        label: { show: true, fontSize: 11 },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#f2a93b" } },
        select: { disabled: true }
      }]
    };
  }

  function draw() { if (chart) { chart.setOption(option(), true); } }

  var radios = document.querySelectorAll("#map-measures input[name=measure]");
  Array.prototype.forEach.call(radios, function (radio) {
    radio.addEventListener("change", function () { measure = radio.value; draw(); });
  });

  fetch(holder.getAttribute("data-geo")).then(function (r) { return r.json(); }).then(function (geo) {
    window.echarts.registerMap("guangxi", geo);
    chart = window.echarts.init(holder);
    chart.on("click", function (p) {
      var base = spec.links[measure];
      if (base && p.data && p.data.code) { window.location.href = base + p.data.code; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
    draw();
  });
}());
