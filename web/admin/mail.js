// Mail: to one user, a list, or everyone, with attachments; and what became of each mail sent.
import { html, useState } from '../lib/html.js';
import { ErrorNote, Field, useSubmit, askConfirm, notify, useLoad } from '../lib/ui.js';
import { dateTime, localToIso } from '../lib/format.js';
import { api } from './session.js';

function Attachments({ list, onChange, errors }) {
  const update = (i, key, value) => onChange(list.map((a, j) => (j === i ? { ...a, [key]: value } : a)));
  return html`<fieldset class="stack attachments">
    <legend>Attachments (rewards)</legend>
    ${list.map((a, i) => html`<div class="row nowrap" key=${i}>
      <input aria-label=${`Item ${i + 1}`} placeholder="item, e.g. gem" value=${a.item} onInput=${(e) => update(i, 'item', e.target.value)} />
      <input aria-label=${`Amount ${i + 1}`} type="number" min="1" value=${a.amount} onInput=${(e) => update(i, 'amount', e.target.value)} />
      <button type="button" class="small" onClick=${() => onChange(list.filter((_, j) => j !== i))}>Remove</button>
    </div>`)}
    ${Object.entries(errors).filter(([k]) => k.startsWith('attachments')).map(([k, v]) => html`<small class="field-error">${k}: ${v}</small>`)}
    <div><button type="button" class="small" onClick=${() => onChange([...list, { item: '', amount: 1 }])}>Add attachment</button></div>
  </fieldset>`;
}

function Compose({ prefill, onSent }) {
  const [to, setTo] = useState('users');
  const [ids, setIds] = useState(prefill ?? '');
  const [v, setV] = useState({ title: '', body: '', expiresAt: '', fromName: '' });
  const [attachments, setAttachments] = useState([]);
  const set = (k) => (e) => setV({ ...v, [k]: e.target.value });
  const form = useSubmit(async () => {
    const recipients = to === 'all' ? 'all' : ids.split(/[\s,]+/).filter(Boolean);
    const who = to === 'all' ? 'every user' : `${recipients.length} user${recipients.length === 1 ? '' : 's'}`;
    if (!(await askConfirm(`Send "${v.title}" to ${who}? Mail cannot be recalled.`, { action: 'Send', danger: to === 'all' }))) return;
    const body = {
      to: recipients, title: v.title, body: v.body,
      ...(attachments.length ? { attachments: attachments.map((a) => ({ item: a.item.trim(), amount: Number(a.amount) })) } : {}),
      ...(v.expiresAt ? { expiresAt: localToIso(v.expiresAt) } : {}),
      ...(v.fromName.trim() ? { fromName: v.fromName.trim() } : {}),
    };
    const res = await api('POST', '/admin/mail', { body });
    notify(to === 'all' ? 'Mail to everyone stored: each user gets it at the next mailbox read or login' : `Mail sent (${res.mailIds?.length ?? 1})`);
    setV({ title: '', body: '', expiresAt: '', fromName: '' });
    setAttachments([]);
    onSent();
  });
  return html`<form class="card stack" onSubmit=${form.submit} data-testid="compose-mail">
    <h2>New mail</h2>
    <div class="row" role="radiogroup" aria-label="Recipients">
      <label class="row nowrap"><input type="radio" name="to" checked=${to === 'users'} onChange=${() => setTo('users')} /> One user or a list</label>
      <label class="row nowrap"><input type="radio" name="to" checked=${to === 'all'} onChange=${() => setTo('all')} /> Everyone</label>
    </div>
    ${to === 'users' ? html`<${Field} label="User ids (comma or space separated)" error=${form.errors.to}><textarea class="short" value=${ids} onInput=${(e) => setIds(e.target.value)} /><//>` : null}
    <div class="form-grid">
      <${Field} label="Title" error=${form.errors.title}><input value=${v.title} onInput=${set('title')} /><//>
      <${Field} label="Sender name (optional)" error=${form.errors.fromName}><input value=${v.fromName} onInput=${set('fromName')} /><//>
      <${Field} label="Expires (optional)" error=${form.errors.expiresAt}><input type="datetime-local" value=${v.expiresAt} onInput=${set('expiresAt')} /><//>
    </div>
    <${Field} label="Body" error=${form.errors.body}><textarea value=${v.body} onInput=${set('body')} /><//>
    <${Attachments} list=${attachments} onChange=${setAttachments} errors=${form.errors} />
    <div><button class="primary" disabled=${form.busy}>Send</button></div>
    <${ErrorNote} error=${form.error} />
  </form>`;
}

/** The mailbox rows of one send, read through the database tool: delivered, read, claimed, or gone. */
function Fate({ after }) {
  const state = useLoad(async () => {
    if (after.globalMailId) {
      const res = await api('GET', '/admin/db/Mail', { query: { filter: `globalMailId:${after.globalMailId}`, pageSize: 200 } });
      return { rows: res.rows, total: res.total, missing: [] };
    }
    const ids = (after.mailIds ?? []).map(Number);
    if (!ids.length) return { rows: [], total: 0, missing: [] };
    const res = await api('GET', '/admin/db/Mail', { query: { filter: [`id:>=${Math.min(...ids)}`, `id:<=${Math.max(...ids)}`], pageSize: 200 } });
    const rows = res.rows.filter((r) => ids.includes(Number(r.id)));
    const found = new Set(rows.map((r) => Number(r.id)));
    return { rows, total: rows.length, missing: ids.filter((id) => !found.has(id)) };
  }, [JSON.stringify(after)]);
  const d = state.data;
  if (!d) return html`<${ErrorNote} error=${state.error} />`;
  const count = (f) => d.rows.filter((r) => r[f]).length;
  return html`<div class="stack fate" data-testid="mail-fate">
    <p>${[
      `${d.total} ${after.globalMailId ? 'delivered so far (each user gets it at the next mailbox read or login)' : 'in mailboxes'}`,
      `${count('readAt')} read`, `${count('claimedAt')} claimed`,
      ...(d.missing.length ? [`${d.missing.length} deleted by the player or trimmed`] : []),
    ].join(' · ')}</p>
    <div class="table-wrap"><table><thead><tr><th>Recipient</th><th>Delivered</th><th>Read</th><th>Claimed</th></tr></thead>
      <tbody>${d.rows.map((r) => html`<tr key=${r.id}><td><a class="mono" href=${`#/users/${r.userId}`}>${r.userId}</a></td><td>${dateTime(r.createdAt)}</td>
        <td>${r.readAt ? dateTime(r.readAt) : '—'}</td><td>${r.claimedAt ? dateTime(r.claimedAt) : '—'}</td></tr>`)}</tbody></table></div>
  </div>`;
}

function Sent({ version }) {
  const sent = useLoad(async () => {
    const [one, all] = await Promise.all(['mail_send', 'mail_send_all'].map((operation) => api('GET', '/admin/logs/audit', { query: { operation, limit: 30 } })));
    return [...one.entries, ...all.entries].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  }, [version]);
  const [open, setOpen] = useState();
  return html`<section class="card stack" data-testid="sent-mail">
    <h2>Sent</h2>
    <${ErrorNote} error=${sent.error} />
    <ul class="sent">${(sent.data ?? []).map((e) => {
      const a = e.detail?.after ?? {};
      return html`<li key=${e.id}>
        <button type="button" class="link-row" aria-expanded=${open === e.id} onClick=${() => setOpen(open === e.id ? undefined : e.id)}>
          <strong>${a.title}</strong> <span class="muted">to ${a.to === 'all' ? 'everyone' : `${a.to?.length ?? 0} user(s)`} · ${dateTime(e.at)} · by ${e.detail?.admin}</span>
          ${(a.attachments ?? []).map((x) => html` <span class="badge">${x.item} × ${x.amount}</span>`)}
        </button>
        ${open === e.id ? html`<${Fate} after=${a} />` : null}
      </li>`;
    })}</ul>
    ${sent.data && !sent.data.length ? html`<p class="muted">No mail sent yet.</p>` : null}
  </section>`;
}

export function MailPage({ params }) {
  const [version, setVersion] = useState(0);
  return html`<div class="stack">
    <h1>Mail</h1>
    <${Compose} key=${params?.[0]} prefill=${params?.[0]} onSent=${() => setVersion(version + 1)} />
    <${Sent} version=${version} />
  </div>`;
}
