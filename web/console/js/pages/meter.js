// Meter detail: status and commands, load curve, registers, power quality,
// voltage, NILM appliances, events, jobs and bills.
import { api, query, subscribe } from '../api.js';
import { h, clear, card, slot, empty, stateBadge, badge, progress, fmt, titleCase, toast } from '../ui.js';
import { timeChart, barChart, waveChart } from '../charts.js';

const HOUR = 3600e3;

export function render(ctx) {
  const id = Number(ctx.params.id);
  ctx.setTitle('Meter', [{ label: 'Fleet', href: '#/fleet' }, { label: 'Meter ' + id }]);
  if (!Number.isInteger(id) || id < 1) {
    ctx.el.append(card('Meter', {}, empty('No such meter', `"${ctx.params.id}" is not a meter id.`)));
    return;
  }
  const head = h('section.card#meter-head');
  const curve = h('div.chartbox#load-curve');
  const regs = h('div');
  const pq = h('div');
  const wave = h('div.chartbox#waveform');
  const volts = h('div.chartbox#voltage');
  const nilm = h('div');
  const events = h('div');
  const jobs = h('div#meter-jobs');
  const bills = h('div');
  const view = { res: '15m', hours: 24 };
  const seg = (opts, key, reload) => h('div.seg', opts.map(([v, label]) => h('button', {
    class: view[key] === v ? 'on' : '', ['data-' + key]: v,
    onclick(ev) { view[key] = v; for (const b of ev.target.parentElement.children) b.classList.toggle('on', b === ev.target); reload(); },
  }, label)));
  const reloadCurve = () => loadCurve(curve, id, view, ctx.session);
  ctx.el.append(
    head,
    h('div.grid.g-2-1',
      card('Load curve', { id: 'curve', tools: h('div.actions', seg([['1m', '1-min'], ['15m', '15-min']], 'res', reloadCurve), seg([[24, '24 h'], [48, '48 h']], 'hours', reloadCurve)) }, curve),
      card('Registers', { id: 'registers', flush: true }, regs)),
    h('div.grid.g2',
      card('Power quality', { id: 'power-quality', flush: true }, pq),
      card('Captured waveform', { id: 'wave', hint: 'phase L1, two cycles' }, wave)),
    h('div.grid.g2',
      card('Voltage L1', { id: 'volts', hint: '15-minute values, 24 h' }, volts),
      card('Appliances (NILM)', { id: 'nilm', hint: 'last 24 h' }, nilm)),
    h('div.grid.g2',
      card('Jobs', { id: 'jobs', flush: true }, jobs),
      card('Events', { id: 'events', flush: true }, events)),
    card('Bills', { id: 'bills', flush: true }, bills));

  const loadHead = () => slot(head, () => api('/meters/' + id), (m) => {
    ctx.setTitle(m.serial, [{ label: 'Fleet', href: '#/fleet' }, { label: m.serial }]);
    return renderHead(m, ctx, () => loadJobs());
  }, 3);
  const loadJobs = () => slot(jobs, () => api('/jobs' + query({ meter: id, limit: 8 })), renderJobs, 3);
  loadHead();
  reloadCurve();
  slot(regs, () => api(`/meters/${id}/registers`), renderRegisters, 5);
  slot(pq, () => api(`/meters/${id}/power-quality`), (p) => renderPQ(p, wave), 4);
  const to = new Date(ctx.session.now());
  const from = new Date(to - 24 * HOUR);
  slot(volts, () => api(`/meters/${id}/readings` + query({ channel: 'voltage_l1', from: from.toISOString(), to: to.toISOString() })), (r) => {
    const pts = r.points.filter((p) => !p.q.includes('missing'));
    if (!pts.length) return empty('No voltage readings', 'The meter has not reported voltage in the last day.');
    const el = h('div');
    requestAnimationFrame(() => timeChart(el, { xs: pts.map((p) => Date.parse(p.t) / 1000), series: [{ label: 'U L1', values: pts.map((p) => p.v * Math.pow(10, r.scaler)), color: '#2563eb' }], unit: 'V', height: 200 }));
    return el;
  });
  slot(nilm, () => Promise.all([
    api(`/meters/${id}/nilm/breakdown` + query({ from: from.toISOString(), to: to.toISOString() })),
    api(`/meters/${id}/nilm/events` + query({ from: from.toISOString(), to: to.toISOString() })),
  ]), renderNILM, 4);
  slot(events, () => api('/events' + query({ meter: id, limit: 8 })), renderEvents, 4);
  loadJobs();
  const yearAgo = new Date(to - 366 * 24 * HOUR);
  slot(bills, () => api(`/meters/${id}/bills` + query({ from: yearAgo.toISOString(), to: to.toISOString() })), renderBills, 3);

  ctx.onCleanup(subscribe((u) => {
    if (u.meter !== id && u.topic !== 'resync') return;
    if (u.topic === 'job') updateJob(jobs, u.data, loadJobs);
    if (u.topic === 'meter' || u.topic === 'resync') loadHead();
    if (u.topic === 'readings' || u.topic === 'resync') reloadCurve();
  }));
}

function renderHead(m, ctx, afterCommand) {
  const s = m.status;
  const facts = [['Group', titleCase(m.group)], ['Class', m.class || '—'], ['Firmware', m.firmware || '—'],
    ['Installed', fmt.date(m.installed_at)], ['Last seen', fmt.ago(s.last_seen, ctx.session.now())], ['Address', m.address || '—']];
  const cmd = (kind, label, opts = {}) => h('button' + (opts.tone ? '.' + opts.tone : ''), {
    'data-command': kind,
    async onclick(ev) {
      let body = { kind };
      if (opts.confirm && !(await confirmDialog(opts.confirm, label))) return;
      if (kind === 'credit-top-up') {
        const amount = await amountDialog(s.credit?.currency || 'EUR');
        if (!amount) return;
        body.amount_micros = Math.round(amount * 1e6);
      }
      ev.target.disabled = true;
      try {
        const job = await api(`/meters/${m.id}/commands`, { method: 'POST', body });
        toast(`${label}: job ${job.id} queued`);
        afterCommand();
      } catch (e) {
        toast(e.message, 'bad');
      } finally {
        ev.target.disabled = false;
      }
    },
  }, label);
  const canAct = ctx.session.can('operator');
  const disconnected = s.supply === 'disconnected' || s.supply === 'ready';
  return h('div.meterhead',
    h('div.id',
      h('h2', h('span.mono', { style: { fontSize: '19px' } }, m.serial), stateBadge(s.comms), s.supply ? h('span#supply-state', stateBadge(s.supply)) : null),
      h('div.facts', facts.map(([k, v]) => h('span', k + ' ', h('b', v))))),
    s.credit ? h('div', h('div.muted', 'Prepaid credit'), h('div.credit', fmt.money(s.credit.balance_micros, s.credit.currency))) : null,
    canAct ? h('div.actions',
      cmd('read-now', 'Read now'),
      cmd('clock-sync', 'Sync clock'),
      s.credit ? cmd('credit-top-up', 'Top up') : null,
      disconnected ? cmd('connect', 'Reconnect', { tone: 'primary' })
        : cmd('disconnect', 'Disconnect', { tone: 'danger', confirm: `Disconnect the supply of ${m.serial}? The customer loses power until reconnected.` }))
      : h('span.muted', 'Commands need the operator role'));
}

function confirmDialog(text, action) {
  return new Promise((resolve) => {
    const d = h('dialog#confirm', h('form', { method: 'dialog' },
      h('h2', action), h('p', text),
      h('div.actions', h('button', { value: 'no' }, 'Cancel'), h('button.danger#confirm-yes', { value: 'yes' }, action))));
    d.addEventListener('close', () => { resolve(d.returnValue === 'yes'); d.remove(); });
    document.body.append(d);
    d.showModal();
  });
}

function amountDialog(currency) {
  return new Promise((resolve) => {
    const input = h('input', { type: 'number', min: '0.01', step: '0.01', value: '20', required: true });
    const d = h('dialog', h('form', { method: 'dialog' },
      h('h2', 'Top up credit'), h('label.field', `Amount (${currency})`, input),
      h('div.actions', h('button', { value: 'no', formnovalidate: true }, 'Cancel'), h('button.primary', { value: 'yes' }, 'Top up'))));
    d.addEventListener('close', () => { resolve(d.returnValue === 'yes' ? Number(input.value) : 0); d.remove(); });
    document.body.append(d);
    d.showModal();
  });
}

// loadCurve draws average power: 1-minute from the instantaneous power
// profile (or register differences), 15-minute from the energy register's
// bucket differences.
async function loadCurve(el, id, view, session) {
  const to = new Date(Math.floor(session.now() / 60000) * 60000);
  const from = new Date(to - view.hours * HOUR);
  const range = { from: from.toISOString(), to: to.toISOString() };
  await slot(el, async () => {
    if (view.res === '1m') {
      const p = await api(`/meters/${id}/readings` + query({ channel: 'active_power_import', ...range }));
      const pts = p.points.filter((x) => !x.q.includes('missing'));
      if (pts.length) return { xs: pts.map((x) => Date.parse(x.t) / 1000), ys: pts.map((x) => x.v * Math.pow(10, p.scaler)) };
      const e = await api(`/meters/${id}/readings` + query({ channel: 'active_import', ...range }));
      return diffs(e.points.filter((x) => !x.q.includes('missing')).map((x) => [Date.parse(x.t), x.v]));
    }
    const b = await api(`/meters/${id}/readings` + query({ channel: 'active_import', step: '15m', ...range }));
    const series = b.buckets.map((x) => [Date.parse(x.start) + 15 * 60e3, x.last]);
    if (b.buckets.length) series.unshift([Date.parse(b.buckets[0].start), b.buckets[0].first]);
    return diffs(series);
  }, (d) => {
    if (!d.xs.length) return empty('No readings in this range', 'The load curve appears once the meter has been read.');
    const box = h('div');
    requestAnimationFrame(() => timeChart(box, { xs: d.xs, series: [{ label: 'Average power', values: d.ys }], unit: 'W', height: 280, step: view.res === '15m' }));
    return box;
  }, 6);
}

// diffs turns [ms, Wh register] pairs into average W over each interval.
function diffs(pairs) {
  const xs = [], ys = [];
  for (let i = 1; i < pairs.length; i++) {
    const dtH = (pairs[i][0] - pairs[i - 1][0]) / HOUR;
    if (dtH <= 0) continue;
    xs.push(pairs[i - 1][0] / 1000);
    ys.push((pairs[i][1] - pairs[i - 1][1]) / dtH);
  }
  return { xs, ys };
}

// channelLabel names a channel for people: voltage_l1 → Voltage L1.
function channelLabel(name) {
  return titleCase(name.replaceAll('_', ' ')).replace(/\b(l[123]|t[1-4])\b/g, (m) => m.toUpperCase()).replace(/\bthd\b/i, 'THD');
}

function renderRegisters(r) {
  if (!r.registers.length) return empty('No register values', 'Nothing stored in the last month.');
  return h('table#register-table', h('tbody', r.registers.map((g) => h('tr',
    h('td', h('div', channelLabel(g.name)), h('div.muted.mono', g.channel)),
    h('td.num', h('b', fmt.value(g.value, g.scaler)), ' ', h('span.muted', g.unit)),
    h('td.muted', fmt.time(g.time))))));
}

function renderPQ(p, waveEl) {
  const ph = p.phases[0];
  if (!ph) return empty('No power-quality capture');
  const grid = h('div.pq',
    [['Voltage', fmt.one(ph.u_rms) + ' V'], ['Current', fmt.two(ph.i_rms) + ' A'], ['Frequency', p.frequency_hz.toFixed(3) + ' Hz'],
      ['Power factor', ph.pf.toFixed(3)], ['THD voltage', fmt.pct(ph.thd_u, 2)], ['THD current', fmt.pct(ph.thd_i, 1)]]
      .map(([k, v]) => h('div', h('span', k), h('b', v))));
  const harm = ph.harmonics.filter((x) => x.h > 1);
  const bars = h('div.chartbox#harmonics');
  requestAnimationFrame(() => barChart(bars, {
    xs: harm.map((x) => x.h),
    series: [
      { label: 'Voltage U_h/U_1', values: harm.map((x) => 100 * x.u_rms / ph.harmonics[0].u_rms), color: '#0f766e', unit: '%' },
      { label: 'Current I_h/I_1', values: harm.map((x) => 100 * x.i_rms / ph.harmonics[0].i_rms), color: '#d97706', unit: '%' },
    ],
    xLabel: 'harmonic order', height: 210,
  }));
  if (p.waveform && p.waveform.u.a) {
    const w = p.waveform;
    requestAnimationFrame(() => waveChart(waveEl, { ms: w.u.a.map((_, k) => 1000 * k / w.rate_hz), u: w.u.a, i: w.i.a, height: 268 }));
  } else {
    clear(waveEl, empty('No waveform captured', 'Waveform capture runs on meters in waveform mode.'));
  }
  return h('div', grid, bars);
}

function renderNILM([breakdown, events]) {
  if (!breakdown.appliances.length) return empty('No appliances recognised', 'The NILM module reports appliances as it detects them.');
  const top = breakdown.appliances.slice(0, 7);
  return h('div',
    h('div.bars', top.map((a) => h('div.bar', h('span', titleCase(a.appliance)),
      h('div.track', h('i', { style: { width: (100 * a.share).toFixed(1) + '%' } })),
      h('span.num', fmt.kwh(a.energy_wh))))),
    h('h3', { style: { margin: '18px 0 8px' } }, 'Latest switchings'),
    h('div', events.items.slice(-5).reverse().map((e) => h('div', { style: { display: 'flex', gap: '10px', padding: '4px 0', fontSize: '13px' } },
      h('span.muted', { style: { width: '110px' } }, fmt.time(e.time)), badge(e.on ? 'on' : 'off', e.on ? 'ok' : '', true),
      h('span', { style: { flex: 1 } }, titleCase(e.appliance)), h('span.num.muted', (e.delta_w > 0 ? '+' : '') + Math.round(e.delta_w) + ' W')))));
}

function renderEvents(p) {
  if (!p.items.length) return empty('No events', 'The meter has logged nothing.');
  return h('table', h('tbody', p.items.map((e) => h('tr',
    h('td.muted', fmt.time(e.time)), h('td', titleCase(e.kind)), h('td.muted.num', 'code ' + e.code)))));
}

function jobRow(j) {
  return h('tr', { 'data-job': j.id, 'data-state': j.state },
    h('td.mono', '#' + j.id), h('td', titleCase(j.kind)), h('td', stateBadge(j.state)),
    h('td', { style: { width: '30%' } }, progress(j.progress, j.state)),
    h('td.muted', j.result || ''));
}

function renderJobs(p) {
  if (!p.items.length) return empty('No jobs yet', 'Commands sent to this meter appear here with their progress.');
  return h('table', h('tbody', p.items.map(jobRow)));
}

// updateJob replaces a job's row with its new state as it streams in.
function updateJob(el, j, reload) {
  const row = el.querySelector(`tr[data-job="${j.id}"]`);
  if (row) row.replaceWith(jobRow(j));
  else reload();
}

function renderBills(p) {
  // A re-bill (a corrected reading, the running month's next draft)
  // supersedes the bill before it: list the bills in force, and say how
  // many earlier versions there are (the billing page shows them).
  const current = p.items.filter((b) => b.status !== 'superseded');
  const earlier = p.items.length - current.length;
  if (!current.length) return empty('No bills', 'Bills appear after the first billing run.');
  return h('div', h('table', h('thead', h('tr', h('th', 'Period'), h('th', 'Status'), h('th.num', 'Energy'), h('th.num', 'Total'))),
    h('tbody', current.slice().reverse().map((b) => h('tr.link', { onclick: () => { location.hash = '#/billing/' + b.meter; } },
      h('td', fmt.date(b.from) + ' – ' + fmt.date(new Date(Date.parse(b.to) - 1))),
      h('td', stateBadge(b.status)),
      h('td.num', fmt.kwh(b.lines.filter((l) => l.unit === 'Wh').reduce((s, l) => s + l.quantity, 0))),
      h('td.num', h('b', fmt.money(b.total_micros, b.currency))))))),
    earlier ? h('div.muted.table-note', earlier + (earlier === 1 ? ' earlier version' : ' earlier versions') + ' superseded by re-bills') : null);
}
