// Register (with the SMS code; the dev provider hands it back as devCode) or log in.
import { html, useState } from '../lib/html.js';
import { ErrorNote, Field, useSubmit } from '../lib/ui.js';
import { login, register, requestCode } from './session.js';

function LoginForm({ onSession }) {
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const form = useSubmit(async () => onSession(await login(phone, password)));
  return html`<form class="stack" onSubmit=${form.submit} data-testid="login-form">
    <${Field} label="Phone" error=${form.errors.phone}><input name="phone" autocomplete="tel" required value=${phone} onInput=${(e) => setPhone(e.target.value)} /><//>
    <${Field} label="Password" error=${form.errors.password}><input name="password" type="password" autocomplete="current-password" required value=${password} onInput=${(e) => setPassword(e.target.value)} /><//>
    <button class="primary" disabled=${form.busy}>Log in</button>
    <${ErrorNote} error=${form.error} />
  </form>`;
}

function RegisterForm({ onSession }) {
  const [v, setV] = useState({ phone: '', code: '', password: '', name: '' });
  const [devCode, setDevCode] = useState();
  const set = (key) => (e) => setV({ ...v, [key]: e.target.value });
  const codeForm = useSubmit(async () => {
    const res = await requestCode(v.phone);
    if (res.devCode) {
      setDevCode(res.devCode);
      setV((old) => ({ ...old, code: res.devCode }));
    }
  });
  const form = useSubmit(async () => onSession(await register({ phone: v.phone, code: v.code, password: v.password, ...(v.name ? { name: v.name } : {}) })));
  return html`<form class="stack" onSubmit=${form.submit} data-testid="register-form">
    <${Field} label="Phone" error=${form.errors.phone || codeForm.errors.phone}>
      <div class="row nowrap">
        <input name="phone" autocomplete="tel" required value=${v.phone} onInput=${set('phone')} />
        <button type="button" onClick=${codeForm.submit} disabled=${codeForm.busy || !v.phone}>Send code</button>
      </div>
    <//>
    ${codeForm.error && !codeForm.errors.phone ? html`<${ErrorNote} error=${codeForm.error} />` : null}
    ${devCode ? html`<p class="muted" data-testid="dev-code">Development server: your code is <strong>${devCode}</strong> (filled in).</p>` : null}
    <${Field} label="Code" error=${form.errors.code}><input name="code" inputmode="numeric" required value=${v.code} onInput=${set('code')} /><//>
    <${Field} label="Password" hint="8 to 72 bytes" error=${form.errors.password}><input name="password" type="password" autocomplete="new-password" required value=${v.password} onInput=${set('password')} /><//>
    <${Field} label="Name (optional)" error=${form.errors.name}><input name="name" value=${v.name} onInput=${set('name')} /><//>
    <button class="primary" disabled=${form.busy}>Create account</button>
    <${ErrorNote} error=${form.error} />
  </form>`;
}

export function AuthView({ onSession, notice }) {
  const [tab, setTab] = useState('login');
  return html`<div class="center-box stack">
    ${notice ? html`<div class="card notice ${notice.reason}" role="alert" data-testid="notice"><strong>${notice.text}</strong><p class="muted">Log in again to keep playing.</p></div>` : null}
    <div class="card stack">
      <h1>Play</h1>
      <div class="tabs" role="tablist">
        <button type="button" role="tab" aria-selected=${tab === 'login'} class=${tab === 'login' ? 'active' : ''} onClick=${() => setTab('login')}>Log in</button>
        <button type="button" role="tab" aria-selected=${tab === 'register'} class=${tab === 'register' ? 'active' : ''} onClick=${() => setTab('register')}>Register</button>
      </div>
      ${tab === 'login' ? html`<${LoginForm} onSession=${onSession} />` : html`<${RegisterForm} onSession=${onSession} />`}
    </div>
  </div>`;
}
