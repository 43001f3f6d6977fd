// The landing page: what is running here (GET /api/v1/server-info) and where to go next.
import { html, mount } from '../lib/html.js';
import { request } from '../lib/api.js';
import { ErrorNote, useLoad, useInterval } from '../lib/ui.js';
import { number } from '../lib/format.js';

const LINKS = [
  ['/play', 'Play', 'The player client: register, lobby, matchmaking, chat, tic-tac-toe, mailbox.'],
  ['/admin', 'Admin panel', 'Dashboard, users, mail, push, rooms, logs and the database tool.'],
  ['/docs', 'API reference', 'Every HTTP call with its body, answer and errors (from the OpenAPI document).'],
  ['/admin/monitor', 'Colyseus monitor', 'Rooms and clients live; asks for the admin credentials.'],
];

function Landing() {
  const info = useLoad(() => request('GET', '/server-info'));
  useInterval(info.reload, 5000);
  const d = info.data;
  return html`<div class="hero">
    <h1><img src="/web/lib/favicon.svg" alt="" />arena-server</h1>
    <p class="lead">An open-source game backend on Colyseus: accounts, lobby, matchmaking, rooms, push messages, mail with rewards, and the tools to run it.</p>
    <div class="stats running" data-testid="server-info">
      <div class="stat"><div class="value">${d ? d.version : '…'}</div><div class="name">version</div></div>
      <div class="stat"><div class="value">${d ? d.database : '…'}</div><div class="name">database</div></div>
      <div class="stat"><div class="value">${d ? number(d.processes) : '…'}</div><div class="name">processes</div></div>
      <div class="stat"><div class="value" data-testid="ccu">${d ? number(d.ccu) : '…'}</div><div class="name">CCU (room connections)</div></div>
    </div>
    <${ErrorNote} error=${info.error} />
    <nav class="links">
      ${LINKS.map(([href, title, text]) => html`<a class="card" href=${href}><strong>${title}</strong><span class="muted">${text}</span></a>`)}
    </nav>
    <p class="muted">Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> · <a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a></p>
  </div>`;
}

mount(Landing);
