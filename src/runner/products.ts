/**
 * validate's check that each reference names the kind of output its parameter takes: a kind's
 * `accepts` (per reference parameter) against the referenced step's `produces`, and a document's own
 * `checkProducts` for references inside its parameters (the report's sections, DocumentKind). A mismatch is a spec
 * error at the parameter (`volume_delta.model` naming an ordinal fit), instead of a data error at run time.
 */
import { SpecError, type SourceLocation } from '../errors.js';
import { isDocumentKind } from '../nodes/kind.js';
import { productList, PRODUCT_TEXT, type Product } from '../results/products.js';
import type { PipelineStep } from './pipeline.js';
import { displayPath, parseParamPath } from './step-params.js';

type Locate = (step: PipelineStep, path: readonly (string | number)[]) => SourceLocation;

export function checkProducts(built: ReadonlyMap<string, PipelineStep>, locate: Locate, errors: SpecError[]): void {
  // A step's product by instance name, or by base name when all its instances agree.
  const byBase = new Map<string, Product | undefined>();
  for (const s of built.values()) {
    const p = s.kind.produces;
    byBase.set(s.base, byBase.has(s.base) && byBase.get(s.base) !== p ? undefined : p);
  }
  const productOf = (name: string): Product | undefined => built.get(name)?.kind.produces ?? byBase.get(name) ?? byBase.get(name.replace(/\[.*$/, ''));
  const reported = new Set<string>();
  const push = (step: PipelineStep, path: readonly (string | number)[], message: string, hint: string): void => {
    // The instances of a swept step repeat the same mistake: report it once.
    const key = `${step.base}\u0000${path.join('.')}\u0000${message}`;
    if (reported.has(key)) return;
    reported.add(key);
    errors.push(new SpecError(message, { location: locate(step, path), hint }));
  };
  for (const step of built.values()) {
    for (const [param, accepted] of Object.entries(step.kind.accepts ?? {})) {
      const v = step.params[param];
      const names = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
      for (const name of names) {
        const got = productOf(name);
        if (got === undefined || accepted.includes(got)) continue;
        push(step, [param], `parameter "${param}": step "${name}" produces ${PRODUCT_TEXT[got]}, but ${step.kind.kind}'s ${param} takes ${productList(accepted)}`, `name a step that produces ${productList(accepted)}`);
      }
    }
    if (!isDocumentKind(step.kind)) continue;
    for (const m of step.kind.checkProducts(step.params, productOf)) {
      const path = parseParamPath(m.path);
      push(step, path, `parameter "${displayPath(path)}": ${m.message}`, m.hint ?? `see docs/steps/${step.kind.kind}.md`);
    }
  }
}
