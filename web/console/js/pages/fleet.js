// Fleet overview: counts, the grid of meters by group, open alarms and the
// meter list with filters.
import { api, query, subscribe } from '../api.js';
import { h, clear, card, slot, empty, failure, loading, stateBadge, badge, fmt, titleCase, toast } from '../ui.js';

// allMeters pages through the fleet (the grid shows every meter).
async function allMeters(limit = 5000) {
  const out = [];
  let cursor = '';
  do {
    const p = await api('/meters' + query({ limit: 1000, cursor }));
    out.push(...p.items);
    cursor = p.next_cursor;
  } while (cursor && out.length < limit);
  return out;
}

function tileClass(m, alarmed) {
  if (alarmed.has(m.id)) return 'alarm';
  if (m.status.comms === 'offline') return 'offline';
  if (m.status.supply === 'disconnected') return 'disconnected';
  if (m.status.comms_success !== undefined && m.status.comms_success < 0.9) return 'weak';
  return '';
}

export function render(ctx) {
  ctx.setTitle('Fleet overview', [{ label: 'Fleet' }]);
  const kpis = h('div.kpis', loading(1));
  const grid = h('div');
  const alarms = h('div');
  const list = h('div');
  ctx.el.append(
    kpis,
    h('div.grid.g-2-1',
      card('Fleet map', { id: 'fleet-map', hint: 'one tile per meter, by group' }, grid),
      card('Open alarms', { id: 'alarms', flush: true }, alarms)),
    card('Meters', { id: 'meters', flush: true }, list));

  const loadKPIs = () => slot(kpis, () => api('/fleet'), (f) => renderKPIs(f), 1);
  const loadGrid = () => slot(grid, async () => {
    const [meters, open] = await Promise.all([allMeters(), api('/alarms?state=open&limit=1000')]);
    return { meters, alarmed: new Set(open.items.map((a) => a.meter)) };
  }, renderGrid, 4);
  const loadAlarms = () => slot(alarms, () => api('/alarms?state=open&limit=8'), (p) => renderAlarms(p, ctx, loadAlarms), 3);
  loadKPIs();
  loadGrid();
  loadAlarms();
  meterList(list);

  let timer;
  ctx.onCleanup(subscribe((u) => {
    if (u.topic !== 'meter' && u.topic !== 'alarm' && u.topic !== 'resync') return;
    clearTimeout(timer);
    timer = setTimeout(() => { loadKPIs(); loadGrid(); if (u.topic !== 'meter') loadAlarms(); }, 600);
  }));
  ctx.onCleanup(() => clearTimeout(timer));
}

function renderKPIs(f) {
  const online = f.comms.online || 0;
  const share = f.meters ? online / f.meters : 0;
  return [
    kpi('Meters', fmt.int(f.meters), `${f.groups.length} groups`),
    kpi('Online', fmt.int(online), fmt.pct(share) + ' of the fleet', share > 0.95 ? 'ok' : 'warn'),
    kpi('Read success', f.comms_success !== undefined ? fmt.pct(f.comms_success) : '—', 'scheduled reads, last 24 h', f.comms_success > 0.97 ? 'ok' : 'warn'),
    kpi('Disconnected', fmt.int(f.supply.disconnected || 0), 'supply off at the meter', f.supply.disconnected ? 'warn' : ''),
    kpi('Open alarms', f.open_alarms !== undefined ? fmt.int(f.open_alarms) : '—', 'not cleared', f.open_alarms ? 'bad' : 'ok'),
  ];
}

function kpi(label, value, sub, tone = '') {
  return h('div.kpi' + (tone ? '.' + tone : ''), h('div.label', label), h('div.value', value), h('div.sub', sub));
}

function renderGrid({ meters, alarmed }) {
  if (!meters.length) return empty('No meters yet', 'Meters appear here once the head-end registers them.');
  const groups = new Map();
  for (const m of meters) {
    if (!groups.has(m.group)) groups.set(m.group, []);
    groups.get(m.group).push(m);
  }
  const legend = h('div.legend',
    [['var(--ok)', 'online'], ['#84cc16', 'reads < 90 %'], ['var(--warn)', 'disconnected'], ['#9aa7b4', 'offline'], ['var(--bad)', 'alarm']]
      .map(([c, l]) => h('span', h('i', { style: { background: c } }), l)));
  return h('div.fleetmap', legend, [...groups].map(([g, ms]) => h('div.group',
    h('h3', h('span', titleCase(g || 'ungrouped')), h('span.muted', `${ms.filter((m) => m.status.comms === 'online').length}/${ms.length} online`)),
    h('div.tiles', ms.map((m) => h('button.tile', {
      class: tileClass(m, alarmed), title: `${m.serial} · ${m.status.comms}${m.status.supply ? ' · ' + m.status.supply : ''}`,
      'data-meter': m.id, onclick: () => { location.hash = '#/meters/' + m.id; },
    }))))));
}

function renderAlarms(p, ctx, reload) {
  if (!p.items.length) return empty('No open alarms', 'Everything is quiet.');
  const canAck = ctx.session.can('operator');
  return h('ul.alarms', p.items.map((a) => h('li', { 'data-alarm': a.id },
    h('div.what', stateBadge(a.severity), titleCase(a.kind)),
    h('div.msg', a.message),
    h('div.meta', a.meter ? h('a', { href: '#/meters/' + a.meter }, 'meter ' + a.meter) : 'system', ' · ', fmt.ago(a.raised_at, ctx.session.now())),
    h('div.act', a.acknowledged_at ? badge('seen by ' + a.acknowledged_by, '', true)
      : canAck ? h('button.small', {
        async onclick(ev) {
          ev.target.disabled = true;
          try { await api(`/alarms/${a.id}/acknowledge`, { method: 'POST' }); reload(); } catch (e) { toast(e.message, 'bad'); ev.target.disabled = false; }
        },
      }, 'Acknowledge') : null))));
}

// meterList is the filterable, paged meter table.
function meterList(el) {
  const serial = h('input', { type: 'search', placeholder: 'Serial starts with…', 'aria-label': 'serial' });
  const group = h('select', { 'aria-label': 'group' }, h('option', { value: '' }, 'All groups'));
  const status = h('select', { 'aria-label': 'status' }, h('option', { value: '' }, 'Any status'),
    ['online', 'offline', 'connected', 'disconnected', 'ready'].map((s) => h('option', { value: s }, titleCase(s))));
  const klass = h('select', { 'aria-label': 'class' }, h('option', { value: '' }, 'Any class'),
    ['0.2S', '0.2', '0.5S', '0.5', '1', '2'].map((c) => h('option', { value: c }, 'Class ' + c)));
  const body = h('tbody');
  const foot = h('div');
  api('/fleet').then((f) => f.groups.forEach((g) => group.append(h('option', { value: g.group }, titleCase(g.group))))).catch(() => {});
  let cursor = '';
  let seq = 0;
  async function load(reset) {
    const mine = ++seq;
    if (reset) { cursor = ''; clear(body); clear(foot, loading(2)); }
    try {
      const p = await api('/meters' + query({ serial: serial.value.trim(), group: group.value, status: status.value, class: klass.value, limit: 25, cursor }));
      if (mine !== seq) return;
      body.append(...p.items.map(row));
      cursor = p.next_cursor || '';
      clear(foot, !body.children.length ? empty('No meters match', 'Change or clear the filters.')
        : cursor ? h('div.state', h('button#more', { onclick: () => load(false) }, 'Show more')) : null);
    } catch (e) {
      clear(foot, failure(e, () => load(true)));
    }
  }
  let debounce;
  serial.addEventListener('input', () => { clearTimeout(debounce); debounce = setTimeout(() => load(true), 250); });
  for (const s of [group, status, klass]) s.addEventListener('change', () => load(true));
  clear(el,
    h('div.filters', { style: { padding: '12px 18px', borderBottom: '1px solid var(--line-2)' } }, serial, group, status, klass),
    h('table#meter-table', h('thead', h('tr', h('th', 'Serial'), h('th', 'Group'), h('th', 'Class'), h('th', 'Comms'), h('th', 'Supply'), h('th.num', 'Read success'), h('th', 'Last seen'), h('th.num', 'Credit'))), body),
    foot);
  load(true);
}

function row(m) {
  const s = m.status;
  return h('tr.link', { 'data-meter': m.id, onclick: () => { location.hash = '#/meters/' + m.id; } },
    h('td', h('a.mono', { href: '#/meters/' + m.id }, m.serial)),
    h('td', titleCase(m.group)),
    h('td', m.class || '—'),
    h('td', stateBadge(s.comms)),
    h('td', s.supply ? stateBadge(s.supply) : '—'),
    h('td.num', s.comms_success !== undefined ? fmt.pct(s.comms_success) : '—'),
    h('td.muted', fmt.time(s.last_seen)),
    h('td.num', s.credit ? fmt.money(s.credit.balance_micros, s.credit.currency) : h('span.muted', 'post-paid')));
}
