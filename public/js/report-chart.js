// Draws the completion chart of a report page with Chart.js. The data comes from a JSON block in
// the page (the CSP forbids inline scripts); the table next to the chart holds the same numbers.
(function () {
  'use strict';
  var canvas = document.getElementById('kv-report-chart');
  var source = document.getElementById('kv-report-chart-data');
  if (!canvas || !source || typeof window.Chart === 'undefined') return;
  var data = JSON.parse(source.textContent || '{}');
  // Colour-blind-safe palette (Okabe–Ito), darker shades for contrast against white.
  var colours = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'];
  var datasets = (data.datasets || []).map(function (set, i) {
    return {
      label: set.label,
      data: set.data,
      backgroundColor: colours[i % colours.length],
      borderColor: colours[i % colours.length],
    };
  });
  var horizontal = (data.labels || []).length > 8;
  var scales = {};
  scales[horizontal ? 'x' : 'y'] = {
    min: 0,
    max: 100,
    title: { display: true, text: 'Fullføringsgrad (%)' },
  };
  new window.Chart(canvas, {
    type: 'bar',
    data: { labels: data.labels || [], datasets: datasets },
    options: {
      responsive: true,
      animation: false,
      indexAxis: horizontal ? 'y' : 'x',
      scales: scales,
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            label: function (ctx) {
              var v = ctx.raw;
              return ctx.dataset.label + ': ' + (v === null ? 'ingen som teller' : v + ' %');
            },
          },
        },
      },
    },
  });
  canvas.dataset.ready = 'true';
})();
