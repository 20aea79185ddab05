/**
 * A batch's result as checkpoint bytes: V8's structured-clone serialisation (node:v8), the same format the
 * worker threads' messages use — typed arrays as their raw bytes, so a bootstrap batch's doubles come back
 * bit for bit. It carries data only, never code. Read by the same lesionflow (and Node) that wrote it: the
 * run and its SLURM tasks run one installation; bytes it cannot read count as no checkpoint.
 */
import { deserialize, serialize } from 'node:v8';

export function encodeBatch(result: unknown): Uint8Array {
  return serialize(result);
}

/** A checkpoint's result; undefined for bytes that are no checkpoint this lesionflow can read (then the batch runs again). */
export function decodeBatch(bytes: Uint8Array): unknown {
  if (bytes[0] === 0x7b) return legacyBootstrapBatch(bytes);
  try {
    return deserialize(bytes);
  } catch {
    return undefined;
  }
}

/**
 * A bootstrap batch as lesionflow 0.1 checkpointed it, as JSON (same names, same cache key): its values as
 * base64 doubles (`values64`), or earlier as numbers with NaN as null and ±Infinity as strings — so that a run
 * interrupted before an upgrade resumes.
 */
function legacyBootstrapBatch(bytes: Uint8Array): unknown {
  let o: { start: number; end: number; values64?: string; values?: (number | string | null)[]; failures: unknown };
  try {
    o = JSON.parse(Buffer.from(bytes).toString('utf8')) as typeof o;
  } catch {
    return undefined;
  }
  let values: Float64Array;
  if (o.values64 !== undefined) {
    const raw = Buffer.from(o.values64, 'base64');
    values = new Float64Array(raw.byteLength / 8);
    new Uint8Array(values.buffer).set(raw);
  } else {
    values = Float64Array.from(o.values ?? [], (v) => (v === null ? NaN : v === 'Inf' ? Infinity : v === '-Inf' ? -Infinity : (v as number)));
  }
  return { start: o.start, end: o.end, values, failures: o.failures };
}
