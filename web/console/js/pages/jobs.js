// Commands and jobs: send a command to a meter by serial, watch every job's
// progress live.
import { api, query, subscribe } from '../api.js';
import { h, clear, card, empty, failure, loading, stateBadge, progress, fmt, titleCase, toast } from '../ui.js';

const kinds = [
  ['read-now', 'Read now'], ['disconnect', 'Disconnect'], ['connect', 'Reconnect'],
  ['clock-sync', 'Sync clock'], ['credit-top-up', 'Top up credit'], ['tariff-update', 'Activate tariff'],
];

export function render(ctx) {
  ctx.setTitle('Commands & jobs', [{ label: 'Commands & jobs' }]);
  const table = h('tbody');
  const foot = h('div');
  const state = h('select', { 'aria-label': 'state' }, h('option', { value: '' }, 'All states'),
    ['queued', 'running', 'done', 'failed'].map((s) => h('option', { value: s }, titleCase(s))));
  ctx.el.append(
    ctx.session.can('operator') ? commandForm(() => load(true)) : null,
    card('Jobs', { id: 'job-list', flush: true, tools: state },
      h('table', h('thead', h('tr', h('th', 'Job'), h('th', 'Command'), h('th', 'Meter'), h('th', 'State'), h('th', 'Progress'), h('th', 'Result'), h('th', 'Updated'))), table),
      foot));
  let cursor = '';
  async function load(reset) {
    if (reset) { cursor = ''; clear(table); clear(foot, loading(3)); }
    try {
      const p = await api('/jobs' + query({ state: state.value, limit: 30, cursor }));
      table.append(...p.items.map(row));
      cursor = p.next_cursor || '';
      clear(foot, !table.children.length ? empty('No jobs', 'Commands and scheduled work appear here.')
        : cursor ? h('div.state', h('button', { onclick: () => load(false) }, 'Show more')) : null);
    } catch (e) {
      clear(foot, failure(e, () => load(true)));
    }
  }
  state.addEventListener('change', () => load(true));
  load(true);
  ctx.onCleanup(subscribe((u) => {
    if (u.topic === 'resync') return load(true);
    if (u.topic !== 'job') return;
    const j = u.data;
    const old = table.querySelector(`tr[data-job="${j.id}"]`);
    if (old) old.replaceWith(row(j));
    else if (!state.value || state.value === j.state) { table.prepend(row(j)); clear(foot); }
  }));
}

function row(j) {
  return h('tr', { 'data-job': j.id, 'data-state': j.state },
    h('td.mono', '#' + j.id),
    h('td', titleCase(j.kind)),
    h('td', j.meter ? h('a', { href: '#/meters/' + j.meter }, 'meter ' + j.meter) : '—'),
    h('td', stateBadge(j.state)),
    h('td', { style: { width: '18%' } }, progress(j.progress, j.state)),
    h('td.muted', j.result || ''),
    h('td.muted', fmt.time(j.updated_at)));
}

function commandForm(reload) {
  const serial = h('input', { placeholder: 'AMG00001000', required: true, 'aria-label': 'meter serial', style: { width: '180px' } });
  const kind = h('select', { 'aria-label': 'command' }, kinds.map(([k, l]) => h('option', { value: k }, l)));
  const amount = h('input', { type: 'number', step: '0.01', min: '0.01', placeholder: 'amount', style: { width: '110px', display: 'none' } });
  const tariff = h('input', { type: 'number', min: '1', placeholder: 'tariff id', style: { width: '110px', display: 'none' } });
  kind.addEventListener('change', () => {
    amount.style.display = kind.value === 'credit-top-up' ? '' : 'none';
    tariff.style.display = kind.value === 'tariff-update' ? '' : 'none';
  });
  const send = h('button.primary', { type: 'submit' }, 'Send');
  return card('Send a command', { id: 'send-command', hint: 'every command is audited' },
    h('form.filters', {
      async onsubmit(ev) {
        ev.preventDefault();
        send.disabled = true;
        try {
          const found = await api('/meters' + query({ serial: serial.value.trim(), limit: 2 }));
          const m = found.items.find((x) => x.serial === serial.value.trim()) || (found.items.length === 1 ? found.items[0] : null);
          if (!m) throw new Error(`No meter has serial ${serial.value.trim()}.`);
          const body = { kind: kind.value };
          if (kind.value === 'credit-top-up') body.amount_micros = Math.round(Number(amount.value) * 1e6);
          if (kind.value === 'tariff-update') body.tariff_id = Number(tariff.value);
          const job = await api(`/meters/${m.id}/commands`, { method: 'POST', body });
          toast(`${titleCase(job.kind)} for ${m.serial}: job ${job.id} queued`);
          reload();
        } catch (e) {
          toast(e.message, 'bad');
        } finally {
          send.disabled = false;
        }
      },
    }, h('label.field', 'Meter serial', serial), h('label.field', 'Command', kind), amount, tariff,
    h('div', { style: { alignSelf: 'flex-end' } }, send)));
}
