/**
 * R/Wilkinson model formulas, parsed by lesionflow's own parser (never evaluated as JavaScript).
 *
 *   parseFormula(src)                → Formula   (throws FormulaError, a SpecError, with a 0-based offset)
 *   formulaFromParts(outcome, covs)  → string    (`outcome ~ c1 + c2`: the `outcome:`/`covariates:` form)
 *
 * Grammar (as R's `terms.formula`):
 *   formula := [response] "~" rhs
 *   rhs     := ["-"] product (("+" | "-") product)*
 *   product := factor (("*" | ":") factor)*        a*b = a + b + a:b
 *   factor  := "(" rhs ")" | "1" | "0" | variable
 *   variable:= name | `backquoted name` | call      calls: I(expr), rcs(x, k), and the expression functions log(x), sqrt(x), …
 *
 * The response and every variable are expressions of the expression language (`src/stats/expr.ts`),
 * and their labels are its R-style `deparse`, so term names are R's: `log(fiv_ml)`, `I(nihss/10)`,
 * `mrs90 <= 2`, `rcs(fiv_ml, 4)`. As R does, terms are ordered by their number of variables (main
 * effects first, then two-way interactions, …), keeping the written order within an order; within an
 * interaction the variables are ordered by first appearance in the formula (`f:log(x)` when `f` came first).
 * `- 1` or `+ 0` removes the intercept; `- x` removes a term.
 *
 * Random effects as lme4/ordinal write them: one term `(1 | g)` (random intercept) or `(1 + x | g)`
 * (random intercept and slope of x; `(x | g)` is the same term, as in lme4), added to the fixed terms
 * with "+". `g` is a column (a factor); `x` a variable of the formula's kind. The normalised text puts
 * the random term last, always with its intercept written: `y ~ a + b + (1 + x | g)`.
 */
import { SpecError } from '../errors.js';
import { deparse, parseExpression, ExpressionSyntaxError, type Expr } from './expr.js';
import { nonAsciiNameHint } from './r-habits.js';

/** A formula that cannot be parsed: `offset` (0-based) is where in the formula string. */
export class FormulaError extends SpecError {
  constructor(
    readonly reason: string,
    readonly offset: number,
    hint?: string,
  ) {
    super(`${reason} at character ${offset + 1} of the formula`, { hint });
  }
}

export type Variable =
  /** A column or an expression of columns: `age`, `log(fiv_ml)`, `I(nihss/10)`. */
  | { readonly kind: 'expr'; readonly label: string; readonly expr: Expr; readonly source: string }
  /** A restricted cubic spline `rcs(x, k)` (rms): `arg` is the expression inside, `nk` the number of knots (or explicit knots). */
  | { readonly kind: 'rcs'; readonly label: string; readonly arg: Expr; readonly argLabel: string; readonly source: string; readonly nk: number; readonly knots?: readonly number[] | undefined };

export interface Term {
  /** R's term label: `evt`, `log(fiv_ml)`, `evt:age`. */
  readonly label: string;
  /** Indexes into `Formula.variables`, ascending (the order of first appearance). */
  readonly variables: readonly number[];
}

/** A random-effect term `(1 | group)` or `(1 + slope | group)`. */
export interface RandomTerm {
  /** The normalised label: `(1 | trial)`, `(1 + evt | trial)`. */
  readonly label: string;
  /** The grouping column. */
  readonly group: string;
  /** The variable with a random slope (its R label and expression), if any. */
  readonly slope: { readonly label: string; readonly expr: Expr } | undefined;
}

export interface Formula {
  readonly response: { readonly label: string; readonly expr: Expr; readonly source: string } | undefined;
  /** Every variable of the right-hand side, in order of first appearance. */
  readonly variables: readonly Variable[];
  /** Terms in R's order (by degree, then as written). */
  readonly terms: readonly Term[];
  readonly intercept: boolean;
  /** The random-effect term (at most one), or none. */
  readonly random: readonly RandomTerm[];
  /** The normalised formula: `response ~ term + term [- 1] [+ (1 | g)]`, with R's labels. Equal formulas give equal strings. */
  readonly text: string;
}

/** The formula of the `outcome:` + `covariates:` (+ `random:`) form of a fit step. */
export function formulaFromParts(outcome: string, covariates: readonly string[], random?: string): string {
  const rhs = covariates.length === 0 ? '1' : covariates.join(' + ');
  return `${outcome} ~ ${rhs}${random === undefined ? '' : ` + ${random}`}`;
}

// ---- tokens ---------------------------------------------------------------------------------------

type Tok =
  | { readonly t: 'op'; readonly v: '~' | '+' | '-' | '*' | ':' | '(' | ')'; readonly at: number }
  /** A whole parenthesised random-effect term `( … | … )`. */
  | { readonly t: 'random'; readonly src: string; readonly at: number }
  | { readonly t: 'var'; readonly src: string; readonly at: number }
  | { readonly t: 'end'; readonly at: number };

const IDENT_START = /[A-Za-z.]/;
const IDENT_CHAR = /[A-Za-z0-9._]/;

/** The index just past the bracket that closes the "(" at `open`, skipping quoted strings. */
function matchParen(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const close = src.indexOf(c, i + 1);
      if (close < 0) throw new FormulaError('unclosed quote', i);
      i = close;
    } else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new FormulaError('unclosed "("', open);
}

/** Splits the formula into operators and variable sources (a name, a number or a whole call `f(...)`). */
function tokenize(src: string, from: number, to: number): Tok[] {
  const toks: Tok[] = [];
  let i = from;
  while (i < to) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' && barInside(src, i)) {
      const close = matchParen(src, i);
      toks.push({ t: 'random', src: src.slice(i, close), at: i });
      i = close;
    } else if ('~+-*:()'.includes(c)) {
      toks.push({ t: 'op', v: c as '~', at: i });
      i++;
    } else if (c === '`') {
      const close = src.indexOf('`', i + 1);
      if (close < 0) throw new FormulaError('unclosed backquote', i);
      toks.push({ t: 'var', src: src.slice(i, close + 1), at: i });
      i = close + 1;
    } else if (IDENT_START.test(c) || /[0-9]/.test(c)) {
      let j = i + 1;
      while (j < to && IDENT_CHAR.test(src[j]!)) j++;
      let k = j;
      while (k < to && /\s/.test(src[k]!)) k++;
      if (IDENT_START.test(c) && src[k] === '(') j = matchParen(src, k);
      toks.push({ t: 'var', src: src.slice(i, j), at: i });
      i = j;
    } else if (c === '^' || c === '/' || c === '%' || c === '|') {
      throw new FormulaError(`the formula operator "${c}" is not supported`, i, c === '/' ? 'wrap arithmetic in I(), e.g. I(x / 10)' : 'use +, -, * and : between terms, and I(...) for arithmetic');
    } else {
      throw new FormulaError(`unexpected character ${JSON.stringify(c)}`, i, nonAsciiNameHint(src, i));
    }
  }
  toks.push({ t: 'end', at: to });
  return toks;
}

/** Whether the parenthesised group opening at `open` holds a "|" at its own level (a random-effect term). */
function barInside(src: string, open: number): boolean {
  let depth = 0;
  for (let i = open + 1; i < src.length; i++) {
    const c = src[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = src.indexOf(c, i + 1);
      if (i < 0) return false;
    } else if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) return false;
      depth--;
    } else if (c === '|' && depth === 0) return true;
  }
  return false;
}

/**
 * A random-effect term `(lhs | group)` at offset `at`: lhs `1`, `1 + x`, `x + 1` or `x` (lme4's implicit
 * intercept); group a bare column name. Anything else is refused with what is supported.
 */
function parseRandom(source: string, at: number): RandomTerm {
  const inner = source.slice(1, -1);
  const bar = inner.indexOf('|');
  const supported = 'supported: (1 | group) and (1 + x | group), one random-effect term per formula';
  if (inner[bar + 1] === '|') throw new FormulaError('"||" (uncorrelated random effects) is not supported', at + 1 + bar, supported);
  const after = inner.slice(bar + 1);
  const group = after.trim();
  if (!/^[A-Za-z.][A-Za-z0-9._]*$/.test(group)) {
    const where = at + 2 + bar + (after.length - after.trimStart().length);
    throw new FormulaError(`the grouping factor of a random-effect term must be a column name, got "${group}"`, where, supported);
  }
  const parts = inner.slice(0, bar).split('+').map((t) => t.trim());
  if (parts.some((t) => t === '0' || t.startsWith('-') || t.includes('- 1') || t.includes('-1'))) {
    throw new FormulaError('a random slope without a random intercept is not supported', at + 1, supported);
  }
  const slopes = parts.filter((t) => t !== '1');
  if (parts.length > 2 || slopes.length > 1 || slopes.some((t) => t === '')) {
    throw new FormulaError(`unsupported random-effect term "${source}"`, at, supported);
  }
  if (slopes.length === 0) return { label: `(1 | ${group})`, group, slope: undefined };
  const offset = at + 1 + inner.indexOf(slopes[0]!);
  const v = parseVariable(slopes[0]!, offset);
  if (v.kind !== 'expr') throw new FormulaError('a random slope must be a single variable, not a spline', offset, supported);
  return { label: `(1 + ${v.label} | ${group})`, group, slope: { label: v.label, expr: v.expr } };
}

// ---- variables ------------------------------------------------------------------------------------

/** Parses an expression held at `at` in the formula, re-basing its error offsets onto the formula. */
function parseAt(source: string, at: number): Expr {
  try {
    return parseExpression(source);
  } catch (e) {
    if (e instanceof ExpressionSyntaxError) throw new FormulaError(e.reason, at + e.offset, e.hint);
    throw e;
  }
}

/** Top-level comma-separated arguments of a call source `f(a, b)`, with their offsets. */
function callArgs(source: string): { text: string; at: number }[] {
  const open = source.indexOf('(');
  const inner = source.slice(open + 1, source.length - 1);
  const out: { text: string; at: number }[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push({ text: inner.slice(start, i), at: open + 1 + start });
      start = i + 1;
    }
  }
  if (inner.trim() !== '' || out.length > 0) out.push({ text: inner.slice(start), at: open + 1 + start });
  return out;
}

function parseVariable(source: string, at: number): Variable {
  const name = /^([A-Za-z.][A-Za-z0-9._]*)\s*\(/.exec(source)?.[1];
  if (name === 'I') {
    const args = callArgs(source);
    if (args.length !== 1) throw new FormulaError('I() takes one argument', at);
    const expr = parseAt(args[0]!.text, at + args[0]!.at);
    return { kind: 'expr', label: `I(${deparse(expr)})`, expr, source };
  }
  if (name === 'rcs') {
    const args = callArgs(source);
    if (args.length < 1 || args.length > 2) throw new FormulaError('rcs() takes a variable and the number of knots: rcs(x, 4)', at);
    const arg = parseAt(args[0]!.text, at + args[0]!.at);
    const argLabel = deparse(arg);
    let nk = 5; // rms's default (options(nknots))
    if (args.length === 2) {
      const k = Number(args[1]!.text.trim());
      if (!Number.isInteger(k) || k < 3 || k > 7) {
        throw new FormulaError(`rcs() needs 3 to 7 knots, got "${args[1]!.text.trim()}"`, at + args[1]!.at, 'Harrell\'s default knot positions exist for 3 to 7 knots');
      }
      nk = k;
    }
    // R's deparse of the call: rcs(x, 4)
    const label = args.length === 2 ? `rcs(${argLabel}, ${nk})` : `rcs(${argLabel})`;
    return { kind: 'rcs', label, arg, argLabel, source, nk };
  }
  const expr = parseAt(source, at);
  if (expr.type === 'num') throw new FormulaError(`a number (${source}) is not a term`, at, 'only 1 and 0 (intercept) may appear as numbers; wrap arithmetic in I()');
  return { kind: 'expr', label: deparse(expr), expr, source };
}

// ---- parser ---------------------------------------------------------------------------------------

/** A set of terms during expansion; a term is a sorted list of variable indexes ("" key = intercept). */
interface TermSet {
  terms: number[][];
  /** +1 when "1" was added, -1 when removed, 0 otherwise. */
  intercept: number;
}

class Parser {
  private pos = 0;
  readonly variables: Variable[] = [];
  readonly random: RandomTerm[] = [];
  /** Parentheses open around the current position (a random-effect term must be at the top level). */
  private depth = 0;
  private readonly byLabel = new Map<string, number>();

  constructor(
    private readonly toks: Tok[],
    private readonly src: string,
  ) {}

  private peek(): Tok {
    return this.toks[this.pos]!;
  }

  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }

  parseRhs(): TermSet {
    const out: TermSet = { terms: [], intercept: 0 };
    let sign = 1;
    if (this.isOp('-')) {
      this.pos++;
      sign = -1;
    } else if (this.isOp('+')) this.pos++;
    for (;;) {
      const tok = this.peek();
      if (tok.t === 'random') {
        this.pos++;
        if (this.depth > 0) throw new FormulaError('a random-effect term must be added at the top level of the formula, not inside parentheses', tok.at);
        if (sign < 0) throw new FormulaError('a random-effect term cannot be removed with "-"', tok.at);
        if (this.isOp('*') || this.isOp(':')) throw new FormulaError('a random-effect term cannot be part of an interaction', this.peek().at);
        const r = parseRandom(tok.src, tok.at);
        if (this.random.length > 0) throw new FormulaError('only one random-effect term is supported', tok.at, 'supported: (1 | group) and (1 + x | group)');
        this.random.push(r);
        if (this.isOp('+')) sign = 1;
        else if (this.isOp('-')) sign = -1;
        else break;
        this.pos++;
        continue;
      }
      const p = this.parseProduct();
      if (sign > 0) {
        for (const t of p.terms) if (!out.terms.some((u) => sameTerm(u, t))) out.terms.push(t);
        if (p.intercept !== 0) out.intercept = p.intercept;
      } else {
        out.terms = out.terms.filter((u) => !p.terms.some((t) => sameTerm(u, t)));
        if (p.intercept > 0) out.intercept = -1;
        else if (p.intercept < 0) out.intercept = 1;
      }
      if (this.isOp('+')) sign = 1;
      else if (this.isOp('-')) sign = -1;
      else break;
      this.pos++;
    }
    return out;
  }

  private parseProduct(): TermSet {
    let left = this.parseFactor();
    while (this.isOp('*') || this.isOp(':')) {
      const op = (this.peek() as { v: string }).v;
      const at = this.peek().at;
      this.pos++;
      const right = this.parseFactor();
      if (left.intercept !== 0 || right.intercept !== 0) throw new FormulaError(`"1" or "0" cannot be part of an interaction`, at);
      const inter: number[][] = [];
      for (const a of left.terms) {
        for (const b of right.terms) {
          const t = [...new Set([...a, ...b])].sort((x, y) => x - y);
          if (!inter.some((u) => sameTerm(u, t))) inter.push(t);
        }
      }
      const terms = op === '*' ? [...left.terms, ...right.terms, ...inter] : inter;
      const uniq: number[][] = [];
      for (const t of terms) if (!uniq.some((u) => sameTerm(u, t))) uniq.push(t);
      left = { terms: uniq, intercept: 0 };
    }
    return left;
  }

  private parseFactor(): TermSet {
    const t = this.peek();
    if (t.t === 'op' && t.v === '(') {
      this.pos++;
      this.depth++;
      const inner = this.parseRhs();
      this.depth--;
      if (!this.isOp(')')) throw new FormulaError(`expected ")"`, this.peek().at);
      this.pos++;
      return inner;
    }
    if (t.t === 'random') throw new FormulaError('a random-effect term cannot be part of an interaction', t.at);
    if (t.t !== 'var') throw new FormulaError(t.t === 'end' ? 'the formula ends where a term was expected' : `expected a term, found "${t.v}"`, t.at);
    this.pos++;
    if (t.src === '.') {
      throw new FormulaError('"." (every other column, as in R\'s y ~ .) is not supported', t.at, 'list the terms: y ~ age + nihss + …, so that a new column in the data never changes the model');
    }
    if (t.src === '1') return { terms: [], intercept: 1 };
    if (t.src === '0') return { terms: [], intercept: -1 };
    const v = parseVariable(t.src, t.at);
    let index = this.byLabel.get(v.label);
    if (index === undefined) {
      index = this.variables.length;
      this.variables.push(v);
      this.byLabel.set(v.label, index);
    }
    return { terms: [[index]], intercept: 0 };
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.t !== 'end') throw new FormulaError(`unexpected ${t.t === 'op' ? `"${t.v}"` : `"${t.src}"`}`, t.at, `terms are joined with "+"; the source was ${JSON.stringify(this.src)}`);
  }
}

function sameTerm(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function parseFormula(src: string): Formula {
  const tilde = findTilde(src);
  if (tilde < 0) throw new FormulaError('a formula needs "~" between the outcome and the terms', 0, 'write e.g. "mrs90 <= 2 ~ evt + age"');
  let response: Formula['response'];
  const lhs = src.slice(0, tilde);
  if (lhs.trim() !== '') {
    const lead = lhs.length - lhs.trimStart().length;
    const expr = parseAt(lhs.trim(), lead);
    response = { label: deparse(expr), expr, source: lhs.trim() };
  }
  const parser = new Parser(tokenize(src, tilde + 1, src.length), src);
  const set = parser.parseRhs();
  parser.expectEnd();
  // R's order: by degree, stable within a degree.
  const ordered = set.terms.map((t, i) => ({ t, i })).sort((a, b) => a.t.length - b.t.length || a.i - b.i);
  const vars = parser.variables;
  const terms: Term[] = ordered.map(({ t }) => ({ label: t.map((v) => vars[v]!.label).join(':'), variables: t }));
  const intercept = set.intercept >= 0;
  const rhs = terms.map((t) => t.label);
  let text = `${response === undefined ? '' : `${response.label} `}~ `;
  if (rhs.length === 0) text += intercept ? '1' : '0';
  else text += rhs.join(' + ') + (intercept ? '' : ' - 1');
  for (const r of parser.random) text += ` + ${r.label}`;
  return { response, variables: vars, terms, intercept, random: parser.random, text };
}

/** The offset of the first "~" outside parentheses and quotes, or -1. */
function findTilde(src: string): number {
  let depth = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const close = src.indexOf(c, i + 1);
      if (close < 0) return -1;
      i = close;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '~' && depth === 0) return i;
  }
  return -1;
}
