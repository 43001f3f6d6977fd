/**
 * Templates as the server reads them (src/push/template.ts): `{key}` placeholders, `{{` and `}}`
 * for literal braces. Used for the live preview; the server checks again when saving.
 */
const KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Variables every trigger event supplies. */
export const EVENT_VARIABLES = ['name', 'userId', 'date'];

/** → {parts: [{text} | {key}], error?} */
export function parseTemplate(content) {
  const parts = [];
  let text = '';
  for (let i = 0; i < content.length; i++) {
    const c = content[i];
    if (c === '{' && content[i + 1] === '{') {
      text += '{';
      i++;
    } else if (c === '}' && content[i + 1] === '}') {
      text += '}';
      i++;
    } else if (c === '{') {
      const end = content.indexOf('}', i + 1);
      if (end < 0) return { parts, error: `unclosed placeholder at position ${i}` };
      const key = content.slice(i + 1, end);
      if (!KEY.test(key)) return { parts, error: `placeholder {${key}} is not a valid key (letters, digits, _)` };
      if (text) parts.push({ text });
      text = '';
      parts.push({ key });
      i = end;
    } else if (c === '}') {
      return { parts, error: `unmatched } at position ${i} (write }} for a literal brace)` };
    } else {
      text += c;
    }
  }
  if (text) parts.push({ text });
  return { parts };
}

export function placeholdersOf(content) {
  return [...new Set(parseTemplate(content).parts.filter((p) => p.key).map((p) => p.key))];
}
