/**
 * Reads a spec file into plain JSON-like values while keeping where every key and value came from.
 *
 * Safety (a spec is data, never code): the file size is checked before it is read; only YAML 1.2 core
 * tags are accepted (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map`, `!!seq`), so no
 * `!!js/function`-like tag can ever mean anything; aliases are expanded by our own walk which stops
 * after a fixed number of values, so a "billion laughs" alias bomb is refused in microseconds.
 */
import { stat, readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isAlias, isMap, isScalar, isSeq, isPair } from 'yaml';
import type { Document, Node as YamlNode, Pair } from 'yaml';
import { SpecError } from '../errors.js';
import type { SourceLocation } from '../errors.js';

/** Specs larger than this are refused before they are read (a real spec is a few kB). */
export const MAX_SPEC_BYTES = 1024 * 1024;
/** Upper bound on the number of values the spec may expand to (aliases included). */
export const MAX_SPEC_VALUES = 100_000;

/** A path into the spec's data: mapping keys and sequence indices. */
export type SpecPath = readonly (string | number)[];

export interface YamlSource {
  readonly file: string;
  readonly text: string;
  /** The spec as plain values (objects, arrays, strings, numbers, booleans, null); undefined when empty. */
  readonly value: unknown;
  /** Location of the value at `path` (or of the deepest existing ancestor). */
  locate(path: SpecPath): SourceLocation;
  /** Location of the key naming the entry at `path` (falls back to the value's location). */
  locateKey(path: SpecPath): SourceLocation;
}

const coreTags = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
);

/** Reads and parses a spec file; throws a SpecError for a missing, unreadable or oversized file. */
export async function readYamlSource(file: string, displayPath: string, maxBytes = MAX_SPEC_BYTES): Promise<{ source: YamlSource; errors: SpecError[]; duplicates: SpecError[]; bytes: Buffer }> {
  const here: SourceLocation = { file: displayPath, line: 1, col: 1 };
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new SpecError(`${displayPath} is not a file`, { location: here, hint: 'give the path of a YAML spec, e.g. pipelines/demo.yaml' });
    size = s.size;
  } catch (e) {
    if (e instanceof SpecError) throw e;
    throw new SpecError(`cannot read spec ${displayPath}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(e)}`, {
      hint: 'give the path of a YAML spec, e.g. pipelines/demo.yaml',
    });
  }
  if (size > maxBytes) throw tooLarge(displayPath, size, maxBytes);
  const bytes = await readFile(file);
  // The file may have grown between stat and read.
  if (bytes.length > maxBytes) throw tooLarge(displayPath, bytes.length, maxBytes);
  return { ...parseYamlSource(bytes.toString('utf8'), displayPath), bytes };
}

function tooLarge(file: string, size: number, max: number): SpecError {
  return new SpecError(`spec is too large: ${formatBytes(size)} (the limit is ${formatBytes(max)})`, {
    location: { file, line: 1, col: 1 },
    hint: 'a spec describes steps, it does not hold data: put data in a CSV file and load it with a `load` step',
  });
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(n / 1024)} kB`;
}

/**
 * Parses YAML text, building the values as far as possible. `errors` are fatal (syntax, safety: the
 * document is not, or not safely, read) and are reported alone; `duplicates` (a key repeated in a
 * mapping, e.g. two steps of one name) leave a well-formed value holding the first definition, so they
 * are reported with the spec's other errors.
 */
export function parseYamlSource(text: string, file: string): { source: YamlSource; errors: SpecError[]; duplicates: SpecError[] } {
  const lineCounter = new LineCounter();
  const errors: SpecError[] = [];
  /** Repeated keys: the first definition is kept, so the rest of the spec can still be checked. */
  const duplicates: SpecError[] = [];
  const at = (offset: number | undefined): SourceLocation => {
    const p = lineCounter.linePos(offset ?? 0);
    return { file, line: p.line, col: p.col };
  };
  if (flowDepth(text) > MAX_FLOW_DEPTH) {
    // The parser needs time quadratic in the nesting of `[[[[…`: refuse before parsing.
    errors.push(new SpecError('spec is nested too deeply to be read', { location: { file, line: 1, col: 1 }, hint: 'a spec needs only a few levels of nesting' }));
    return { source: emptySource(file, text), errors, duplicates };
  }
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, schema: 'core', merge: false, strict: true });
  } catch (e) {
    // The parser recurses on nesting: a pathological `[[[[…` exhausts the stack.
    if (e instanceof RangeError) {
      errors.push(new SpecError('spec is nested too deeply to be read', { location: at(0), hint: 'a spec needs only a few levels of nesting' }));
      return { source: emptySource(file, text), errors, duplicates };
    }
    throw e;
  }
  for (const e of doc.errors) {
    const message = e.code === 'MULTIPLE_DOCS' ? 'a second YAML document (a spec is one document)' : lowerFirst(e.message);
    const lineStart = text.lastIndexOf('\n', e.pos[0] - 1) + 1;
    const lineEnd = text.indexOf('\n', e.pos[0]);
    const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
    errors.push(new SpecError(`YAML syntax error: ${message}`, { location: at(e.pos[0]), hint: yamlHint(e.code, /[[{][^#]*\$\{/.test(line)) }));
  }

  let budget = MAX_SPEC_VALUES;
  let bombReported = false;
  const resolved = new Map<unknown, YamlNode | undefined>();
  /** The alias being expanded from the document itself (not from inside another alias). */
  let outerAlias: unknown;
  const toValue = (node: unknown, depth: number, resolving: Set<unknown>, parent = ''): unknown => {
    if (--budget < 0) {
      if (!bombReported) {
        bombReported = true;
        errors.push(new SpecError(`spec expands to more than ${MAX_SPEC_VALUES} values through YAML aliases`, {
          location: at(rangeStart(outerAlias ?? node)),
          hint: 'this looks like a YAML "billion laughs" bomb; write the values out, or use `params:` for shared values',
        }));
      }
      return null;
    }
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      // Alias.resolve searches the whole document: resolve each alias node once.
      let target = resolved.get(node);
      if (!resolved.has(node)) {
        target = node.resolve(doc);
        resolved.set(node, target);
      }
      if (target === undefined) {
        errors.push(new SpecError(`unknown YAML alias *${node.source}`, { location: at(rangeStart(node)), hint: `define the anchor &${node.source} before this alias` }));
        return null;
      }
      if (resolving.has(target)) return null; // a recursive alias; yaml reports it as an error already
      const outermost = resolving.size === 0;
      if (outermost) outerAlias = node;
      resolving.add(target);
      const v = toValue(target, depth + 1, resolving);
      resolving.delete(target);
      if (outermost) outerAlias = undefined;
      return v;
    }
    if (depth > 200) {
      errors.push(new SpecError('spec is nested too deeply', { location: at(rangeStart(node)), hint: 'a spec needs only a few levels of nesting' }));
      budget = -1;
      bombReported = true;
      return null;
    }
    checkTag(node as YamlNode);
    if (isScalar(node)) {
      const v = node.value;
      if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') {
        errors.push(new SpecError(`integer ${String(v)} is too large`, { location: at(rangeStart(node)), hint: 'integers must lie within ±9007199254740991' }));
        return Number(v);
      }
      return scalarText(v);
    }
    if (isSeq(node)) return node.items.map((item) => toValue(item, depth + 1, resolving));
    if (isMap(node)) {
      const obj: Record<string, unknown> = {};
      const firstSeen = new Map<string, Pair>();
      for (const pair of node.items) {
        const key = keyString(pair);
        if (key === undefined) continue;
        if (key === '<<' && isScalar(pair.key) && pair.key.type === 'PLAIN') {
          // Merge keys are not YAML 1.2 (they were a 1.1 extension): without this, `<<: *base` would be an
          // unknown key and its step would be reported as having no kind.
          errors.push(new SpecError('YAML merge keys (<<) are not supported', {
            location: at(rangeStart(pair.key)),
            hint: 'write the keys out; for values shared between steps, use params: and ${params.NAME}',
          }));
          continue;
        }
        const previous = firstSeen.get(key);
        if (previous !== undefined) {
          const p = at(rangeStart(previous.key));
          // Under `steps:` a repeated key is a second step of the same name.
          const what = depth === 1 && parent === 'steps' ? 'step name' : depth === 1 && parent === 'groups' ? 'group name' : depth === 1 && parent === 'params' ? 'parameter name' : 'key';
          duplicates.push(new SpecError(`duplicate ${what} "${key}"`, {
            location: at(rangeStart(pair.key)),
            hint: `"${key}" is already defined at line ${p.line}, column ${p.col}; rename or remove one of them`,
          }));
          continue;
        }
        firstSeen.set(key, pair);
        // defineProperty: a key named __proto__ must stay a plain key.
        Object.defineProperty(obj, key, { value: toValue(pair.value, depth + 1, resolving, depth === 0 ? key : ''), enumerable: true, writable: true, configurable: true });
      }
      return obj;
    }
    return null;
  };
  const keyString = (pair: Pair): string | undefined => {
    const k: unknown = pair.key;
    if (isAlias(k)) {
      errors.push(new SpecError('an alias cannot be used as a mapping key', { location: at(rangeStart(k)), hint: 'write the key out' }));
      return undefined;
    }
    if (isScalar(k)) {
      checkTag(k);
      const v = k.value;
      return v === null ? '' : scalarText(v);
    }
    if (k === null) return '';
    errors.push(new SpecError('a mapping key must be a plain name', { location: at(rangeStart(k)), hint: 'keys are names such as `steps` or `covariates`, not lists or mappings' }));
    return undefined;
  };
  const checkTag = (node: YamlNode): void => {
    const tag = node.tag;
    if (tag === undefined || coreTags.has(tag)) return;
    // The node's range starts after its tag: point at the `!`.
    const start = rangeStart(node) ?? 0;
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const tagAt = /!\S*\s*$/.exec(text.slice(lineStart, start));
    const tagStart = tagAt === null ? start : lineStart + tagAt.index;
    errors.push(new SpecError(`YAML tag ${tag.replace(/^tag:yaml\.org,2002:/, '!!')} is not allowed`, {
      location: at(tagStart),
      hint: 'a spec is plain data: only the YAML core tags !!str, !!int, !!float, !!bool, !!null, !!map and !!seq are accepted',
    }));
  };

  const value = doc.contents === null ? undefined : toValue(doc.contents, 0, new Set());

  /** Each mapping's pairs by key (the first of repeated keys), built when the mapping is first walked. */
  const pairsByKey = new WeakMap<object, Map<string, Pair>>();
  const pairOf = (map: { items: unknown[] }, key: string): Pair | undefined => {
    let index = pairsByKey.get(map);
    if (index === undefined) {
      index = new Map();
      for (const p of map.items) {
        if (!isPair(p) || !isScalar(p.key)) continue;
        const k = scalarText(p.key.value);
        if (!index.has(k)) index.set(k, p);
      }
      pairsByKey.set(map, index);
    }
    return index.get(key);
  };
  /** Walks the YAML nodes along `path`, returning the deepest pair/node reached. */
  const walk = (path: SpecPath): { node: unknown; pair: Pair | undefined } => {
    let node: unknown = doc.contents;
    let pair: Pair | undefined;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node) && typeof seg === 'string') {
        // Every step's location is looked up: an index keeps that linear in the number of steps.
        const found = pairOf(node, seg);
        if (found === undefined) break;
        pair = found;
        node = found.value;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        pair = undefined;
        node = node.items[seg];
      } else {
        break;
      }
    }
    return { node, pair };
  };
  const source: YamlSource = {
    file,
    text,
    value,
    locate(path) {
      const { node, pair } = walk(path);
      // `key:` with no value: point at the key.
      return at(rangeStart(node) ?? rangeStart(pair?.key));
    },
    locateKey(path) {
      const { node, pair } = walk(path);
      return at(rangeStart(pair?.key) ?? rangeStart(node));
    },
  };
  return { source, errors, duplicates };
}

const MAX_FLOW_DEPTH = 1000;

/** The deepest nesting of flow collections (`[`, `{`) outside quotes and comments. */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== '') {
      if (c === quote) quote = '';
      else if (c === '\n' && quote === '#') quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) quote = '#';
    else if (c === '[' || c === '{') max = Math.max(max, ++depth);
    else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return max;
}

function scalarText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return v !== null && typeof v === 'object' ? JSON.stringify(v) : '';
}

function rangeStart(node: unknown): number | undefined {
  if (node !== null && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: readonly number[] | null }).range;
    return range?.[0];
  }
  return undefined;
}

function emptySource(file: string, text: string): YamlSource {
  const loc = { file, line: 1, col: 1 };
  return { file, text, value: undefined, locate: () => loc, locateKey: () => loc };
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s;
}

/** What to do about a YAML error; `flowReference`: the line has `${…}` inside a flow collection, the usual cause. */
function yamlHint(code: string, flowReference: boolean): string {
  if (flowReference && code !== 'MULTIPLE_DOCS' && code !== 'TAB_AS_INDENT') {
    return 'inside `[…]` or `{…}`, quote a value holding ${…}: write "${params.x}", e.g. [a, "${params.x}"]';
  }
  switch (code) {
    case 'MULTIPLE_DOCS':
      return 'a spec is one YAML document: remove the second `---`';
    case 'UNEXPECTED_TOKEN':
      return 'in a flow mapping or list (`{…}`, `[…]`), quote values holding `{`, `}`, `[`, `]` or `,`, e.g. "${params.x}"';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'DUPLICATE_KEY':
      return 'each key may appear once in a mapping';
    default:
      return 'check the indentation and quoting on this line and the one before';
  }
}
