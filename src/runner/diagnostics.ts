/**
 * The one place an error becomes text (used by the CLI for every error kind):
 *
 *   pipelines/demo.yaml:12:5: error: unknown parameter "covariats" for kind fit_logistic (did you mean "covariates"?)
 *     hint: fit_logistic takes: formula, covariates, …
 *
 * `SpecErrors` renders each of its errors, then a count. Errors without a location start at `error:`.
 * Anything that is not a LesionflowError is a bug in lesionflow and is shown with its stack.
 */
import { FitError, LesionflowError, SpecErrors } from '../errors.js';

export function renderError(err: unknown): string {
  if (err instanceof SpecErrors) {
    if (err.errors.length === 0) return 'error: the spec is invalid';
    const blocks = err.errors.map(renderOne);
    if (err.errors.length > 1) blocks.push(`${err.errors.length} errors in the spec`);
    return blocks.join('\n');
  }
  if (err instanceof LesionflowError) return renderOne(err);
  const e = err instanceof Error ? err : new Error(String(err));
  return [
    `error: internal error: ${e.message}`,
    '  hint: this is a bug in lesionflow, not in your spec or data; please report it with the trace below',
    indent(e.stack ?? e.message),
  ].join('\n');
}

function renderOne(e: LesionflowError): string {
  const where = e.location === undefined ? '' : `${e.location.file}:${e.location.line}:${e.location.col}: `;
  const step = e.step === undefined || e.message.includes(e.step) ? '' : `step ${e.step}: `;
  const [first, ...rest] = e.message.split('\n');
  const lines = [`${where}error: ${step}${first ?? ''}`, ...rest];
  if (e instanceof FitError && e.term !== undefined) lines.push(`  term: ${e.term}`);
  if (e.category === 'internal' && e.cause !== undefined) {
    const cause = e.cause instanceof Error ? (e.cause.stack ?? e.cause.message) : JSON.stringify(e.cause);
    lines.push(`  cause: ${cause.split('\n').join('\n    ')}`);
  }
  if (e.hint !== undefined && e.hint !== '') lines.push(`  hint: ${e.hint}`);
  return lines.join('\n');
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `    ${l.trim()}`)
    .join('\n');
}
