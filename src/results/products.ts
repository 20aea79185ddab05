/**
 * What a step produces, named by result family, so that `validate` can refuse a reference to the wrong
 * kind of output before anything runs (e.g. `volume_delta.model` naming an ordinal fit). A kind
 * declares its `produces` and, per reference parameter, what it `accepts` (src/nodes/kind.ts); the
 * runner compares them (src/runner/products.ts). Each result family has one codec in src/results/.
 */
export const PRODUCTS = ['table', 'imputed', 'fit:logistic', 'fit:ordinal', 'fit:linear', 'describe', 'compare', 'mediation', 'bootstrap', 'volume-delta', 'trial-design', 'truth', 'report'] as const;
export type Product = (typeof PRODUCTS)[number];

/** How a product is named in messages, with the kinds that make it. */
export const PRODUCT_TEXT: Readonly<Record<Product, string>> = {
  table: 'a data table (load, filter, subset, derive, simulate)',
  imputed: 'a multiply-imputed data set (impute)',
  'fit:logistic': 'a logistic fit (fit_logistic)',
  'fit:ordinal': 'an ordinal fit (fit_ordinal)',
  'fit:linear': 'a linear fit (fit_linear)',
  describe: 'a descriptive table (describe)',
  compare: 'a comparison by group (compare)',
  mediation: 'a mediation analysis (mediate)',
  bootstrap: 'a bootstrap (bootstrap)',
  'volume-delta': 'a volume-delta result (volume_delta)',
  'trial-design': 'a trial design (trial_design)',
  truth: 'the true values of a simulation (simulate_truth)',
  report: 'a report (report)',
};

export const FITS: readonly Product[] = ['fit:logistic', 'fit:ordinal', 'fit:linear'];
export const DATA: readonly Product[] = ['table'];

/** "an ordinal fit (fit_ordinal) or a linear fit (fit_linear)". */
export function productList(ps: readonly Product[]): string {
  const t = ps.map((p) => PRODUCT_TEXT[p]);
  return t.length <= 1 ? (t[0] ?? 'nothing') : `${t.slice(0, -1).join(', ')} or ${t[t.length - 1]!}`;
}
