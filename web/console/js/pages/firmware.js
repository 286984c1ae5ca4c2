// Firmware campaigns: progress of each, and a form to start one (admin).
import { api, subscribe } from '../api.js';
import { h, card, slot, empty, stateBadge, progress, fmt, titleCase, toast } from '../ui.js';

export function render(ctx) {
  ctx.setTitle('Firmware campaigns', [{ label: 'Firmware' }]);
  const list = h('div');
  const load = () => slot(list, () => api('/campaigns'), renderList, 3);
  ctx.el.append(
    ctx.session.can('admin') ? createForm(load) : null,
    card('Campaigns', { id: 'campaigns', flush: true }, list));
  load();
  let timer;
  ctx.onCleanup(subscribe((u) => {
    if (u.topic !== 'job' || u.data.kind !== 'firmware') return;
    clearTimeout(timer);
    timer = setTimeout(load, 400);
  }));
  ctx.onCleanup(() => clearTimeout(timer));
}

function renderList(p) {
  if (!p.items.length) return empty('No campaigns yet', 'A campaign sends one firmware image to a group of meters in waves.');
  return h('table', h('thead', h('tr', h('th', 'Campaign'), h('th', 'Image'), h('th', 'Target'), h('th', 'State'), h('th', 'Progress'), h('th.num', 'Done'), h('th.num', 'Failed'), h('th', 'Started'))),
    h('tbody', p.items.map((c) => h('tr', { 'data-campaign': c.id },
      h('td', h('b', c.name), h('div.muted', 'by ' + c.created_by)),
      h('td.mono', c.image),
      h('td', c.group ? titleCase(c.group) : c.total + ' meters'),
      h('td', stateBadge(c.state)),
      h('td', { style: { width: '20%' } }, progress(c.progress, c.failed && c.state === 'done' ? 'failed' : c.state), h('div.muted', fmt.pct(c.progress, 0) + ' of ' + c.total)),
      h('td.num', fmt.int(c.done)),
      h('td.num', c.failed ? h('span', { style: { color: 'var(--bad)' } }, fmt.int(c.failed)) : '0'),
      h('td.muted', fmt.time(c.created_at))))));
}

function createForm(reload) {
  const name = h('input', { placeholder: 'Spring security update', required: true, style: { width: '240px' } });
  const image = h('input', { placeholder: '1.5.0', required: true, style: { width: '120px' } });
  const group = h('select', { required: true }, h('option', { value: '' }, 'Choose a group'));
  api('/fleet').then((f) => f.groups.forEach((g) => group.append(h('option', { value: g.group }, `${titleCase(g.group)} (${g.meters})`)))).catch(() => {});
  const start = h('button.primary', { type: 'submit' }, 'Start campaign');
  return card('New campaign', { id: 'new-campaign', hint: 'admin only; audited' },
    h('form.filters', {
      async onsubmit(ev) {
        ev.preventDefault();
        start.disabled = true;
        try {
          const c = await api('/campaigns', { method: 'POST', body: { name: name.value.trim(), image: image.value.trim(), group: group.value } });
          toast(`Campaign ${c.name} started on ${c.total} meters`);
          reload();
        } catch (e) {
          toast(e.message, 'bad');
        } finally {
          start.disabled = false;
        }
      },
    }, h('label.field', 'Name', name), h('label.field', 'Firmware image', image), h('label.field', 'Meters', group),
    h('div', { style: { alignSelf: 'flex-end' } }, start)));
}
