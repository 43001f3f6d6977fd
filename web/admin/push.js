// Push (S5): send now, templates with a live preview, triggers with every rule, and the send records.
import { html, useState } from '../lib/html.js';
import { ActionButton, ErrorNote, Field, useLoad, useSubmit, notify } from '../lib/ui.js';
import { dateTime, localToIso } from '../lib/format.js';
import { api } from './session.js';
import { Preview, VariableInputs } from './preview.js';
import { EVENT_VARIABLES, placeholdersOf } from '../shared/template-syntax.js';
import { LogTable } from './logs.js';

const SCOPES = ['lobby', 'server', 'room', 'team', 'personal'];
const KINDS = ['marquee', 'announcement'];
const EVENTS = ['login', 'register', 'password_changed', 'name_changed', 'online', 'schedule', 'manual'];
const FREQUENCIES = ['once', 'daily', 'weekly', 'monthly', 'unlimited'];

/** The target fields a scope needs: personal → userId, room → roomId, team → roomId + team, server → address. */
function Target({ scope, v, set, errors, servers, trigger }) {
  return html`${scope === 'personal' ? html`<${Field} label="User id" hint=${trigger ? 'empty: the user of the event' : undefined} error=${errors.userId}><input value=${v.userId} onInput=${set('userId')} /><//>` : null}
    ${scope === 'room' || scope === 'team' ? html`<${Field} label="Room id" error=${errors.roomId}><input value=${v.roomId} onInput=${set('roomId')} /><//>` : null}
    ${scope === 'team' ? html`<${Field} label="Team" error=${errors.team}><input value=${v.team} onInput=${set('team')} /><//>` : null}
    ${scope === 'server' ? html`<${Field} label="Server (public address)" error=${errors.server}>
      <input list="server-addresses" value=${v.server} onInput=${set('server')} />
      <datalist id="server-addresses">${(servers ?? []).map((s) => html`<option value=${s.address} />`)}</datalist><//>` : null}`;
}

/** The target fields of a scope that have a value (a personal trigger without userId targets the event's user). */
function targetOf(scope, v) {
  const keys = { personal: ['userId'], room: ['roomId'], team: ['roomId', 'team'], server: ['server'] }[scope] ?? [];
  return Object.fromEntries(keys.map((k) => [k, v[k].trim()]).filter(([, value]) => value));
}

const EMPTY_TARGET = { userId: '', roomId: '', team: '', server: '' };

function SendNow({ templates, servers }) {
  const [v, setV] = useState({ scope: 'lobby', kind: 'marquee', text: '', templateId: '', priority: '0', expiresAt: '', ...EMPTY_TARGET });
  const [vars, setVars] = useState({});
  const set = (k) => (e) => setV({ ...v, [k]: e.target.value });
  const template = templates.find((t) => t.id === v.templateId);
  const form = useSubmit(async () => {
    const body = {
      scope: v.scope, kind: v.kind, priority: Number(v.priority) || 0, ...targetOf(v.scope, v),
      ...(template ? { templateId: template.id, variables: vars } : { text: v.text }),
      ...(v.expiresAt ? { expiresAt: localToIso(v.expiresAt) } : {}),
    };
    const m = await api('POST', '/admin/push', { body });
    notify(`Sent ${m.kind} #${m.id} to ${m.scope}`);
  });
  return html`<form class="card stack" onSubmit=${form.submit} data-testid="send-now">
    <h2>Send now</h2>
    <div class="form-grid">
      <${Field} label="Kind" error=${form.errors.kind}><select value=${v.kind} onChange=${set('kind')}>${KINDS.map((k) => html`<option>${k}</option>`)}</select><//>
      <${Field} label="Scope" error=${form.errors.scope}><select value=${v.scope} onChange=${set('scope')}>${SCOPES.map((k) => html`<option>${k}</option>`)}</select><//>
      <${Target} scope=${v.scope} v=${v} set=${set} errors=${form.errors} servers=${servers} />
      <${Field} label="Priority" error=${form.errors.priority}><input type="number" value=${v.priority} onInput=${set('priority')} /><//>
      <${Field} label="Expires (default 1 h)" error=${form.errors.expiresAt}><input type="datetime-local" value=${v.expiresAt} onInput=${set('expiresAt')} /><//>
      <${Field} label="Template" error=${form.errors.templateId}><select value=${v.templateId} onChange=${set('templateId')}>
        <option value="">— plain text —</option>${templates.map((t) => html`<option value=${t.id}>${t.content.slice(0, 50)}</option>`)}</select><//>
    </div>
    ${template ? html`<${VariableInputs} keys=${placeholdersOf(template.content)} values=${vars} onChange=${setVars} errors=${form.errors} />
      <${Preview} content=${template.content} variables=${vars} />`
      : html`<${Field} label="Text" error=${form.errors.text}><textarea value=${v.text} onInput=${set('text')} /><//>`}
    <div><button class="primary" disabled=${form.busy}>Send ${v.kind}</button></div>
    <${ErrorNote} error=${form.error} />
  </form>`;
}

function Templates({ templates, reload }) {
  const [content, setContent] = useState('');
  const [sample, setSample] = useState({});
  const form = useSubmit(async () => {
    await api('POST', '/admin/templates', { body: { content } });
    setContent('');
    await reload();
  }, { done: 'Template saved' });
  return html`<div class="stack">
    <form class="card stack" onSubmit=${form.submit} data-testid="new-template">
      <h2>New template</h2>
      <${Field} label="Content" hint="{key} is a placeholder; {{ and }} are literal braces" error=${form.errors.content}>
        <textarea value=${content} onInput=${(e) => setContent(e.target.value)} /><//>
      <${VariableInputs} keys=${placeholdersOf(content)} values=${sample} onChange=${setSample} />
      <${Preview} content=${content} variables=${sample} />
      <div><button class="primary" disabled=${form.busy || !content}>Save template</button></div>
      <${ErrorNote} error=${form.error} />
    </form>
    <section class="card"><div class="table-wrap"><table data-testid="templates">
      <thead><tr><th>Id</th><th>Content</th><th>Placeholders</th><th>Created</th></tr></thead>
      <tbody>${templates.map((t) => html`<tr key=${t.id}><td class="mono">${t.id}</td><td>${t.content}</td>
        <td>${(t.placeholders ?? placeholdersOf(t.content)).map((k) => html`<span class="badge">{${k}}</span> `)}</td><td>${dateTime(t.createdAt)}</td></tr>`)}</tbody>
    </table></div>${templates.length ? null : html`<p class="muted">No templates yet.</p>`}</section>
  </div>`;
}

function NewTrigger({ templates, servers, onCreated }) {
  const [v, setV] = useState({ event: 'login', templateId: templates[0]?.id ?? '', scope: 'personal', kind: 'marquee', frequency: 'once', maxPerPeriod: '1',
    priority: '0', startsAt: '', endsAt: '', sendAt: '', repeatEveryS: '', ...EMPTY_TARGET });
  const [vars, setVars] = useState({});
  const set = (k) => (e) => setV({ ...v, [k]: e.target.value });
  const template = templates.find((t) => t.id === v.templateId);
  const timed = v.event === 'schedule' || v.event === 'manual';
  const needed = template ? placeholdersOf(template.content).filter((k) => timed || !EVENT_VARIABLES.includes(k)) : [];
  const form = useSubmit(async () => {
    const variables = Object.fromEntries(Object.entries(vars).filter(([k, x]) => needed.includes(k) && x !== ''));
    const body = {
      event: v.event, templateId: v.templateId, scope: v.scope, kind: v.kind, frequency: v.frequency, ...targetOf(v.scope, v),
      ...(Object.keys(variables).length ? { variables } : {}),
      ...(v.maxPerPeriod ? { maxPerPeriod: Number(v.maxPerPeriod) } : {}), priority: Number(v.priority) || 0,
      ...(v.startsAt ? { startsAt: localToIso(v.startsAt) } : {}), ...(v.endsAt ? { endsAt: localToIso(v.endsAt) } : {}),
      ...(timed && v.sendAt ? { sendAt: localToIso(v.sendAt) } : {}), ...(v.repeatEveryS ? { repeatEveryS: Number(v.repeatEveryS) } : {}),
    };
    await api('POST', '/admin/triggers', { body });
    onCreated();
  }, { done: 'Trigger created' });
  return html`<form class="card stack" onSubmit=${form.submit} data-testid="new-trigger">
    <h2>New trigger</h2>
    <div class="form-grid">
      <${Field} label="Event" error=${form.errors.event}><select value=${v.event} onChange=${set('event')}>${EVENTS.map((k) => html`<option>${k}</option>`)}</select><//>
      <${Field} label="Template" error=${form.errors.templateId}><select value=${v.templateId} onChange=${set('templateId')}>
        <option value="">— choose —</option>${templates.map((t) => html`<option value=${t.id}>${t.content.slice(0, 50)}</option>`)}</select><//>
      <${Field} label="Kind" error=${form.errors.kind}><select value=${v.kind} onChange=${set('kind')}>${KINDS.map((k) => html`<option>${k}</option>`)}</select><//>
      <${Field} label="Scope" error=${form.errors.scope}><select value=${v.scope} onChange=${set('scope')}>${SCOPES.map((k) => html`<option>${k}</option>`)}</select><//>
      <${Target} scope=${v.scope} v=${v} set=${set} errors=${form.errors} servers=${servers} trigger />
      <${Field} label="Frequency" error=${form.errors.frequency}><select value=${v.frequency} onChange=${set('frequency')}>${FREQUENCIES.map((k) => html`<option>${k}</option>`)}</select><//>
      <${Field} label="At most n per period" error=${form.errors.maxPerPeriod}><input type="number" min="1" value=${v.maxPerPeriod} onInput=${set('maxPerPeriod')} /><//>
      <${Field} label="Priority" error=${form.errors.priority}><input type="number" value=${v.priority} onInput=${set('priority')} /><//>
      <${Field} label="Window start" error=${form.errors.startsAt}><input type="datetime-local" value=${v.startsAt} onInput=${set('startsAt')} /><//>
      <${Field} label="Window end" error=${form.errors.endsAt}><input type="datetime-local" value=${v.endsAt} onInput=${set('endsAt')} /><//>
      ${timed ? html`<${Field} label="Send at" error=${form.errors.sendAt}><input type="datetime-local" value=${v.sendAt} onInput=${set('sendAt')} /><//>` : null}
      <${Field} label="Repeat every (s)" error=${form.errors.repeatEveryS}><input type="number" min="1" value=${v.repeatEveryS} onInput=${set('repeatEveryS')} /><//>
    </div>
    ${template ? html`<${VariableInputs} keys=${needed} values=${vars} onChange=${setVars} errors=${form.errors} />
      <${Preview} content=${template.content} variables=${vars} eventVariables=${!timed} />` : null}
    <div><button class="primary" disabled=${form.busy}>Create trigger</button></div>
    <${ErrorNote} error=${form.error} />
  </form>`;
}

function Triggers({ templates, servers }) {
  const [filter, setFilter] = useState({ event: '', active: '' });
  const list = useLoad(() => api('GET', '/admin/triggers', { query: filter }), [filter.event, filter.active]);
  const contentOf = (id) => templates.find((t) => t.id === id)?.content ?? id;
  return html`<div class="stack">
    <${NewTrigger} templates=${templates} servers=${servers} onCreated=${list.reload} />
    <section class="card stack">
      <div class="row between"><h2>Triggers</h2><span class="row">
        <select aria-label="Event filter" value=${filter.event} onChange=${(e) => setFilter({ ...filter, event: e.target.value })}><option value="">all events</option>${EVENTS.map((k) => html`<option>${k}</option>`)}</select>
        <select aria-label="State filter" value=${filter.active} onChange=${(e) => setFilter({ ...filter, active: e.target.value })}><option value="">all</option><option value="true">active</option><option value="false">cancelled or over</option></select>
      </span></div>
      <${ErrorNote} error=${list.error} />
      <div class="table-wrap"><table data-testid="triggers">
        <thead><tr><th>Event</th><th>Template</th><th>To</th><th>Rule</th><th>Window</th><th>Next / last</th><th></th></tr></thead>
        <tbody>${(list.data?.triggers ?? []).map((t) => html`<tr key=${t.id}>
          <td>${t.event}</td><td>${contentOf(t.templateId)}</td>
          <td>${t.kind} · ${t.scope}${t.userId ? ` ${t.userId}` : ''}${t.roomId ? ` ${t.roomId}` : ''}${t.team ? `/${t.team}` : ''}${t.server ? ` ${t.server}` : ''}</td>
          <td>${t.frequency} × ${t.maxPerPeriod}${t.repeatEveryS ? ` · every ${t.repeatEveryS} s` : ''} · p${t.priority}</td>
          <td>${t.startsAt ? dateTime(t.startsAt) : 'now'} → ${t.endsAt ? dateTime(t.endsAt) : '∞'}</td>
          <td>${t.nextFireAt ? dateTime(t.nextFireAt) : '—'} / ${t.lastFiredAt ? dateTime(t.lastFiredAt) : '—'}</td>
          <td>${t.cancelledAt ? html`<span class="badge">cancelled</span>` : html`<${ActionButton} label="Cancel" kind="danger small" done="Trigger cancelled"
            confirm="Cancel this trigger? It sends nothing more and its messages on display are withdrawn." onAction=${async () => { await api('POST', `/admin/triggers/${t.id}/cancel`); await list.reload(); }} />`}</td>
        </tr>`)}</tbody>
      </table></div>
    </section>
  </div>`;
}

const TABS = [['send', 'Send now'], ['templates', 'Templates'], ['triggers', 'Triggers'], ['records', 'Send records']];

export function PushPage({ params }) {
  const tab = TABS.some(([k]) => k === params?.[0]) ? params[0] : 'send';
  const templates = useLoad(() => api('GET', '/admin/templates'));
  const servers = useLoad(() => api('GET', '/admin/servers'));
  const list = templates.data?.templates ?? [];
  const addresses = servers.data?.servers;
  return html`<div class="stack">
    <h1>Push</h1>
    <nav class="tabs" aria-label="Push">${TABS.map(([k, label]) => html`<a href=${`#/push/${k}`} class=${k === tab ? 'active' : ''}>${label}</a>`)}</nav>
    <${ErrorNote} error=${templates.error || servers.error} />
    ${tab === 'send' ? html`<${SendNow} templates=${list} servers=${addresses} />` : null}
    ${tab === 'templates' ? html`<${Templates} templates=${list} reload=${templates.reload} />` : null}
    ${tab === 'triggers' && templates.data ? html`<${Triggers} templates=${list} servers=${addresses} />` : null}
    ${tab === 'records' ? html`<section class="card"><${LogTable} kind="push" /></section>` : null}
  </div>`;
}
