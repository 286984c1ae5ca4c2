// Billing: a meter's bills over the last year, each with its lines.
import { api, query } from '../api.js';
import { h, clear, card, slot, empty, stateBadge, fmt, toast } from '../ui.js';

export function render(ctx) {
  ctx.setTitle('Billing', [{ label: 'Billing' }]);
  const serial = h('input', { placeholder: 'Meter serial, e.g. AMG00001000', 'aria-label': 'meter serial', style: { width: '260px' } });
  const bills = h('div');
  const detail = h('div');
  ctx.el.append(
    card('Find a meter', { id: 'bill-search' }, h('form.filters', {
      async onsubmit(ev) {
        ev.preventDefault();
        const p = await api('/meters' + query({ serial: serial.value.trim(), limit: 1 })).catch((e) => { toast(e.message, 'bad'); return null; });
        if (!p) return;
        if (!p.items.length) { toast('No meter has a serial starting with ' + serial.value.trim(), 'bad'); return; }
        location.hash = '#/billing/' + p.items[0].id;
      },
    }, serial, h('button.primary', { type: 'submit' }, 'Show bills'))),
    h('div.grid.g-1-2', card('Bills', { id: 'bill-list', flush: true }, bills), card('Bill', { id: 'bill-detail' }, detail)));
  const id = Number(location.hash.split('/')[2]);
  if (!id) {
    clear(bills, empty('Choose a meter', 'Bills are listed per meter.'));
    clear(detail, empty('No bill selected'));
    return;
  }
  const to = new Date(ctx.session.now());
  const from = new Date(to - 366 * 86400e3);
  slot(bills, async () => ({ meter: await api('/meters/' + id), list: await api(`/meters/${id}/bills` + query({ from: from.toISOString(), to: to.toISOString() })) }), ({ meter, list }) => {
    serial.value = meter.serial;
    if (!list.items.length) { clear(detail, empty('No bill selected')); return empty('No bills for ' + meter.serial); }
    const rows = list.items.slice().reverse().map((b) => h('tr.link', { 'data-bill': b.id, onclick: (ev) => select(b, ev.currentTarget) },
      h('td', fmt.date(b.from), h('div.muted', 'to ' + fmt.date(new Date(Date.parse(b.to) - 1)))),
      h('td', stateBadge(b.status)),
      h('td.num', h('b', fmt.money(b.total_micros, b.currency)))));
    const select = (b, tr) => {
      for (const r of rows) r.style.background = r === tr ? 'var(--accent-soft)' : '';
      clear(detail, renderBill(b, meter));
    };
    requestAnimationFrame(() => select(list.items[list.items.length - 1], rows[0]));
    return h('table', h('tbody', rows));
  }, 4);
}

function renderBill(b, meter) {
  return h('div',
    h('div', { style: { display: 'flex', justifyContent: 'space-between', alignItems: 'baseline', marginBottom: '14px' } },
      h('div', h('h2', `Bill #${b.id}`), h('div.muted', `${meter.serial} · ${fmt.date(b.from)} – ${fmt.date(new Date(Date.parse(b.to) - 1))}`)),
      h('div.credit', fmt.money(b.total_micros, b.currency))),
    h('table', h('thead', h('tr', h('th', 'Line'), h('th.num', 'Quantity'), h('th.num', 'Unit price'), h('th.num', 'Amount'))),
      h('tbody', b.lines.map((l) => h('tr',
        h('td', l.description),
        h('td.num', l.unit === 'Wh' ? fmt.kwh(l.quantity) : fmt.int(l.quantity) + ' ' + l.unit),
        h('td.num.muted', l.unit === 'Wh' ? fmt.money(l.unit_price_micros * 1000, b.currency) + '/kWh' : fmt.money(l.unit_price_micros, b.currency) + '/' + l.unit),
        h('td.num', fmt.money(l.amount_micros, b.currency))))),
      h('tfoot', h('tr', h('td', h('b', 'Total')), h('td'), h('td'), h('td.num', h('b', fmt.money(b.total_micros, b.currency)))))));
}
