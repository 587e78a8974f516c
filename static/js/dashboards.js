// Draws each dashboard chart from the figures in the page's #dashboard-charts JSON block
// (Chart.js from static/vendor; no inline script: the Content-Security-Policy forbids it).
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var palette = ["#0d6efd", "#198754", "#dc3545", "#fd7e14", "#6f42c1", "#20c997"];
  var charts = JSON.parse(source.textContent);
  charts.forEach(function (chart) {
    var canvas = document.getElementById(chart.id);
    if (!canvas) {
      return;
    }
    var datasets = chart.datasets.map(function (dataset, index) {
      var colour = palette[index % palette.length];
      return {
        label: dataset.label,
        data: dataset.data,
        borderColor: colour,
        backgroundColor: chart.type === "line" ? colour : colour + "cc",
        borderWidth: 2,
        spanGaps: false,
        tension: 0.1
      };
    });
    var chartObject = new window.Chart(canvas, {
      type: chart.type,
      data: { labels: chart.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: chart.stacked },
          y: { stacked: chart.stacked, beginAtZero: true }
        }
      }
    });
    canvas.dataset.rendered = "1";
    canvas.chart = chartObject;
  });
})();
