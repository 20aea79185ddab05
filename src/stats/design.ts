/**
 * Model matrices from formulas, as R's `model.frame` + `model.matrix`, and the serialisable design
 * description that rebuilds the same columns on new data (for prediction).
 *
 *   buildDesign(formula, table, options) → ModelData   the fitted rows: X, response, weights, what was dropped
 *   modelMatrix(design, table)          → {X, n, p, complete}   the same columns on any table (prediction)
 *   checkFullRank(design, X, n, p, XtX) — FitError naming the first perfectly collinear term
 *   missingMask, isConstantOn, everyLevelOn — buildDesign's row rules (what is missing; a constant term;
 *                                         a factor level without rows), shared with sample-design.ts
 *
 * R's rules reproduced:
 * - columns: `(Intercept)`; a numeric term its label (`log(fiv_ml)`); a factor term one column per
 *   non-reference level (`occlusionICA`, treatment contrasts against levels[0]); `rcs(x, 4)` the
 *   columns `rcs(x, 4)x`, `rcs(x, 4)x'`, `rcs(x, 4)x''`; an interaction the products of its variables'
 *   columns, named `a:b`, the first variable varying fastest;
 * - a factor inside a term is coded by contrasts when the term without it is the empty term or is
 *   contained in an earlier term, else by indicators of all levels (R's TermCode); without an
 *   intercept the first factor of the first term holding one is coded by indicators (`y ~ f - 1`);
 * - every variable is evaluated on the whole table before rows are dropped (so `rcs` knots use all
 *   non-missing values of x, as `model.frame` does), then rows with any missing value in the response,
 *   a variable or the weights are dropped (listwise, `na.omit`), and the count per variable reported.
 */
import { DataError, FitError, InternalError, listNames } from '../errors.js';
import type { Column, Table } from '../data/table.js';
import { evaluate, exprColumns, parseExpression, type Expr } from './expr.js';
import { parseFormula, type Formula } from './formula.js';
import { rcsBasis, rcsColumnNames, rcsKnots } from './rcs.js';
import { aliasedColumns, equilibratedCholesky } from './linalg.js';

/** How one variable becomes columns. JSON-serialisable. */
export type DesignVariable =
  | { readonly kind: 'numeric'; readonly label: string; readonly source: string }
  | { readonly kind: 'factor'; readonly label: string; readonly source: string; readonly levels: readonly string[] }
  | { readonly kind: 'rcs'; readonly label: string; readonly source: string; readonly argLabel: string; readonly knots: readonly number[] };

export interface DesignTerm {
  readonly label: string;
  readonly variables: readonly number[];
  /** Per variable of the term: whether a factor is coded by contrasts or by indicators of every level. */
  readonly coding: readonly ('contrasts' | 'indicators')[];
}

/** Everything needed to rebuild the model matrix on new data. Plain JSON: stored in fit results as `model.design`. */
export interface DesignDescription {
  readonly formula: string;
  readonly response: { readonly label: string; readonly source: string } | null;
  readonly intercept: boolean;
  readonly variables: readonly DesignVariable[];
  readonly terms: readonly DesignTerm[];
  /** Column names, R's. */
  readonly columns: readonly string[];
  /** Per column, the label of the term it belongs to (`(Intercept)` for the intercept). */
  readonly columnTerms: readonly string[];
}

export interface DroppedRows {
  /** The variable (response, term variable or weights column) with missing values. */
  readonly variable: string;
  /** Rows missing in it (a row missing in two variables counts for both). */
  readonly rows: number;
}

export interface ModelData {
  readonly design: DesignDescription;
  /** Column-major n × p. */
  readonly X: Float64Array;
  readonly n: number;
  readonly p: number;
  /** The response of the kept rows: numbers, or a factor's codes and levels. Undefined without a response. */
  readonly response: { readonly type: 'number'; readonly values: Float64Array } | { readonly type: 'factor'; readonly codes: Int32Array; readonly levels: readonly string[] } | undefined;
  /** Case weights of the kept rows (undefined: all 1). */
  readonly weights: Float64Array | undefined;
  /** Indexes (0-based) of the kept rows in the input table. */
  readonly rows: Int32Array;
  readonly nDropped: number;
  readonly dropped: readonly DroppedRows[];
}

export interface DesignOptions {
  /** A numeric column of case weights (rows with a missing weight are dropped; negative weights are refused). */
  readonly weights?: string | undefined;
  /** Reference level per factor column: `{occlusion: "ICA"}` puts that level first. */
  readonly reference?: Readonly<Record<string, string>> | undefined;
  /** Refuse a formula without a response (fits need one). Default true. */
  readonly requireResponse?: boolean | undefined;
}

// ---- evaluation of variables ----------------------------------------------------------------------

/** The column of an expression: bare columns are taken as they are, others evaluated. Unknown columns name the term. */
function evaluateVariable(expr: Expr, table: Table, term: string): Column {
  for (const name of exprColumns(expr)) {
    if (!table.columns.has(name)) {
      const known = [...table.columns.keys()];
      const near = known.find((k) => k.toLowerCase() === name.toLowerCase());
      throw new DataError(`unknown column "${name}" in the formula term "${term}"${near === undefined ? '' : ` (did you mean "${near}"?)`}`, {
        hint: `the data has columns: ${listNames(known)}`,
      });
    }
  }
  const col = expr.type === 'col' ? table.columns.get(expr.name)! : evaluate(expr, table);
  if (col.type === 'string') {
    throw new DataError(`the formula term "${term}" is a text column`, { hint: 'declare it as a factor (with its levels) in the load step' });
  }
  return col;
}

/** Marks the rows where `col` is missing (NaN, or a factor code < 0) with `bit` in `mask`; returns how many. */
export function missingMask(col: Column, mask: Uint8Array | Int32Array, bit = 1): number {
  let count = 0;
  if (col.type === 'number') {
    const v = col.values;
    for (let i = 0; i < v.length; i++) {
      if (Number.isNaN(v[i]!)) {
        mask[i] = mask[i]! | bit;
        count++;
      }
    }
  } else if (col.type === 'factor') {
    const c = col.codes;
    for (let i = 0; i < c.length; i++) {
      if (c[i]! < 0) {
        mask[i] = mask[i]! | bit;
        count++;
      }
    }
  }
  return count;
}

function relevel(col: Column & { type: 'factor' }, reference: string | undefined, term: string): Column & { type: 'factor' } {
  if (reference === undefined || col.levels[0] === reference) return col;
  const k = col.levels.indexOf(reference);
  if (k < 0) {
    throw new DataError(`reference level "${reference}" does not exist in the factor "${term}"`, { hint: `its levels are: ${listNames(col.levels)}` });
  }
  const levels = [reference, ...col.levels.filter((_, i) => i !== k)];
  const map = col.levels.map((l) => levels.indexOf(l));
  const codes = col.codes.map((c) => (c < 0 ? c : map[c]!));
  return { type: 'factor', codes, levels };
}

// ---- the design description ----------------------------------------------------------------------

/** R's TermCode: is each factor of each term coded by contrasts or by indicators? */
function termCodings(formula: Formula, isFactor: readonly boolean[]): ('contrasts' | 'indicators')[][] {
  const codings = formula.terms.map((term, t) =>
    term.variables.map((v): 'contrasts' | 'indicators' => {
      if (!isFactor[v]) return 'contrasts';
      const rest = term.variables.filter((u) => u !== v);
      if (rest.length === 0) return 'contrasts';
      for (let s = 0; s < t; s++) {
        const earlier = formula.terms[s]!.variables;
        if (rest.every((u) => earlier.includes(u))) return 'contrasts';
      }
      return 'indicators';
    }),
  );
  if (!formula.intercept) {
    outer: for (let t = 0; t < formula.terms.length; t++) {
      const vars = formula.terms[t]!.variables;
      for (let k = 0; k < vars.length; k++) {
        if (isFactor[vars[k]!]) {
          codings[t]![k] = 'indicators';
          break outer;
        }
      }
    }
  }
  return codings;
}

/** Column names of one variable in a term. */
function variableColumnNames(v: DesignVariable, coding: 'contrasts' | 'indicators'): string[] {
  switch (v.kind) {
    case 'numeric':
      return [v.label];
    case 'factor':
      return (coding === 'contrasts' ? v.levels.slice(1) : v.levels).map((l) => v.label + l);
    case 'rcs':
      return rcsColumnNames(v.argLabel, v.knots.length).map((c) => v.label + c);
  }
}

/** Column names of a term: products of its variables' columns, the first variable varying fastest. */
function termColumnNames(vars: readonly DesignVariable[], term: DesignTerm): string[] {
  let names = [''];
  term.variables.forEach((v, k) => {
    const own = variableColumnNames(vars[v]!, term.coding[k]!);
    const next: string[] = [];
    for (const o of own) for (const e of names) next.push(e === '' ? o : `${e}:${o}`);
    names = next;
  });
  return names;
}

function describe(formula: Formula, variables: DesignVariable[]): DesignDescription {
  const codings = termCodings(
    formula,
    variables.map((v) => v.kind === 'factor'),
  );
  const terms: DesignTerm[] = formula.terms.map((t, i) => ({ label: t.label, variables: t.variables, coding: codings[i]! }));
  const columns: string[] = [];
  const columnTerms: string[] = [];
  if (formula.intercept) {
    columns.push('(Intercept)');
    columnTerms.push('(Intercept)');
  }
  for (const t of terms) {
    for (const c of termColumnNames(variables, t)) {
      columns.push(c);
      columnTerms.push(t.label);
    }
  }
  return {
    formula: formula.text,
    response: formula.response === undefined ? null : { label: formula.response.label, source: formula.response.source },
    intercept: formula.intercept,
    variables,
    terms,
    columns,
    columnTerms,
  };
}

// ---- filling the matrix ---------------------------------------------------------------------------

/** The evaluated value of a design variable: numbers, factor codes (in the design's level order), or the spline basis. */
type Evaluated = { kind: 'numeric'; v: Float64Array } | { kind: 'factor'; codes: Int32Array; nlev: number } | { kind: 'rcs'; basis: Float64Array; k: number };

/** Writes the columns of every term for the rows `rows` of the evaluated variables into X (column-major, n = rows.length). */
function fill(design: DesignDescription, ev: readonly Evaluated[], rows: Int32Array, X: Float64Array): void {
  const n = rows.length;
  let col = 0;
  if (design.intercept) {
    X.fill(1, 0, n);
    col++;
  }
  const tmp = new Float64Array(n);
  for (const term of design.terms) {
    const ncolsBefore = col;
    const only = term.variables.length === 1 ? ev[term.variables[0]!]! : undefined;
    if (only?.kind === 'numeric') {
      // fast path: a numeric main effect is a gather of the kept rows
      const o = (col++) * n;
      for (let i = 0; i < n; i++) X[o + i] = only.v[rows[i]!]!;
      continue;
    }
    // Start with one column of ones; multiply in each variable (first variable fastest).
    let block: Float64Array[] = [];
    term.variables.forEach((v, k) => {
      const e = ev[v]!;
      const own: ((i: number) => number)[] = [];
      const srcRow = (i: number): number => rows[i]!;
      const totalRows = e.kind === 'rcs' ? e.basis.length / (e.k - 1) : 0;
      switch (e.kind) {
        case 'numeric':
          own.push((i) => e.v[srcRow(i)]!);
          break;
        case 'factor': {
          const first = term.coding[k] === 'contrasts' ? 1 : 0;
          for (let l = first; l < e.nlev; l++) own.push((i) => (e.codes[srcRow(i)] === l ? 1 : 0));
          break;
        }
        case 'rcs':
          for (let j = 0; j < e.k - 1; j++) own.push((i) => e.basis[j * totalRows + srcRow(i)]!);
          break;
      }
      const next: Float64Array[] = [];
      for (const f of own) {
        if (k === 0) {
          const c = new Float64Array(n);
          for (let i = 0; i < n; i++) c[i] = f(i);
          next.push(c);
        } else {
          for (let i = 0; i < n; i++) tmp[i] = f(i);
          for (const prev of block) {
            const c = new Float64Array(n);
            for (let i = 0; i < n; i++) c[i] = prev[i]! * tmp[i]!;
            next.push(c);
          }
        }
      }
      block = next;
    });
    for (const c of block) X.set(c, (col++) * n);
    if (col - ncolsBefore !== termColumnNames(design.variables, term).length) throw new InternalError(`column count of term ${term.label}`);
  }
}

/** Evaluates the design's variables on a table, mapping factor levels by name onto the design's. */
function evaluateDesign(design: DesignDescription, table: Table): { ev: Evaluated[]; missing: Uint8Array } {
  const missing = new Uint8Array(table.nrows);
  const ev = design.variables.map((v): Evaluated => {
    const expr = parseExpression(v.source);
    const col = evaluateVariable(expr, table, v.label);
    missingMask(col, missing);
    switch (v.kind) {
      case 'numeric':
        if (col.type !== 'number') throw new DataError(`the formula term "${v.label}" was numeric when the model was fitted, here it is a factor`);
        return { kind: 'numeric', v: col.values };
      case 'rcs':
        if (col.type !== 'number') throw new DataError(`the spline term "${v.label}" needs a numeric variable`);
        return { kind: 'rcs', basis: rcsBasis(col.values, v.knots), k: v.knots.length };
      case 'factor': {
        if (col.type !== 'factor') throw new DataError(`the formula term "${v.label}" was a factor when the model was fitted, here it is numeric`);
        const map = col.levels.map((l) => v.levels.indexOf(l));
        const codes = new Int32Array(col.codes.length);
        for (let i = 0; i < codes.length; i++) {
          const c = col.codes[i]!;
          if (c < 0) codes[i] = -1;
          else if (map[c]! < 0) {
            throw new DataError(`level "${col.levels[c]!}" of the factor "${v.label}" (row ${i + 1}) was not in the fitted model`, {
              hint: `the model knows the levels: ${listNames(v.levels)}`,
            });
          } else codes[i] = map[c]!;
        }
        return { kind: 'factor', codes, nlev: v.levels.length };
      }
    }
  });
  return { ev, missing };
}

/**
 * The design's columns on any table (e.g. new patients for prediction). Rows with a missing variable
 * get NaN in every column and `complete[i] = 0`. Factor levels are matched by name; a level the
 * fitted model did not have is a DataError.
 */
export function modelMatrix(design: DesignDescription, table: Table): { X: Float64Array; n: number; p: number; complete: Uint8Array } {
  const { ev, missing } = evaluateDesign(design, table);
  const n = table.nrows;
  const p = design.columns.length;
  const all = Int32Array.from({ length: n }, (_, i) => i);
  // Evaluate missing rows with placeholder codes, then blank them.
  const safe = ev.map((e): Evaluated => (e.kind === 'factor' ? { ...e, codes: e.codes.map((c) => Math.max(c, 0)) } : e));
  const X = new Float64Array(n * p);
  fill(design, safe, all, X);
  const complete = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    complete[i] = missing[i] === 1 ? 0 : 1;
    if (missing[i] === 1) for (let j = 0; j < p; j++) X[j * n + i] = NaN;
  }
  return { X, n, p, complete };
}

/** Builds the model data of a formula on a table: evaluates, drops incomplete rows, checks, fills X. */
export function buildDesign(formulaOrText: Formula | string, table: Table, options: DesignOptions = {}): ModelData {
  const formula = typeof formulaOrText === 'string' ? parseFormula(formulaOrText) : formulaOrText;
  if (formula.response === undefined && options.requireResponse !== false) {
    throw new DataError(`the formula "${formula.text}" has no outcome`, { hint: 'write the outcome left of "~", e.g. "mrs90 <= 2 ~ evt + age"' });
  }
  const N = table.nrows;
  const missing = new Uint8Array(N);
  const dropped: DroppedRows[] = [];
  const note = (variable: string, col: Column): void => {
    const m = missingMask(col, missing);
    if (m > 0) dropped.push({ variable, rows: m });
  };

  // Response.
  let responseCol: Column | undefined;
  if (formula.response !== undefined) {
    responseCol = evaluateVariable(formula.response.expr, table, formula.response.label);
    note(formula.response.label, responseCol);
  }

  // Variables, evaluated on all rows (model.frame), with factor references applied.
  const reference = options.reference ?? {};
  const referenced = new Set<string>();
  const variables: DesignVariable[] = [];
  const cols: Column[] = [];
  for (const v of formula.variables) {
    if (v.kind === 'rcs') {
      const col = evaluateVariable(v.arg, table, v.label);
      if (col.type !== 'number') throw new DataError(`the spline term "${v.label}" needs a numeric variable, "${v.argLabel}" is a factor`);
      note(v.label, col);
      const knots = rcsKnots(col.values, v.nk, `the spline term "${v.label}"`);
      // the deparsed argument is itself a valid expression: it is what modelMatrix re-parses
      variables.push({ kind: 'rcs', label: v.label, source: v.argLabel, argLabel: v.argLabel, knots });
      cols.push(col);
      continue;
    }
    let col = evaluateVariable(v.expr, table, v.label);
    if (col.type === 'factor') {
      const name = v.expr.type === 'col' ? v.expr.name : undefined;
      let fcol = col;
      if (name !== undefined && Object.hasOwn(reference, name)) {
        referenced.add(name);
        fcol = relevel(fcol, reference[name], v.label);
      }
      col = fcol;
      variables.push({ kind: 'factor', label: v.label, source: v.source, levels: fcol.levels });
    } else {
      variables.push({ kind: 'numeric', label: v.label, source: v.source });
    }
    note(v.label, col);
    cols.push(col);
  }
  for (const name of Object.keys(reference)) {
    if (!referenced.has(name)) {
      throw new DataError(`a reference level is given for "${name}", which is not a factor term of the formula "${formula.text}"`);
    }
  }

  // Weights.
  let weightsAll: Float64Array | undefined;
  if (options.weights !== undefined) {
    const wcol = evaluateVariable(parseExpression(options.weights), table, `weights: ${options.weights}`);
    if (wcol.type !== 'number') throw new DataError(`the weights column "${options.weights}" is not numeric`);
    note(`weights: ${options.weights}`, wcol);
    weightsAll = wcol.values;
    for (let i = 0; i < N; i++) {
      if (weightsAll[i]! < 0) throw new DataError(`the weights column "${options.weights}" has a negative value (${weightsAll[i]!}) at row ${i + 1}`);
    }
  }

  // Listwise deletion.
  let n = 0;
  for (let i = 0; i < N; i++) if (missing[i] === 0) n++;
  const rows = new Int32Array(n);
  for (let i = 0, r = 0; i < N; i++) if (missing[i] === 0) rows[r++] = i;
  if (n === 0) throw new DataError(`no complete rows for the formula "${formula.text}"`, { hint: dropped.map((d) => `${d.variable}: ${d.rows} missing`).join('; ') });

  // Checks on the kept rows: finite values, constant numeric terms, empty factor levels.
  if (responseCol?.type === 'number') checkFinite(responseCol.values, rows, `the outcome "${formula.response!.label}"`, formula.response!.expr);
  if (weightsAll !== undefined) checkFinite(weightsAll, rows, `the weights "${options.weights!}"`, undefined);
  formula.variables.forEach((v, k) => {
    const col = cols[k]!;
    if (col.type === 'number') checkFinite(col.values, rows, `the formula term "${v.label}"`, v.kind === 'rcs' ? v.arg : v.expr);
  });
  variables.forEach((v, k) => {
    const col = cols[k]!;
    if (v.kind !== 'factor' && col.type === 'number') {
      if (isConstantOn(col.values, rows, n)) {
        throw new DataError(`the formula term "${v.label}" is constant (every fitted row has ${col.values[rows[0]!]!})`, { hint: 'a constant cannot be estimated next to the intercept: drop the term' });
      }
    } else if (v.kind === 'factor' && col.type === 'factor' && !everyLevelOn(col.codes, rows, n, v.levels.length, new Uint8Array(v.levels.length))) {
      const counts = new Int32Array(v.levels.length);
      for (let r = 0; r < n; r++) counts[col.codes[rows[r]!]!]!++;
      const empty = v.levels.filter((_, l) => counts[l] === 0);
      throw new DataError(`level${empty.length > 1 ? 's' : ''} ${empty.map((e) => `"${e}"`).join(', ')} of the factor "${v.label}" ${empty.length > 1 ? 'have' : 'has'} no rows in the fitted data`, {
        hint: 'merge or drop the level in a derive/filter step before fitting',
      });
    }
  });

  const design = describe(formula, variables);
  const ev: Evaluated[] = variables.map((v, k): Evaluated => {
    const col = cols[k]!;
    if (v.kind === 'rcs') return { kind: 'rcs', basis: rcsBasis((col as { values: Float64Array }).values, v.knots), k: v.knots.length };
    if (col.type === 'factor') return { kind: 'factor', codes: col.codes, nlev: col.levels.length };
    return { kind: 'numeric', v: (col as { values: Float64Array }).values };
  });
  const p = design.columns.length;
  const X = new Float64Array(n * p);
  fill(design, ev, rows, X);

  let response: ModelData['response'];
  if (responseCol !== undefined) {
    if (responseCol.type === 'factor') {
      const codes = new Int32Array(n);
      for (let r = 0; r < n; r++) codes[r] = responseCol.codes[rows[r]!]!;
      response = { type: 'factor', codes, levels: responseCol.levels };
    } else if (responseCol.type === 'number') {
      const values = new Float64Array(n);
      for (let r = 0; r < n; r++) values[r] = responseCol.values[rows[r]!]!;
      response = { type: 'number', values };
    }
  }
  let weights: Float64Array | undefined;
  if (weightsAll !== undefined) {
    weights = new Float64Array(n);
    for (let r = 0; r < n; r++) weights[r] = weightsAll[rows[r]!]!;
  }
  return { design, X, n, p, response, weights, rows, nDropped: N - n, dropped };
}

/**
 * buildDesign's check of a numeric term on its fitted rows rows[0 … n − 1] (n ≥ 1): whether every row has
 * the same value (then the term cannot be estimated next to the intercept). The last row is compared
 * first: a stratified resample's rows come stratum by stratum (sample-design.ts checks resamples with this).
 */
export function isConstantOn(values: Float64Array, rows: Int32Array, n: number): boolean {
  const first = values[rows[0]!]!;
  if (values[rows[n - 1]!] !== first) return false;
  for (let r = 1; r < n; r++) if (values[rows[r]!] !== first) return false;
  return true;
}

/**
 * buildDesign's check of a factor term on its fitted rows rows[0 … n − 1]: whether each of its `levels`
 * levels has a row (rows are read until every level has been seen: a few, as a rule). `seen` is a work
 * array of at least `levels` bytes, zeroed here.
 */
export function everyLevelOn(codes: Int32Array, rows: Int32Array, n: number, levels: number, seen: Uint8Array): boolean {
  seen.fill(0, 0, levels);
  let count = 0;
  for (let r = 0; r < n && count < levels; r++) {
    const l = codes[rows[r]!]!;
    if (seen[l] === 0) count++;
    seen[l] = 1;
  }
  return count === levels;
}

/** Beyond this a value is taken for a data error (an overflowed export, a sentinel such as 1e308), not a measurement. */
export const ABSURD = 1e300;

/**
 * A model is not fitted on ±Inf or absurd values (|x| > 1e300): R's glm stops with "NA/NaN/Inf in 'x'";
 * left in, they would surface as a misleading collinearity or separation error. Names the term, its
 * columns and the first rows (of the table the step reads, 1-based).
 */
function checkFinite(values: Float64Array, rows: Int32Array, what: string, expr: Expr | undefined): void {
  const bad: number[] = [];
  let count = 0;
  for (let r = 0; r < rows.length; r++) {
    const x = values[rows[r]!]!;
    if (Math.abs(x) > ABSURD) {
      if (bad.length < 5) bad.push(rows[r]!);
      count++;
    }
  }
  if (count === 0) return;
  const show = (x: number): string => (x === Infinity ? 'Inf' : x === -Infinity ? '-Inf' : String(x));
  const columns = expr === undefined || expr.type === 'col' ? '' : ` (computed from ${exprColumns(expr).join(', ')})`;
  const at = bad.map((i) => `row ${i + 1} (${show(values[i]!)})`).join(', ');
  throw new DataError(`${what}${columns} is infinite or absurd (|x| > 1e300) in ${count} row${count === 1 ? '' : 's'}: ${at}${count > bad.length ? ', …' : ''}`, {
    hint: 'fix the value in the data, or make it missing (add it to the load step\'s na:, or filter the rows out); rows are those of the table the step reads',
  });
}

/**
 * Perfect collinearity: a FitError naming the first column (and its term) that is a linear combination of
 * earlier ones. `XtX` is X'WX for any positive weights (the fits pass their first cross-product). The
 * equilibrated Cholesky flags a suspect column (1 − R² < 1e-8); the QR rule of R (tol 1e-7) confirms it.
 */
export function checkFullRank(design: DesignDescription, X: Float64Array, n: number, p: number, XtX: Float64Array): void {
  const { L, failedAt } = equilibratedCholesky(XtX, p);
  let suspect = failedAt >= 0;
  for (let j = 0; j < p && !suspect; j++) if (L[j * p + j]! * L[j * p + j]! < 1e-8) suspect = true;
  if (!suspect) return;
  const aliased = aliasedColumns(X, n, p);
  if (aliased.length === 0) return;
  const j = aliased[0]!;
  const column = design.columns[j]!;
  const term = design.columnTerms[j]!;
  throw new FitError(`the model term "${term}" is perfectly collinear with earlier terms (column "${column}" is a linear combination of them)`, {
    term,
    hint: 'drop the term or one of the terms it duplicates (R would report its coefficient as NA)',
  });
}
