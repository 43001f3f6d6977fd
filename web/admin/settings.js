// Settings: maintenance mode, log level, the protected Colyseus monitor, and a graceful stop.
import { html, useState, useEffect } from '../lib/html.js';
import { ActionButton, ErrorNote, Field, useLoad, useSubmit, askConfirm } from '../lib/ui.js';
import { api } from './session.js';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function Maintenance() {
  const current = useLoad(() => api('GET', '/admin/maintenance'));
  const [message, setMessage] = useState('');
  useEffect(() => {
    if (current.data) setMessage(current.data.message);
  }, [current.data]);
  const on = current.data?.enabled;
  const form = useSubmit(async () => {
    const enabled = !on;
    const question = enabled ? 'Turn maintenance on? Players who are not whitelisted leave their rooms at once.' : 'Turn maintenance off?';
    if (!(await askConfirm(question, { action: enabled ? 'Turn on' : 'Turn off', danger: enabled }))) return;
    await api('PUT', '/admin/maintenance', { body: { enabled, message } });
    await current.reload();
  }, { done: 'Maintenance changed' });
  return html`<form class="card stack" onSubmit=${form.submit} data-testid="maintenance">
    <div class="row between"><h2>Maintenance</h2>${current.data ? html`<span class=${`badge ${on ? 'danger' : 'ok'}`}>${on ? 'on' : 'off'}</span>` : null}</div>
    <p class="muted">While on, only whitelisted users may log in and play (whitelist them from their user page).</p>
    <${Field} label="Message to players" error=${form.errors.message}><input maxlength="500" value=${message} onInput=${(e) => setMessage(e.target.value)} /><//>
    <div><button class=${on ? '' : 'danger'} disabled=${form.busy || !current.data}>${on ? 'Turn maintenance off' : 'Turn maintenance on'}</button></div>
    <${ErrorNote} error=${form.error || current.error} />
  </form>`;
}

function LogLevel() {
  const current = useLoad(() => api('GET', '/admin/log-level'));
  const form = useSubmit(async (level) => {
    await api('PUT', '/admin/log-level', { body: { level } });
    await current.reload();
  }, { done: 'Log level changed on every process' });
  return html`<section class="card stack">
    <h2>Log level</h2>
    <label class="field"><span class="label">pino level (every process)</span>
      <select aria-label="Log level" value=${current.data?.level} disabled=${form.busy} onChange=${(e) => form.submit(undefined, e.target.value)}>
        ${LEVELS.map((l) => html`<option>${l}</option>`)}
      </select></label>
    <${ErrorNote} error=${form.error || current.error} />
  </section>`;
}

export function Settings() {
  return html`<div class="stack">
    <h1>Settings</h1>
    <div class="grid">
      <${Maintenance} />
      <${LogLevel} />
      <section class="card stack">
        <h2>Colyseus monitor</h2>
        <p class="muted">Rooms and clients live, at <code>/admin/monitor</code>. Your browser asks for the admin user and password (HTTP basic auth).</p>
        <div><a class="button" href="/admin/monitor" target="_blank" rel="noopener">Open the monitor ↗</a></div>
      </section>
      <section class="card stack">
        <h2>Stop this process</h2>
        <p class="muted">Graceful stop, as SIGTERM: clients are told, rooms disposed, logs flushed. A process manager (PM2) starts it again.</p>
        <div><${ActionButton} label="Stop the server" kind="danger" done="The server is stopping"
          confirm="Stop this server process now? Every player on it is disconnected." onAction=${() => api('POST', '/admin/shutdown', { body: { reason: 'admin panel' } })} /></div>
      </section>
    </div>
  </div>`;
}
