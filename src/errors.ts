/**
 * Typed errors. Every expected failure of lesionflow is one of these classes; each carries what went
 * wrong, where (a spec location, a data file row/column, a step) and a hint saying what to do.
 * They are turned into messages in one place only: the CLI (`src/runner/diagnostics.ts`).
 */

/** A position in a source file, 1-based, as editors print it (`file:line:col`). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export interface ErrorDetails {
  /** What to do about it. */
  readonly hint?: string | undefined;
  /** Where in a spec (or data file) the problem is. */
  readonly location?: SourceLocation | undefined;
  /** The step (instance) the error belongs to, e.g. `fit_good[modality=CT]`. */
  readonly step?: string | undefined;
  readonly cause?: unknown;
}

export abstract class LesionflowError extends Error {
  abstract readonly category: 'spec' | 'data' | 'fit' | 'cache' | 'executor' | 'cancel' | 'internal';
  readonly hint: string | undefined;
  readonly location: SourceLocation | undefined;
  readonly step: string | undefined;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.hint = details.hint;
    this.location = details.location;
    this.step = details.step;
  }
}

/** The spec is wrong: bad YAML, unknown key or kind, missing reference, cycle, wrong type. Exit code 2. */
export class SpecError extends LesionflowError {
  readonly category = 'spec' as const;
  override readonly name = 'SpecError';
}

/** Several spec errors found in one pass: all are reported at once. */
export class SpecErrors extends LesionflowError {
  readonly category = 'spec' as const;
  override readonly name = 'SpecErrors';
  constructor(readonly errors: readonly SpecError[]) {
    super(`${errors.length} error${errors.length === 1 ? '' : 's'} in the spec`);
  }
}

/** The data is wrong: unknown column, unparsable value, wrong type, empty subset. */
export class DataError extends LesionflowError {
  readonly category = 'data' as const;
  override readonly name = 'DataError';
}

/** A model could not be fitted: non-convergence, separation, singular Hessian, collinear terms. */
export class FitError extends LesionflowError {
  readonly category = 'fit' as const;
  override readonly name = 'FitError';
  /** The model term responsible, where one can be named (e.g. `occlusionICA`). */
  readonly term: string | undefined;
  constructor(message: string, details: ErrorDetails & { term?: string | undefined } = {}) {
    super(message, details);
    this.term = details.term;
  }
}

/** A cache entry or lock could not be read or written. */
export class CacheError extends LesionflowError {
  readonly category = 'cache' as const;
  override readonly name = 'CacheError';
}

/**
 * Work sent to an executor did not come back: a SLURM array task failed, was cancelled or left the queue
 * without its result; the SLURM client is missing. Names the job and its log.
 */
export class ExecutorError extends LesionflowError {
  readonly category = 'executor' as const;
  override readonly name = 'ExecutorError';
}

/** The run was interrupted (Ctrl-C, --fail-fast). */
export class CancelError extends LesionflowError {
  readonly category = 'cancel' as const;
  override readonly name = 'CancelError';
}

/** A broken invariant: a bug in lesionflow, never the user's fault. */
export class InternalError extends LesionflowError {
  readonly category = 'internal' as const;
  override readonly name = 'InternalError';
  constructor(message: string, details: ErrorDetails = {}) {
    super(`Internal error: ${message}`, details);
  }
}

/** The closest candidate to `name` by edit distance, for "did you mean …?" hints (undefined if none is close). */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    // the distance is at least the difference in length: skip what cannot be within the limit below
    if (Math.abs(c.length - name.length) > Math.max(2, Math.floor(Math.max(name.length, c.length) / 3)) || Math.abs(c.length - name.length) >= bestDistance) continue;
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(Math.max(name.length, best.length) / 3));
  return bestDistance <= limit ? best : undefined;
}

/** `did you mean "x"?` or an empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const c = closest(name, candidates);
  return c === undefined ? '' : ` (did you mean "${c}"?)`;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, sub));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Most names a hint lists: a header of 10⁶ columns must not give a message of megabytes. */
export const MAX_LISTED = 20;

/** `a, b, c` — at most `max` names, then `and N more`. */
export function listNames(names: Iterable<string>, max = MAX_LISTED): string {
  const shown: string[] = [];
  let more = 0;
  for (const n of names) {
    if (shown.length < max) shown.push(n);
    else more++;
  }
  return more === 0 ? shown.join(', ') : `${shown.join(', ')} and ${more} more`;
}

/** A value from a data file as a message shows it: JSON-quoted, long ones cut to `max` characters. */
export function quoteValue(text: string, max = 40): string {
  return text.length <= max ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, max))}… (${text.length} characters)`;
}

/** What a relative path is relative to, for a hint: a path given with `--set` or one written in a spec. */
export function pathRelativeTo(origin: 'command line' | 'spec'): string {
  return origin === 'command line' ? 'a path given with --set is relative to the working directory' : "a path in a spec is relative to the spec file's folder";
}
