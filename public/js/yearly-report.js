// The yearly report page: a print button and the trend chart (Chart.js) from the canvas's data-trend.
(function () {
  'use strict';
  var printButton = document.getElementById('skriv-ut');
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener('click', function () {
      window.print();
    });
  }
  var canvas = document.getElementById('trend-chart');
  if (!canvas || typeof window.Chart === 'undefined') return;
  var trend = JSON.parse(canvas.getAttribute('data-trend') || '{"labels":[],"series":[]}');
  var colors = ['#0062ba', '#b3261e', '#1e7b34', '#7a4ab0', '#a85d00'];
  var label = function (iso) {
    var p = iso.split('-');
    return p[1] + '.' + p[0];
  };
  new window.Chart(canvas, {
    type: 'line',
    data: {
      labels: trend.labels.map(label),
      datasets: trend.series.map(function (s, i) {
        return {
          label: s.courseTitle,
          data: s.rates,
          borderColor: colors[i % colors.length],
          backgroundColor: colors[i % colors.length],
          spanGaps: true,
          tension: 0.2,
        };
      }),
    },
    options: {
      responsive: true,
      animation: false,
      scales: {
        y: {
          min: 0,
          max: 100,
          title: { display: true, text: 'Fullføringsgrad (%)' },
        },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            label: function (ctx) {
              return (
                ctx.dataset.label +
                ': ' +
                (ctx.parsed.y === null ? '–' : ctx.parsed.y.toFixed(1).replace('.', ',') + ' %')
              );
            },
          },
        },
      },
    },
  });
})();
