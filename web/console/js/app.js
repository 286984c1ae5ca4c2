// The console: session, shell, router. Pages live in pages/*.js and export
// render(ctx); the URL fragment (#/meters/12) picks the page.
import { api, signIn, signOut, whenSignedOut, startLive, stopLive, onLiveStatus } from './api.js';
import { h, clear, icon } from './ui.js';
import * as fleet from './pages/fleet.js';
import * as meter from './pages/meter.js';
import * as jobs from './pages/jobs.js';
import * as firmware from './pages/firmware.js';
import * as billing from './pages/billing.js';
import * as analytics from './pages/analytics.js';

const app = document.getElementById('app');

const nav = [
  { path: 'fleet', label: 'Fleet', icon: 'fleet', page: fleet },
  { path: 'jobs', label: 'Commands & jobs', icon: 'jobs', page: jobs },
  { path: 'firmware', label: 'Firmware', icon: 'firmware', page: firmware },
  { path: 'billing', label: 'Billing', icon: 'billing', page: billing },
  { path: 'analytics', label: 'Analytics', icon: 'analytics', page: analytics },
];

// session holds the signed-in user and the offset of the system's clock
// (the simulated clock in the demo) from the browser's.
export const session = {
  user: null,
  offset: 0,
  now() { return Date.now() + this.offset; },
  can(role) { return rank(this.user?.role) >= rank(role); },
};
const rank = (r) => ['viewer', 'operator', 'admin'].indexOf(r) + 1;

async function boot() {
  whenSignedOut(() => { session.user = null; stopLive(); showLogin('Your session ended. Sign in again.'); });
  try {
    const me = await api('/me');
    start(me);
  } catch (e) {
    showLogin(e.status === 401 ? '' : e.message);
  }
}

function start(me) {
  session.user = me;
  session.offset = new Date(me.server_time) - Date.now();
  buildShell();
  startLive();
  window.addEventListener('hashchange', route);
  route();
}

function showLogin(message) {
  window.removeEventListener('hashchange', route);
  const input = h('input#token', { type: 'password', placeholder: 'amigo_…', autocomplete: 'off', spellcheck: 'false', 'aria-label': 'API token' });
  const error = h('div.error', message || '');
  const button = h('button.primary#signin', { type: 'submit' }, 'Sign in');
  const form = h('form.card', {
    async onsubmit(ev) {
      ev.preventDefault();
      button.disabled = true;
      error.textContent = '';
      try {
        await signIn(input.value.trim());
        const me = await api('/me');
        start(me);
      } catch (e) {
        error.textContent = e.status === 401 ? 'That token is not valid (unknown, expired or revoked).' : e.message;
        button.disabled = false;
      }
    },
  },
  h('div.brand', h('img', { src: 'img/logo.svg', alt: '' }), h('div', 'amigo', h('small', 'smart-metering console'))),
  h('p', 'Sign in with an API token. ', h('span.muted', h('code', 'amigo demo'), ' prints an admin token when it starts.')),
  h('label.field', 'Token', input), error, button);
  clear(app, h('div.login', form));
  app.className = '';
  input.focus();
}

let shell;

function buildShell() {
  const u = session.user;
  const links = nav.map((n) => h('a', { href: '#/' + n.path, 'data-nav': n.path }, icon(n.icon), n.label));
  const live = h('span.live', h('i'), 'connecting');
  onLiveStatus((ok) => {
    live.className = 'live ' + (ok ? 'on' : 'off');
    live.lastChild.textContent = ok ? 'live' : 'reconnecting';
  });
  const clock = h('span.clock');
  const tick = () => { clock.textContent = new Date(session.now()).toLocaleString('en-GB', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' }) + ' UTC'; };
  tick();
  setInterval(tick, 10000);
  shell = {
    title: h('h1'),
    crumbs: h('div.crumbs'),
    content: h('main.content'),
    links,
  };
  clear(app,
    h('div.shell',
      h('nav.nav',
        h('div.brand', h('img', { src: 'img/logo.svg', alt: '' }), h('div', 'amigo', h('small', 'AMI console'))),
        links,
        h('div.spacer'),
        h('div.user', h('div.avatar', u.name.slice(0, 2)), h('div.who', h('b', u.name), h('span', u.role)),
          h('button#signout', {
            async onclick() { await signOut().catch(() => {}); stopLive(); session.user = null; showLogin('Signed out.'); },
          }, 'Sign out'))),
      h('div.main',
        h('header.topbar', h('div', shell.crumbs, shell.title), h('div.grow'), live, clock),
        shell.content)));
  app.className = '';
}

let cleanups = [];

function route() {
  for (const f of cleanups) f();
  cleanups = [];
  const parts = (location.hash.replace(/^#\/?/, '') || 'fleet').split('/');
  let page, params = {}, section = parts[0];
  if (parts[0] === 'meters' && parts[1]) {
    page = meter;
    params = { id: parts[1] };
    section = 'fleet';
  } else {
    page = (nav.find((n) => n.path === parts[0]) || nav[0]).page;
  }
  for (const a of shell.links) a.classList.toggle('active', a.dataset.nav === section);
  clear(shell.content);
  window.scrollTo(0, 0);
  page.render({
    el: shell.content,
    params,
    session,
    setTitle(title, crumbs = []) {
      shell.title.textContent = title;
      clear(shell.crumbs, crumbs.flatMap((c, i) => [i ? ' / ' : '', c.href ? h('a', { href: c.href }, c.label) : c.label]));
      document.title = title + ' · amigo';
    },
    onCleanup(fn) { cleanups.push(fn); },
  });
}

boot();
