/**
 * The linear predictor of a fitted logistic model as a function of one patient's volume, for the
 * volume-difference solver (volume-delta.ts): η_i(v) = x_i(v)'β, x_i(v) patient i's model-matrix row
 * (design.ts) with the volume set to v and every other variable at the patient's own value.
 *
 *   volumeColumns(design, variable)        which columns depend on the volume; whether it enters additively
 *   volumeOnlyDesign(design, vol)          the volume's own terms (no intercept)
 *   volumeTermFunction(design, β, variable) f(v) = Σ_j β_j X_j(v) over those terms
 *   volumePredictor(problem)               (patients, volumes) → η, for solveVolumeDeltas
 *
 * Every η is the sum linalg.ts's linearPredictor forms over the full model matrix rebuilt at v (the same
 * products added in the same column order), so the solver's roots are those of rebuilding the matrix
 * per round, bit for bit — only far cheaper: the volume's terms alone are evaluated, and an rcs term
 * without a basis matrix (rcs.ts's rcsAddTerm).
 */
import { makeTable, takeRows, withColumn, type Table } from '../data/table.js';
import { type DesignDescription, modelMatrix } from './design.js';
import { type Expr, evaluate, exprColumns, parseExpression } from './expr.js';
import { linearPredictor } from './linalg.js';
import { rcsAddTerm } from './rcs.js';

/** Which design columns depend on the volume variable; whether they enter additively; the table columns the design reads. */
export interface VolumeColumns {
  readonly columns: boolean[];
  /** No term mixes the volume with another variable: η_i(v) = c_i + f(v). */
  readonly additive: boolean;
  readonly sources: string[];
}

/** Which design columns depend on `variable`, and whether the volume enters additively (no interaction with other variables). */
export function volumeColumns(design: DesignDescription, variable: string): VolumeColumns {
  const dependsOn = design.variables.map((v) => exprColumns(parseExpression(v.source)).includes(variable));
  const termDepends = new Map<string, boolean>();
  let additive = true;
  for (const t of design.terms) {
    const vols = t.variables.map((k) => dependsOn[k]!);
    termDepends.set(t.label, vols.some(Boolean));
    if (vols.some(Boolean) && !vols.every(Boolean)) additive = false;
    // a variable mixing the volume with other columns, e.g. I(fiv_ml * age), is not additive either
    for (const k of t.variables) if (dependsOn[k] === true && exprColumns(parseExpression(design.variables[k]!.source)).length > 1) additive = false;
  }
  const columns = design.columnTerms.map((t) => termDepends.get(t) ?? false);
  const sources = [...new Set(design.variables.flatMap((v) => exprColumns(parseExpression(v.source))))];
  return { columns, additive, sources };
}

/**
 * The part of the design that depends on the volume alone (its variables, terms and columns, no
 * intercept), for an additive model: η_i(v) = c_i + f(v) with f(v) = Σ_j β_j X_j(v) over these columns.
 */
export function volumeOnlyDesign(design: DesignDescription, vol: VolumeColumns): { design: DesignDescription; columnIndex: number[] } {
  const keepTerms = design.terms.filter((t) => vol.columns[design.columnTerms.indexOf(t.label)] === true);
  const usedVars = [...new Set(keepTerms.flatMap((t) => [...t.variables]))].sort((a, b) => a - b);
  const remap = new Map(usedVars.map((v, k) => [v, k]));
  const columnIndex: number[] = [];
  const columns: string[] = [];
  const columnTerms: string[] = [];
  design.columns.forEach((c, j) => {
    if (vol.columns[j] === true) {
      columnIndex.push(j);
      columns.push(c);
      columnTerms.push(design.columnTerms[j]!);
    }
  });
  return {
    design: {
      ...design,
      intercept: false,
      variables: usedVars.map((v) => design.variables[v]!),
      terms: keepTerms.map((t) => ({ ...t, variables: t.variables.map((v) => remap.get(v)!) })),
      columns,
      columnTerms,
    },
    columnIndex,
  };
}

/**
 * f(v) = Σ_j β_j X_j(v) over the columns of a volume-only design (see volumeOnlyDesign), exactly as
 * linearPredictor(modelMatrix(design, v)): the same values summed in the same order. When every term
 * is a numeric or rcs main effect (the usual `fiv_ml`, `log(fiv_ml)`, `rcs(fiv_ml, 4)`), the
 * expressions are parsed once and evaluated straight on v (none at all for the bare variable), and a
 * spline basis is fused into the sum (rcsAddTerm): a few flops per volume instead of a model frame
 * per call. Other designs (e.g. a product of two volume variables) go through modelMatrix.
 */
export function volumeTermFunction(design: DesignDescription, beta: readonly number[], variable: string): (v: Float64Array) => Float64Array {
  const general = (v: Float64Array): Float64Array => {
    const { X } = modelMatrix(design, makeTable([[variable, { type: 'number', values: v }]]));
    return linearPredictor(X, v.length, beta.length, beta, new Float64Array(v.length));
  };
  const parts: { expr: Expr | undefined; knots: readonly number[] | undefined }[] = [];
  for (const t of design.terms) {
    const dv = t.variables.length === 1 ? design.variables[t.variables[0]!]! : undefined;
    if (dv === undefined || dv.kind === 'factor') return general;
    const expr = parseExpression(dv.source);
    parts.push({ expr: expr.type === 'col' && expr.name === variable ? undefined : expr, knots: dv.kind === 'rcs' ? dv.knots : undefined });
  }
  return (v) => {
    const m = v.length;
    const eta = new Float64Array(m);
    let j = 0;
    for (const { expr, knots } of parts) {
      let x = v;
      if (expr !== undefined) {
        const c = evaluate(expr, makeTable([[variable, { type: 'number', values: v }]]));
        if (c.type !== 'number') return general(v); // modelMatrix explains the error
        x = c.values;
      }
      if (knots === undefined) {
        const b = beta[j++]!;
        for (let i = 0; i < m; i++) eta[i] = eta[i]! + b * x[i]!;
      } else {
        rcsAddTerm(eta, x, knots, beta.slice(j, j + knots.length - 1));
        j += knots.length - 1;
      }
    }
    return eta;
  };
}

/** What volumePredictor needs: the model, the patients and their model-matrix rows at the observed volumes. */
export interface VolumePredictorProblem {
  readonly design: DesignDescription;
  readonly coefficients: readonly number[];
  readonly variable: string;
  readonly vol: VolumeColumns;
  /** The patients' rows (the columns the design reads). */
  readonly patients: Table;
  /** Their model matrix (column-major n × p) at the observed volumes, and η there (X0 β). */
  readonly X0: Float64Array;
  readonly eta0: Float64Array;
  /** Their observed volumes. */
  readonly volume: Float64Array;
}

/**
 * η of the patients `who[k]` at the volumes v[k] (solveVolumeDeltas' `eta`). Only the volume's own terms
 * are rebuilt (with the expressions parsed once); every sum keeps the order of linearPredictor over the
 * full model matrix, so the η are bit for bit those of rebuilding the whole matrix at the new volumes.
 */
export function volumePredictor({ design, coefficients, variable, vol, patients, X0, eta0, volume }: VolumePredictorProblem): (who: Int32Array, v: Float64Array) => Float64Array {
  const only = volumeOnlyDesign(design, vol);
  if (vol.additive) {
    // η_i(v) = c_i + f(v), f(v) = Σ_j β_j X_j(v) over the volume's columns.
    const f = volumeTermFunction(only.design, only.columnIndex.map((j) => coefficients[j]!), variable);
    const fObserved = f(volume);
    const c = eta0.map((e, i) => e - fObserved[i]!);
    return (who, v) => {
      const out = f(v);
      for (let k = 0; k < who.length; k++) out[k] = out[k]! + c[who[k]!]!;
      return out;
    };
  }
  // η_i(v) = Σ_j β_j X_ij(v) in column order: the volume's terms (which involve other variables)
  // rebuilt on the patients' rows at v, the other columns read from X0.
  const n = patients.nrows;
  const p = design.columns.length;
  const onlyVars = [...new Set(only.design.variables.flatMap((v) => exprColumns(parseExpression(v.source))))].filter((c) => patients.columns.has(c));
  const onlyTable = makeTable(onlyVars.map((c) => [c, patients.columns.get(c)!] as const));
  const volumeColumn = new Int32Array(p).fill(-1);
  only.columnIndex.forEach((j, q) => (volumeColumn[j] = q));
  return (who, v) => {
    const m = who.length;
    const { X: Xv } = modelMatrix(only.design, withColumn(takeRows(onlyTable, who), variable, { type: 'number', values: v }));
    const out = new Float64Array(m);
    for (let j = 0; j < p; j++) {
      const b = coefficients[j]!;
      const q = volumeColumn[j]!;
      if (q < 0) {
        const o = j * n;
        for (let k = 0; k < m; k++) out[k] = out[k]! + b * X0[o + who[k]!]!;
      } else {
        const o = q * m;
        for (let k = 0; k < m; k++) out[k] = out[k]! + b * Xv[o + k]!;
      }
    }
    return out;
  };
}
