// Analytics: data quality, accuracy-class recommendations, load-curve
// alarms.
import { api, query } from '../api.js';
import { h, clear, card, slot, empty, stateBadge, badge, progress, fmt, titleCase } from '../ui.js';

export function render(ctx) {
  ctx.setTitle('Analytics', [{ label: 'Analytics' }]);
  const quality = h('div');
  const groups = h('div');
  const classes = h('div');
  const curves = h('div');
  const onlyMismatch = h('input', { type: 'checkbox', checked: true, 'aria-label': 'only mismatches' });
  ctx.el.append(
    quality,
    h('div.grid.g-2-1',
      card('Accuracy class', { id: 'classes', flush: true, tools: h('label', { style: { fontSize: '12px', display: 'flex', gap: '6px', alignItems: 'center' } }, onlyMismatch, 'mismatches only') }, classes),
      card('Data quality by group', { id: 'groups', flush: true }, groups)),
    card('Load-curve alarms', { id: 'load-curve-alarms', hint: 'last 7 days', flush: true }, curves));
  const to = new Date(ctx.session.now());
  const from = new Date(to - 7 * 86400e3);
  const range = query({ from: from.toISOString(), to: to.toISOString() });
  slot(quality, () => api('/analytics/quality' + range), (q) => {
    clear(groups, renderGroups(q));
    return renderQuality(q);
  }, 1);
  const loadClasses = () => slot(classes, () => api('/analytics/class-recommendations' + query({ mismatch: onlyMismatch.checked ? 'true' : '' })), renderClasses, 4);
  onlyMismatch.addEventListener('change', loadClasses);
  loadClasses();
  slot(curves, () => api('/analytics/load-curve-alarms' + range), renderCurves, 3);
}

const kpi = (label, value, sub, tone = '') => h('div.kpi' + (tone ? '.' + tone : ''), h('div.label', label), h('div.value', value), h('div.sub', sub));

function renderQuality(q) {
  return h('div.kpis',
    kpi('Completeness', fmt.pct(q.completeness, 2), `${fmt.int(q.received)} of ${fmt.int(q.expected)} intervals`, q.completeness > 0.99 ? 'ok' : 'warn'),
    kpi('Validated', q.received ? fmt.pct(q.valid / q.received, 2) : '—', `${fmt.int(q.suspect)} suspect`),
    kpi('Estimated', fmt.int(q.estimated), 'gaps filled by VEE'),
    kpi('Missing', fmt.int(q.missing), 'neither read nor estimated', q.missing ? 'warn' : 'ok'),
    kpi('Ingest lag', Math.round(q.ingest_lag_p50_s) + ' s', `p95 ${Math.round(q.ingest_lag_p95_s)} s`));
}

function renderGroups(q) {
  if (!q.groups.length) return empty('No groups');
  return h('table', h('thead', h('tr', h('th', 'Group'), h('th', 'Completeness'), h('th.num', 'Reads'))),
    h('tbody', q.groups.map((g) => h('tr',
      h('td', titleCase(g.group), h('div.muted', g.meters + ' meters')),
      h('td', progress(g.completeness, 'done'), h('div.muted', fmt.pct(g.completeness, 2))),
      h('td.num', fmt.pct(g.comms_success))))));
}

function renderClasses(p) {
  if (!p.items.length) return empty('Every meter has the class its load calls for');
  return h('table', h('thead', h('tr', h('th', 'Meter'), h('th', 'Installed'), h('th', 'Recommended'), h('th.num', 'Energy / year'), h('th.num', 'Peak'), h('th', 'Why'))),
    h('tbody', p.items.map((c) => h('tr.link', { onclick: () => { location.hash = '#/meters/' + c.meter; } },
      h('td', h('a', { href: '#/meters/' + c.meter }, 'meter ' + c.meter)),
      h('td', badge(c.installed || '?', c.mismatch ? 'warn' : '', true)),
      h('td', badge(c.recommended, c.mismatch ? 'ok' : '', true)),
      h('td.num', fmt.int(Math.round(c.annual_wh / 1000)) + ' kWh'),
      h('td.num', fmt.one(c.peak_w / 1000) + ' kW'),
      h('td.muted', c.reason)))));
}

function renderCurves(p) {
  if (!p.items.length) return empty('No load-curve anomalies', 'Nothing unusual in the last 7 days.');
  return h('table', h('thead', h('tr', h('th', 'Severity'), h('th', 'Anomaly'), h('th', 'Meter'), h('th', 'When'), h('th.num', 'Score'))),
    h('tbody', p.items.map((a) => h('tr',
      h('td', stateBadge(a.severity)),
      h('td', h('div', titleCase(a.kind)), h('div.muted', a.message)),
      h('td', h('a', { href: '#/meters/' + a.meter }, 'meter ' + a.meter)),
      h('td.muted', fmt.time(a.from) + ' – ' + fmt.time(a.to)),
      h('td.num', a.score.toFixed(1))))));
}
