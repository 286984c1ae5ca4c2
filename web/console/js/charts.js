// Charts, drawn with uPlot (vendor/uPlot.iife.min.js, global uPlot).
// Every chart element gets data-points = the number of values drawn, so
// tests (and curious people) can see that a chart holds data.

const palette = ['#0f766e', '#2563eb', '#d97706', '#9333ea', '#dc2626'];

const axis = {
  stroke: '#8593a3',
  grid: { stroke: '#eef2f6', width: 1 },
  ticks: { stroke: '#e3e8ee', width: 1 },
  font: '11px Inter, "Segoe UI", system-ui, sans-serif',
};

function sized(el, height, make) {
  const width = Math.max(el.clientWidth || el.parentElement?.clientWidth || 600, 280);
  const plot = make(width);
  const ro = new ResizeObserver(() => {
    const w = el.clientWidth;
    if (w > 0 && Math.abs(w - plot.width) > 2) plot.setSize({ width: w, height });
  });
  ro.observe(el);
  return plot;
}

function fillColor(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

// timeChart draws series over time. xs are Unix seconds.
export function timeChart(el, { xs, series, height = 260, unit = '', step = false }) {
  el.replaceChildren();
  el.classList.add('chart');
  const data = [xs, ...series.map((s) => s.values)];
  el.dataset.points = String(xs.length);
  return sized(el, height, (width) => new uPlot({
    width, height,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: true } },
    axes: [
      { ...axis },
      { ...axis, size: 64, values: (u, ticks) => ticks.map((v) => v.toLocaleString('en-GB') + (unit ? ' ' + unit : '')) },
    ],
    series: [
      { label: 'Time', value: (u, v) => v == null ? '—' : new Date(v * 1000).toLocaleString('en-GB', { timeZone: 'UTC', day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit' }) },
      ...series.map((s, i) => {
        const color = s.color || palette[i % palette.length];
        return {
          label: s.label, stroke: color, width: 1.6,
          fill: s.fill === false ? undefined : fillColor(color, 0.10),
          paths: step ? uPlot.paths.stepped({ align: 1 }) : undefined,
          points: { show: false },
          value: (u, v) => v == null ? '—' : v.toLocaleString('en-GB', { maximumFractionDigits: 1 }) + (unit ? ' ' + unit : ''),
        };
      }),
    ],
    legend: { live: true },
  }, data, el));
}

// barChart draws one or two series of bars at integer positions
// (harmonic orders); a second series gets its own scale on the right and
// its bars beside the first's.
export function barChart(el, { xs, series, height = 220, xLabel = '' }) {
  el.replaceChildren();
  el.classList.add('chart');
  el.dataset.points = String(xs.length);
  const two = series.length > 1;
  return sized(el, height, (width) => new uPlot({
    width, height,
    scales: { x: { time: false, range: (u, lo, hi) => [lo - 0.7, hi + 0.7] }, a: {}, b: {} },
    axes: [
      { ...axis, label: xLabel, labelSize: 18, incrs: [1, 2, 5], values: (u, t) => t.map((v) => Number.isInteger(v) ? String(v) : '') },
      { ...axis, scale: 'a', size: 56, stroke: series[0].color, values: (u, t) => t.map((v) => v + ' ' + series[0].unit) },
      two ? { ...axis, scale: 'b', side: 1, size: 56, stroke: series[1].color, grid: { show: false }, values: (u, t) => t.map((v) => v + ' ' + series[1].unit) } : null,
    ].filter(Boolean),
    series: [
      { label: xLabel || 'x' },
      ...series.map((s, i) => {
        const color = s.color || palette[i % palette.length];
        const bars = uPlot.paths.bars({ size: [two ? 0.38 : 0.7, 40], gap: 1, align: two ? (i ? 1 : -1) : 0 });
        return { label: s.label, scale: i ? 'b' : 'a', stroke: color, fill: fillColor(color, 0.8), paths: bars, points: { show: false },
          value: (u, v) => v == null ? '—' : v.toFixed(2) + ' ' + s.unit };
      }),
    ],
  }, [xs, ...series.map((s) => s.values)], el));
}

// waveChart draws sampled waveforms against milliseconds, voltage and
// current on their own scales.
export function waveChart(el, { ms, u, i, height = 220 }) {
  el.replaceChildren();
  el.classList.add('chart');
  el.dataset.points = String(ms.length);
  return sized(el, height, (width) => new uPlot({
    width, height,
    scales: { x: { time: false }, V: {}, A: {} },
    axes: [
      { ...axis, values: (uu, t) => t.map((v) => v + ' ms') },
      { ...axis, scale: 'V', size: 52, values: (uu, t) => t.map((v) => v + ' V') },
      { ...axis, scale: 'A', side: 1, size: 52, grid: { show: false }, values: (uu, t) => t.map((v) => v + ' A') },
    ],
    series: [
      { label: 'Time', value: (uu, v) => v == null ? '—' : v.toFixed(2) + ' ms' },
      { label: 'Voltage', scale: 'V', stroke: palette[0], width: 1.6, points: { show: false }, value: (uu, v) => v == null ? '—' : v.toFixed(1) + ' V' },
      { label: 'Current', scale: 'A', stroke: palette[2], width: 1.6, points: { show: false }, value: (uu, v) => v == null ? '—' : v.toFixed(2) + ' A' },
    ],
  }, [ms, u, i], el));
}
