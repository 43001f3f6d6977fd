// The mailbox (read, claim rewards into the inventory, delete) and the inventory itself.
import { html, useState } from '../lib/html.js';
import { ActionButton, ErrorNote } from '../lib/ui.js';
import { dateTime } from '../lib/format.js';

function MailItem({ store, mail }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState();
  const claimable = mail.attachments.length > 0 && !mail.claimedAt;
  function toggle() {
    setOpen(!open);
    if (!open) void store.readMail(mail).catch(setError);
  }
  return html`<li class=${`mail ${mail.readAt ? '' : 'unread'}`} data-testid="mail">
    <button type="button" class="mail-head" aria-expanded=${open} onClick=${toggle}>
      <strong>${mail.title}</strong>
      <span class="muted">${mail.from.name ?? mail.from.kind} · ${dateTime(mail.createdAt)}</span>
      ${claimable ? html`<span class="badge accent">reward</span>` : null}
    </button>
    ${open ? html`<div class="mail-body stack">
      <p>${mail.body}</p>
      <${ErrorNote} error=${error} />
      ${mail.attachments.length ? html`<p>${mail.attachments.map((a) => html`<span class="badge">${a.item} × ${a.amount}</span> `)}
        ${mail.claimedAt ? html`<span class="muted">claimed ${dateTime(mail.claimedAt)}</span>` : null}</p>` : null}
      <div class="row">
        ${claimable ? html`<${ActionButton} label="Claim" kind="primary" onAction=${() => store.claimMail(mail)} done="Rewards added to your inventory" />` : null}
        <${ActionButton} label="Delete" kind="danger small" confirm=${`Delete the mail "${mail.title}"?`} disabled=${claimable} onAction=${() => store.deleteMail(mail)} />
      </div>
    </div>` : null}
  </li>`;
}

export function Mailbox({ store, state }) {
  return html`<section class="card stack" data-testid="mailbox">
    <div class="row between"><h2>Mailbox</h2><span class="badge" data-testid="unread">${state.unread} unread</span></div>
    ${state.mails.length ? html`<ul class="mails">${state.mails.map((m) => html`<${MailItem} key=${m.id} store=${store} mail=${m} />`)}</ul>`
      : html`<p class="muted">No mail.</p>`}
  </section>`;
}

export function Inventory({ inventory }) {
  const items = Object.entries(inventory);
  return html`<section class="card stack" data-testid="inventory">
    <h2>Inventory</h2>
    ${items.length ? html`<ul class="inventory">${items.map(([item, amount]) => html`<li data-item=${item}><span>${item}</span><strong>${amount}</strong></li>`)}</ul>`
      : html`<p class="muted">Empty: rewards from mail land here.</p>`}
  </section>`;
}
