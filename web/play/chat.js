// A chat log with its input; used by the lobby and by game rooms.
import { html, useState, useEffect, useRef } from '../lib/html.js';
import { time } from '../lib/format.js';

export function ChatBox({ lines, onSend, label, disabled, testid }) {
  const [text, setText] = useState('');
  const log = useRef();
  useEffect(() => {
    if (log.current) log.current.scrollTop = log.current.scrollHeight;
  }, [lines.length]);
  function submit(e) {
    e.preventDefault();
    const t = text.trim();
    if (!t) return;
    onSend(t);
    setText('');
  }
  return html`<div class="chat" data-testid=${testid}>
    <ol class="chat-log" ref=${log} aria-live="polite" aria-label=${label}>
      ${lines.map((l) => html`<li class=${`line ${l.kind}`}>
        <span class="at">${time(l.at)}</span>
        ${l.from ? html`<strong class="who">${l.from.name}</strong>` : html`<span class="who">${l.kind === 'error' ? '⚠' : '★'}</span>`}
        <span class="text">${l.text}</span>
      </li>`)}
      ${lines.length ? null : html`<li class="muted empty">No messages yet.</li>`}
    </ol>
    <form class="row nowrap" onSubmit=${submit}>
      <input aria-label=${`${label} message`} maxlength="200" placeholder="Say something…" value=${text} disabled=${disabled} onInput=${(e) => setText(e.target.value)} />
      <button class="primary" disabled=${disabled || !text.trim()}>Send</button>
    </form>
  </div>`;
}
