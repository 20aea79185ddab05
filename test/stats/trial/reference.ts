/** The synthetic HERMES cohort the R fixtures of test/fixtures/trial/ read: version 2 of the generator (seed 88), frozen in hermes-synthetic-v2.csv beside them so that a new shipped cohort does not change their data. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface HermesRow {
  readonly evt: number;
  readonly age: number;
  readonly nihss: number;
  readonly aspects: number;
  readonly occlusion: string;
  readonly fiv_ml: number;
  readonly mrs90: number;
}

/** Every row, in file order; NA as NaN. */
export function hermesRows(): HermesRow[] {
  const text = readFileSync(resolve(import.meta.dirname, '../../fixtures/trial/hermes-synthetic-v2.csv'), 'utf8');
  const [head, ...lines] = text.trim().split('\n');
  const cols = head!.split(',');
  const at = (name: string): number => cols.indexOf(name);
  const num = (s: string | undefined): number => (s === undefined || s === 'NA' || s === '' ? NaN : Number(s));
  return lines.map((line) => {
    const c = line.split(',');
    return { evt: num(c[at('evt')]), age: num(c[at('age')]), nihss: num(c[at('nihss')]), aspects: num(c[at('aspects')]), occlusion: c[at('occlusion')]!, fiv_ml: num(c[at('fiv_ml')]), mrs90: num(c[at('mrs90')]) };
  });
}

/** The control arm's volumes (evt == 0, fiv_ml present), in file order. */
export function hermesControlVolumes(): Float64Array {
  return Float64Array.from(hermesRows().filter((r) => r.evt === 0 && !Number.isNaN(r.fiv_ml)).map((r) => r.fiv_ml));
}
