/**
 * Test helpers: a strict well-formedness check of generated SVG/HTML fragments (every tag closed in
 * order, attributes quoted, no raw `<`/`&` in text) and attribute extraction — enough to assert a
 * figure's structure without a DOM.
 */
const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link']);

export function checkWellFormed(markup: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<!DOCTYPE html>/g;
  let last = 0;
  for (let m = tag.exec(markup); m !== null; m = tag.exec(markup)) {
    const text = markup.slice(last, m.index);
    if (/[<>]/.test(text) || /&(?!(amp|lt|gt|quot|#39);)/.test(text)) throw new Error(`unescaped text "${text.slice(0, 60)}" before offset ${m.index}`);
    last = tag.lastIndex;
    if (m[0].startsWith('<!')) continue;
    const [, close, name, , selfClose] = m;
    if (close === '/') {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name!}> closes <${open ?? 'nothing'}> at offset ${m.index}`);
    } else if (selfClose !== '/' && !VOID.has(name!)) {
      stack.push(name!);
    }
  }
  const rest = markup.slice(last);
  if (/[<>]/.test(rest)) throw new Error(`unparsed markup "${rest.slice(0, 60)}"`);
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
}

/** All start tags `<name ...>` with the given class (word in the class attribute), as attribute maps. */
export function elements(markup: string, name: string, className?: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  const re = new RegExp(`<${name}((?:\\s+[\\w:-]+="[^"]*")*)\\s*/?>`, 'g');
  for (let m = re.exec(markup); m !== null; m = re.exec(markup)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1]!.matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1]!] = a[2]!;
    if (className === undefined || (attrs.class ?? '').split(/\s+/).includes(className)) out.push(attrs);
  }
  return out;
}

/** The text content of `<text>` elements, in order. */
export function texts(markup: string): string[] {
  return [...markup.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
}
