// /admin: the operator's panel (SPEC S10), built only on the admin API.
import { html, mount, useState, useEffect } from '../lib/html.js';
import { ErrorNote, Field, useSubmit } from '../lib/ui.js';
import { adminSession } from './session.js';
import { Dashboard } from './dashboard.js';
import { Users, UserDetail } from './users.js';
import { MailPage } from './mail.js';
import { PushPage } from './push.js';
import { Rooms, RoomDetail } from './rooms.js';
import { Logs } from './logs.js';
import { DbTool } from './dbtool.js';
import { Settings } from './settings.js';

const SECTIONS = [
  ['dashboard', 'Dashboard', Dashboard],
  ['users', 'Users', Users],
  ['mail', 'Mail', MailPage],
  ['push', 'Push', PushPage],
  ['rooms', 'Rooms', Rooms],
  ['logs', 'Logs', Logs],
  ['db', 'Database', DbTool],
  ['settings', 'Settings', Settings],
];

/** `#/users/123` → ['users', '123'] */
function useRoute() {
  const read = () => (location.hash.replace(/^#\/?/, '') || 'dashboard').split('/').map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function Login({ reason, onIn }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const form = useSubmit(async () => {
    await adminSession.login(username, password);
    onIn();
  });
  return html`<div class="center-box">
    <form class="card stack" onSubmit=${form.submit} data-testid="admin-login">
      <h1>Admin</h1>
      ${reason ? html`<p class="muted">${reason}</p>` : null}
      <${Field} label="User" error=${form.errors.username}><input autocomplete="username" required value=${username} onInput=${(e) => setUsername(e.target.value)} /><//>
      <${Field} label="Password" error=${form.errors.password}><input type="password" autocomplete="current-password" required value=${password} onInput=${(e) => setPassword(e.target.value)} /><//>
      <button class="primary" disabled=${form.busy}>Log in</button>
      <${ErrorNote} error=${form.error} />
    </form>
  </div>`;
}

function Shell({ route }) {
  const [section, ...rest] = route;
  const [menuOpen, setMenuOpen] = useState(false);
  let page;
  if (section === 'users' && rest[0]) page = html`<${UserDetail} id=${rest[0]} />`;
  else if (section === 'rooms' && rest[0]) page = html`<${RoomDetail} id=${rest[0]} />`;
  else {
    const found = SECTIONS.find(([key]) => key === section) ?? SECTIONS[0];
    page = html`<${found[2]} params=${rest} />`;
  }
  return html`<div class="admin">
    <header class="topbar">
      <a class="brand" href="/"><img src="/web/lib/favicon.svg" alt="" />arena</a>
      <span class="muted">Admin</span>
      <button class="small menu-toggle" aria-expanded=${menuOpen} onClick=${() => setMenuOpen(!menuOpen)}>Menu</button>
      <nav class=${`sections ${menuOpen ? 'open' : ''}`} aria-label="Sections">
        ${SECTIONS.map(([key, label]) => html`<a href=${`#/${key}`} class=${key === section ? 'active' : ''} aria-current=${key === section ? 'page' : undefined} onClick=${() => setMenuOpen(false)}>${label}</a>`)}
      </nav>
      <span class="spacer"></span>
      <a class="small-link" href="/admin/monitor" target="_blank" rel="noopener">Monitor ↗</a>
      <button class="small" onClick=${() => adminSession.logout('Logged out.')}>Log out</button>
    </header>
    <main class="page">${page}</main>
  </div>`;
}

function App() {
  const [loggedIn, setLoggedIn] = useState(!!adminSession.token);
  const [reason, setReason] = useState();
  const route = useRoute();
  useEffect(() => adminSession.onLogout((why) => {
    setReason(why);
    setLoggedIn(false);
  }), []);
  if (!loggedIn) return html`<${Login} reason=${reason} onIn=${() => setLoggedIn(true)} />`;
  return html`<${Shell} route=${route} />`;
}

mount(App);
