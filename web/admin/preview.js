// Live preview of a template: its placeholders, a value for each, and the rendered text.
import { html } from '../lib/html.js';
import { EVENT_VARIABLES, parseTemplate } from '../shared/template-syntax.js';

/** Sample values of the event variables, as a login of "Ada" today would give them. */
export const SAMPLE_EVENT = { name: 'Ada', userId: '384612796553539584', date: new Date().toISOString().slice(0, 10) };

export function Preview({ content, variables, eventVariables = false }) {
  const { parts, error } = parseTemplate(content ?? '');
  const values = { ...(eventVariables ? SAMPLE_EVENT : {}), ...variables };
  const keys = [...new Set(parts.filter((p) => p.key).map((p) => p.key))];
  return html`<div class="preview stack" data-testid="template-preview">
    <div class="row"><span class="muted">Placeholders:</span>
      ${keys.length ? keys.map((k) => html`<span class=${`badge ${values[k] !== undefined && values[k] !== '' ? 'ok' : 'warn'}`}>{${k}}${eventVariables && EVENT_VARIABLES.includes(k) ? ' · event' : ''}</span>`) : html`<span class="muted">none</span>`}
    </div>
    ${error ? html`<p class="error" role="alert">content: ${error}</p>` : html`<p class="rendered" data-testid="rendered">${parts.map((p) => (p.key !== undefined
      ? html`<mark class=${values[p.key] ? '' : 'missing'}>${values[p.key] || `{${p.key}}`}</mark>` : p.text))}</p>`}
  </div>`;
}

/** Inputs for the placeholders that need a value (event variables are filled by the event). */
export function VariableInputs({ keys, values, onChange, errors }) {
  if (!keys.length) return null;
  return html`<div class="form-grid">${keys.map((k) => html`<label class="field" key=${k}>
    <span class="label">{${k}}</span>
    <input aria-label=${`Variable ${k}`} value=${values[k] ?? ''} onInput=${(e) => onChange({ ...values, [k]: e.target.value })} />
    ${errors?.variables ? html`<small class="field-error">${errors.variables}</small>` : null}
  </label>`)}</div>`;
}
