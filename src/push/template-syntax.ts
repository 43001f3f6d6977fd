/**
 * The template syntax (公告表), shared by the server and the admin panel's live preview: the panel
 * loads this very file as `/web/shared/template-syntax.js` (src/web/web.routes.ts strips the types),
 * so the preview and the server's check cannot disagree. It must stay free of imports and of
 * TypeScript that only compiles (no enums or namespaces): types are erased, nothing else changes.
 *
 * Text with `{key}` placeholders; keys are identifiers; a literal brace is written doubled (`{{`, `}}`).
 */
const KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Variables every trigger event supplies (API.md): the event's user and the local date. */
export const EVENT_VARIABLES = ['name', 'userId', 'date'] as const;

export interface TemplatePart {
  text?: string;
  key?: string;
}

/** The parts of a template, up to the first error (named without the field: the caller names it). */
export function parseTemplate(content: string): { parts: TemplatePart[]; error?: string } {
  const parts: TemplatePart[] = [];
  let text = '';
  for (let i = 0; i < content.length; i++) {
    const c = content[i]!;
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

/** The distinct placeholder keys of a template (of its well-formed part). */
export function placeholdersOf(content: string): string[] {
  return [...new Set(parseTemplate(content).parts.filter((p) => p.key !== undefined).map((p) => p.key!))];
}
