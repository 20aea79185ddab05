/**
 * Safe HTML (and SVG) text. Every value in a report comes from user data (column names, factor levels,
 * step names, titles in the spec), so nothing is concatenated into markup unescaped: markup is built
 * with the `html` tagged template, which escapes every interpolated string and passes through only
 * values that are already `SafeHtml`. There is no way to mark a user string as safe except `raw`,
 * which is used for constant markup only.
 */

/** Markup that is known to be safe: built by `html`, `raw` (constants) or `join`. */
export class SafeHtml {
  /** A private member makes the type nominal: a plain `{value}` object is not SafeHtml. */
  private readonly brand = 'SafeHtml';
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and for double- or single-quoted attribute values (HTML and XML alike). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A value that may be interpolated into `html`: strings and numbers are escaped, SafeHtml passes, arrays are concatenated. */
export type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

function render(v: HtmlValue): string {
  if (v instanceof SafeHtml) return v.value;
  if (v === null || v === undefined || v === false) return '';
  if (typeof v === 'number') return escapeHtml(String(v));
  if (typeof v === 'string') return escapeHtml(v);
  if (Array.isArray(v)) return v.map(render).join('');
  // Not reachable from typed code; anything else that slips through (a JSON object) is text, escaped.
  return escapeHtml(String(v));
}

/** Tagged template: `html\`<td>${cell}</td>\`` escapes `cell` unless it is SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Constant markup written in lesionflow's own source (never user data). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Concatenates parts with an optional (constant) separator. */
export function join(parts: readonly HtmlValue[], separator = ''): SafeHtml {
  return new SafeHtml(parts.map(render).join(separator));
}
