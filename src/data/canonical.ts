/**
 * Canonical JSON: the one serialisation whose bytes are hashed. Keys sorted by UTF-16 code unit (never
 * `localeCompare`, which differs between machines), numbers in JavaScript's shortest round-trip form,
 * no insignificant white space. NaN is written as null, ±Infinity as the strings "Inf" and "-Inf"
 * (as R's jsonlite does), -0 as 0. Typed arrays are written as arrays.
 */

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, out);
  return out.join('');
}

/** Pretty form of the same canonical content (2-space indent), for files people read; hash the compact form. */
export function canonicalJsonPretty(value: unknown): string {
  return JSON.stringify(JSON.parse(canonicalJson(value)), null, 2) + '\n';
}

function write(value: unknown, out: string[]): void {
  if (value === null || value === undefined) {
    out.push('null');
  } else if (typeof value === 'number') {
    out.push(numberToJson(value));
  } else if (typeof value === 'string' || typeof value === 'boolean') {
    out.push(JSON.stringify(value));
  } else if (typeof value === 'bigint') {
    out.push(JSON.stringify(value.toString()));
  } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const arr = value as unknown as ArrayLike<number>;
    if (plainNumbers(arr)) {
      out.push(JSON.stringify(Array.from(arr)));
      return;
    }
    out.push('[');
    for (let i = 0; i < arr.length; i++) {
      if (i > 0) out.push(',');
      out.push(numberToJson(arr[i]!));
    }
    out.push(']');
  } else if (Array.isArray(value)) {
    if (plainNumbers(value as unknown[])) {
      out.push(JSON.stringify(value));
      return;
    }
    out.push('[');
    value.forEach((v: unknown, i) => {
      if (i > 0) out.push(',');
      write(v, out);
    });
    out.push(']');
  } else if (value instanceof Map) {
    write(Object.fromEntries(value as Map<string, unknown>), out);
  } else if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    out.push('{');
    entries.forEach(([k, v], i) => {
      if (i > 0) out.push(',');
      out.push(JSON.stringify(k), ':');
      write(v, out);
    });
    out.push('}');
  } else {
    throw new TypeError(`cannot serialise a ${typeof value} to JSON`);
  }
}

/**
 * An array of numbers none of which is ±Infinity: JSON.stringify writes it exactly as numberToJson would
 * (shortest round-trip form, NaN as null, -0 as 0, no white space), at about twice the speed — a bootstrap's
 * replicate table has 10⁵ numbers.
 */
function plainNumbers(arr: ArrayLike<unknown>): boolean {
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || v === Infinity || v === -Infinity) return false;
  }
  return true;
}

function numberToJson(x: number): string {
  if (Number.isNaN(x)) return 'null';
  if (x === Infinity) return '"Inf"';
  if (x === -Infinity) return '"-Inf"';
  if (Object.is(x, -0)) return '0';
  return String(x);
}

/** Reads back a number written by `canonicalJson` (null → NaN, "Inf" → Infinity). */
export function jsonToNumber(v: unknown): number {
  if (v === null) return NaN;
  if (v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  if (typeof v === 'number') return v;
  throw new TypeError(`expected a number, got ${JSON.stringify(v)}`);
}
