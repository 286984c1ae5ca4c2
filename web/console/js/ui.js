// DOM helpers, formatters and the shared empty/loading/error states.

// h builds an element: h('div.card#x', {onclick}, child, …). Strings become
// text nodes, never HTML.
export function h(spec, attrs, ...children) {
  if (attrs === null || typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  const [tagAndClasses, id] = spec.split('#');
  const [tag, ...classes] = tagAndClasses.split('.');
  const el = document.createElement(tag || 'div');
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className += ' ' + v;
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// svg icons (24×24 strokes) for the navigation.
const paths = {
  fleet: 'M3 12h4l3-8 4 16 3-8h4',
  meter: 'M4 5h16v14H4zM8 9h8M8 13h5',
  jobs: 'M9 6h11M9 12h11M9 18h11M4 6h.01M4 12h.01M4 18h.01',
  firmware: 'M12 3v12M7 10l5 5 5-5M5 21h14',
  billing: 'M6 3h12v18l-3-2-3 2-3-2-3 2zM9 8h6M9 12h6',
  analytics: 'M4 20V10M10 20V4M16 20v-7M22 20H2',
};

export function icon(name) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '2');
  svg.setAttribute('stroke-linecap', 'round');
  svg.setAttribute('stroke-linejoin', 'round');
  const p = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  p.setAttribute('d', paths[name]);
  svg.append(p);
  return svg;
}

export function card(title, opts = {}, ...body) {
  return h('section.card', { 'data-card': opts.id },
    h('header', h('h2', title), opts.hint ? h('span.hint', opts.hint) : null, opts.tools || null),
    h(opts.flush ? 'div.body.flush' : 'div.body', ...body));
}

export function loading(lines = 3) {
  return h('div.loading', Array.from({ length: lines }, (_, i) => h('div.skeleton', { style: { width: (90 - i * 18) + '%' } })));
}

export function empty(title, detail) {
  return h('div.state.empty', h('b', title), detail ? h('span', detail) : null);
}

export function failure(err, retry) {
  return h('div.state.error', h('b', err.status === 501 ? 'Not available on this server' : 'Could not load this'),
    h('span', err.message || String(err)),
    retry ? h('button.small', { onclick: retry }, 'Try again') : null);
}

// slot shows a loading state in el, then what render returns for the
// loaded value, or an error with a retry button.
export async function slot(el, load, render, lines) {
  clear(el, loading(lines));
  try {
    const v = await load();
    clear(el, render(v));
  } catch (e) {
    if (e.status === 401) return;
    clear(el, failure(e, () => slot(el, load, render, lines)));
  }
}

export function badge(text, tone = '', plain = false) {
  return h('span.badge' + (tone ? '.' + tone : '') + (plain ? '.plain' : ''), text);
}

const tones = {
  online: 'ok', connected: 'ok', done: 'ok', issued: 'ok', valid: 'ok',
  offline: '', unknown: '', queued: 'info', running: 'info', draft: 'info',
  disconnected: 'warn', ready: 'warn', warning: 'warn', superseded: '',
  failed: 'bad', critical: 'bad', info: 'info',
};
export const stateBadge = (s) => badge(s || 'unknown', tones[s] ?? '');

export function progress(fraction, state) {
  const cls = state === 'done' ? '.done' : state === 'failed' ? '.failed' : '';
  return h('div.progress' + cls, { title: Math.round(fraction * 100) + ' %' }, h('i', { style: { width: Math.round(fraction * 100) + '%' } }));
}

let toastBox;
export function toast(text, tone = '') {
  if (!toastBox) document.body.append(toastBox = h('div.toasts'));
  const t = h('div.toast' + (tone ? '.' + tone : ''), text);
  toastBox.append(t);
  setTimeout(() => t.remove(), 4200);
}

// Formatting ---------------------------------------------------------------

const nf = new Intl.NumberFormat('en-GB');
const nf1 = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const nf2 = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2, minimumFractionDigits: 2 });
export const fmt = {
  int: (v) => nf.format(v),
  one: (v) => nf1.format(v),
  two: (v) => nf2.format(v),
  pct: (v, d = 1) => (v * 100).toFixed(d) + ' %',
  money: (micros, cur) => new Intl.NumberFormat('en-GB', { style: 'currency', currency: cur || 'EUR' }).format(micros / 1e6),
  kwh: (wh) => nf1.format(wh / 1000) + ' kWh',
  time: (t) => t ? new Date(t).toLocaleString('en-GB', { day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' }) : '—',
  date: (t) => t ? new Date(t).toLocaleDateString('en-GB', { day: '2-digit', month: 'short', year: 'numeric', timeZone: 'UTC' }) : '—',
  ago(t, now = Date.now()) {
    if (!t) return 'never';
    const s = Math.max(0, (now - new Date(t)) / 1000);
    if (s < 90) return Math.round(s) + ' s ago';
    if (s < 5400) return Math.round(s / 60) + ' min ago';
    if (s < 129600) return Math.round(s / 3600) + ' h ago';
    return Math.round(s / 86400) + ' d ago';
  },
  value: (v, scaler) => scaler ? (v * Math.pow(10, scaler)).toFixed(Math.max(0, -scaler)) : nf.format(v),
};

export const titleCase = (s) => s.charAt(0).toUpperCase() + s.slice(1).replaceAll('-', ' ');
