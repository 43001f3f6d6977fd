/**
 * Shared pieces of the pages: errors shown in words, a one-time confirmation before destructive
 * actions, toasts, data loading and polling hooks, labelled fields that show their own error.
 */
import { html, useState, useEffect, useRef, useCallback } from './html.js';
import { describeError } from './api.js';

export function ErrorNote({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert">${describeError(error)}</p>`;
}

/** A modal question; resolves true when the operator confirms. Built on <dialog> (focus trap, Esc). */
export function askConfirm(message, { action = 'Confirm', danger = true } = {}) {
  return new Promise((resolve) => {
    const dialog = document.createElement('dialog');
    dialog.className = 'confirm';
    const text = document.createElement('p');
    text.textContent = message;
    const row = document.createElement('div');
    row.className = 'row end';
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.textContent = 'Cancel';
    const ok = document.createElement('button');
    ok.type = 'button';
    ok.textContent = action;
    ok.className = danger ? 'danger' : 'primary';
    row.append(cancel, ok);
    dialog.append(text, row);
    let answer = false;
    cancel.addEventListener('click', () => dialog.close());
    ok.addEventListener('click', () => {
      answer = true;
      dialog.close();
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    ok.focus();
  });
}

let toastHost;
/** A short message in the corner; errors stay until dismissed. */
export function notify(message, kind = 'ok') {
  if (!toastHost) {
    toastHost = document.createElement('div');
    toastHost.className = 'toasts';
    toastHost.setAttribute('aria-live', 'polite');
    document.body.append(toastHost);
  }
  const toast = document.createElement('div');
  toast.className = `toast ${kind}`;
  toast.textContent = message;
  toast.addEventListener('click', () => toast.remove());
  toastHost.append(toast);
  if (kind !== 'error') setTimeout(() => toast.remove(), 4000);
}

/** Loads with `fn()` when `deps` change; `reload()` on demand. */
export function useLoad(fn, deps = []) {
  const [state, setState] = useState({ data: undefined, error: undefined, loading: true });
  const seq = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await fn();
      if (mine === seq.current) setState({ data, error: undefined, loading: false });
    } catch (error) {
      if (mine === seq.current) setState((s) => ({ data: s.data, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { ...state, reload };
}

/** Calls `fn` every `ms` while mounted (and the tab is visible). */
export function useInterval(fn, ms) {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!ms) return undefined;
    const id = setInterval(() => {
      if (document.visibilityState !== 'hidden') saved.current();
    }, ms);
    return () => clearInterval(id);
  }, [ms]);
}

/**
 * A button that runs an async action: asks once first when `confirm` is set, shows that it is busy,
 * and shows the API's error under itself (and as a toast) instead of swallowing it.
 */
export function ActionButton({ label, onAction, confirm, kind = '', disabled, done }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState();
  async function click() {
    if (confirm && !(await askConfirm(confirm, { action: label }))) return;
    setBusy(true);
    setError(undefined);
    try {
      await onAction();
      if (done) notify(done);
    } catch (err) {
      setError(err);
      notify(describeError(err), 'error');
    } finally {
      setBusy(false);
    }
  }
  return html`<span class="action">
    <button type="button" class=${kind} disabled=${disabled || busy} onClick=${click}>${busy ? '…' : label}</button>
    <${ErrorNote} error=${error} />
  </span>`;
}

/** A label, its control, and the error the API gave for this field. */
export function Field({ label, error, children, hint }) {
  return html`<label class="field">
    <span class="label">${label}</span>
    ${children}
    ${hint && !error ? html`<small class="hint">${hint}</small>` : null}
    ${error ? html`<small class="field-error" role="alert">${error}</small>` : null}
  </label>`;
}

/**
 * Form submission: runs `fn`, then maps an INVALID_INPUT error naming a field onto that field
 * (`errors[field]`), any other error onto `error`.
 */
export function useSubmit(fn, { done } = {}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState();
  const [errors, setErrors] = useState({});
  async function submit(event, ...args) {
    event?.preventDefault();
    setBusy(true);
    setError(undefined);
    setErrors({});
    try {
      const result = await fn(...args);
      if (done) notify(typeof done === 'function' ? done(result) : done);
      return result;
    } catch (err) {
      if (err?.field) setErrors({ [err.field]: err.message.slice(err.field.length + 2) });
      setError(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { submit, busy, error, errors };
}
