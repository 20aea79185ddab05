/**
 * The expression language of `filter where:`, `derive` and formula terms such as `I(x / 10)`.
 *
 * A small subset of R's expression grammar, parsed here by a recursive-descent parser and evaluated
 * over typed arrays by a tree walk. It is never turned into JavaScript: names are looked up in the
 * table's column map and in a fixed map of functions, so `eval`, `constructor` or `__proto__` can only
 * ever be an unknown function or column. Documented for users in docs/expressions.md.
 *
 *   parseExpression(src)  → Expr            (throws ExpressionSyntaxError with a 0-based offset)
 *   evaluate(expr, table) → Column          (vectorised; missing propagates like R's NA)
 *   evaluateNumeric(expr, table, what?)     → Float64Array (a DataError unless the result is numeric)
 *   deparse(expr)         → string          (as R's `deparse`: `I(x/10)`, `x + 1`, `x^2`, `a * b`)
 *   exprColumns(expr)     → string[]        (columns referenced, in order of first appearance)
 *
 * Precedence, loosest first, as R's `?Syntax`: `|`; `&`; `!`; comparisons (non-associative);
 * `+ -`; `* /`; `%% %in%`; unary `- +`; `^` (right-associative, so `-x^2` is `-(x^2)` and `2^-1` is allowed).
 * Logical values are numbers 0/1 with NaN for missing, and `&`/`|` follow R's three-valued logic
 * (`FALSE & NA` is FALSE, `TRUE | NA` is TRUE).
 */
import { DataError, SpecError, didYouMean, listNames } from '../errors.js';
import type { Column, Table } from '../data/table.js';
import { nonAsciiNameHint, rFunctionHint } from './r-habits.js';

// ---- AST ------------------------------------------------------------------------------------------

export type BinaryOp = '+' | '-' | '*' | '/' | '^' | '%%' | '%in%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&' | '|';
export type UnaryOp = '-' | '+' | '!';
export type ConstName = 'TRUE' | 'FALSE' | 'NA' | 'Inf';

interface NodeBase {
  /** 0-based character offset of the node's first character in the source. */
  readonly offset: number;
  /** How many pairs of parentheses the user wrote around this node (kept so `deparse` matches R). */
  readonly parens?: number | undefined;
}

export type Expr =
  | (NodeBase & { readonly type: 'num'; readonly value: number })
  | (NodeBase & { readonly type: 'str'; readonly value: string })
  | (NodeBase & { readonly type: 'const'; readonly name: ConstName })
  | (NodeBase & { readonly type: 'col'; readonly name: string })
  | (NodeBase & { readonly type: 'call'; readonly fn: string; readonly args: readonly Expr[] })
  | (NodeBase & { readonly type: 'unary'; readonly op: UnaryOp; readonly arg: Expr })
  | (NodeBase & { readonly type: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr });

/** A malformed expression: `reason` says what, `offset` (0-based) where; the message is `<reason> at <offset>`. */
export class ExpressionSyntaxError extends SpecError {
  constructor(
    readonly reason: string,
    readonly offset: number,
    hint?: string,
  ) {
    super(`${reason} at ${offset}`, { hint });
  }
}

/** Longest expression accepted (characters) and deepest nesting: beyond these a spec is refused, not parsed. */
export const MAX_EXPRESSION_LENGTH = 20_000;
export const MAX_EXPRESSION_DEPTH = 200;

// ---- functions ------------------------------------------------------------------------------------

interface FunctionInfo {
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly summary: string;
}

/** The functions an expression may call. A Map, never an object, so no inherited name can be looked up. */
export const FUNCTIONS: ReadonlyMap<string, FunctionInfo> = new Map<string, FunctionInfo>([
  ['log', { minArgs: 1, maxArgs: 2, summary: 'natural logarithm; log(x, base) for another base' }],
  ['log10', { minArgs: 1, maxArgs: 1, summary: 'base-10 logarithm' }],
  ['log2', { minArgs: 1, maxArgs: 1, summary: 'base-2 logarithm' }],
  ['exp', { minArgs: 1, maxArgs: 1, summary: 'exponential' }],
  ['sqrt', { minArgs: 1, maxArgs: 1, summary: 'square root' }],
  ['cbrt', { minArgs: 1, maxArgs: 1, summary: 'cube root (defined for negative x too)' }],
  ['abs', { minArgs: 1, maxArgs: 1, summary: 'absolute value' }],
  ['round', { minArgs: 1, maxArgs: 2, summary: "round(x, digits = 0), halves to even as R's round" }],
  ['floor', { minArgs: 1, maxArgs: 1, summary: 'largest whole number not above x' }],
  ['ceiling', { minArgs: 1, maxArgs: 1, summary: 'smallest whole number not below x' }],
  ['pmin', { minArgs: 1, maxArgs: Infinity, summary: 'element-wise minimum (missing if any argument is)' }],
  ['pmax', { minArgs: 1, maxArgs: Infinity, summary: 'element-wise maximum (missing if any argument is)' }],
  ['if_else', { minArgs: 3, maxArgs: 3, summary: 'if_else(condition, yes, no); missing where the condition is' }],
  ['is_missing', { minArgs: 1, maxArgs: 1, summary: '1 where x is missing, else 0' }],
  ['I', { minArgs: 1, maxArgs: 1, summary: "identity, as R's I() in a formula term" }],
  ['c', { minArgs: 1, maxArgs: Infinity, summary: 'a list of literal values, only on the right of %in%' }],
]);

// ---- tokens ---------------------------------------------------------------------------------------

type Token =
  | { readonly t: 'num'; readonly value: number; readonly at: number }
  | { readonly t: 'str'; readonly value: string; readonly at: number }
  | { readonly t: 'ident'; readonly value: string; readonly quoted: boolean; readonly at: number }
  | { readonly t: 'op'; readonly value: string; readonly at: number }
  | { readonly t: 'end'; readonly at: number };

const OPERATORS = ['%in%', '%%', '==', '!=', '<=', '>=', '<-', '&&', '||', '**', '<', '>', '+', '-', '*', '/', '^', '&', '|', '!', '(', ')', ',', '='];
const IDENT_START = /[A-Za-z.]/;
const IDENT_CHAR = /[A-Za-z0-9._]/;
const NUMBER_AT = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    NUMBER_AT.lastIndex = i;
    const num = /[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? '')) ? NUMBER_AT.exec(src) : null;
    if (num !== null) {
      const after = src[i + num[0].length];
      if (after !== undefined && IDENT_CHAR.test(after)) throw new ExpressionSyntaxError(`malformed number "${num[0]}${after}"`, i);
      tokens.push({ t: 'num', value: Number(num[0]), at: i });
      i += num[0].length;
    } else if (c === '"' || c === "'") {
      const [value, end] = readQuoted(src, i, c);
      tokens.push({ t: 'str', value, at: i });
      i = end;
    } else if (c === '`') {
      const [value, end] = readQuoted(src, i, '`');
      if (value === '') throw new ExpressionSyntaxError('empty backquoted name', i);
      tokens.push({ t: 'ident', value, quoted: true, at: i });
      i = end;
    } else if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < src.length && IDENT_CHAR.test(src[j]!)) j++;
      tokens.push({ t: 'ident', value: src.slice(i, j), quoted: false, at: i });
      i = j;
    } else {
      const op = OPERATORS.find((o) => src.startsWith(o, i));
      if (op === undefined) {
        if (c === '%') {
          const close = src.indexOf('%', i + 1);
          const name = close < 0 ? src.slice(i) : src.slice(i, close + 1);
          throw new ExpressionSyntaxError(`unknown operator "${name}"`, i, 'the %-operators are %% (remainder) and %in%');
        }
        throw new ExpressionSyntaxError(`unexpected character ${JSON.stringify(c)}`, i, c === '_' ? 'a name cannot start with "_"; backquote it: `_name`' : nonAsciiNameHint(src, i));
      }
      if (op === '&&' || op === '||') throw new ExpressionSyntaxError(`"${op}" is not supported`, i, `use "${op[0]!}", which works element by element`);
      if (op === '=') throw new ExpressionSyntaxError('"=" is not a comparison', i, 'write "==" to test equality');
      // As R's lexer: `<-` is always assignment (so `x<-1` is not `x < -1`), and `**` means `^`.
      if (op === '<-') throw new ExpressionSyntaxError('"<-" (assignment) is not allowed', i, 'to compare with a negative number, write a space: x < -1');
      tokens.push({ t: 'op', value: op === '**' ? '^' : op, at: i });
      i += op.length;
    }
  }
  tokens.push({ t: 'end', at: src.length });
  return tokens;
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", '`': '`', '0': '\0' };

function readQuoted(src: string, start: number, quote: string): [string, number] {
  let out = '';
  let i = start + 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === quote) return [out, i + 1];
    if (c === '\\') {
      const e = src[i + 1];
      const rep = e === undefined ? undefined : ESCAPES[e];
      if (rep === undefined || !Object.hasOwn(ESCAPES, e!)) throw new ExpressionSyntaxError(`unknown escape "\\${e ?? ''}"`, i);
      out += rep;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  throw new ExpressionSyntaxError(quote === '`' ? 'unclosed backquote' : 'unclosed string', start);
}

// ---- parser ---------------------------------------------------------------------------------------

const COMPARISONS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);
const CONSTANTS: ReadonlySet<string> = new Set(['TRUE', 'FALSE', 'NA', 'Inf']);
const RESERVED: ReadonlySet<string> = new Set(['if', 'else', 'repeat', 'while', 'function', 'for', 'next', 'break', 'in', 'NULL', 'NaN', 'T', 'F', 'NA_integer_', 'NA_real_', 'NA_character_']);

export function parseExpression(src: string): Expr {
  if (src.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionSyntaxError(`expression too long (${src.length} characters, at most ${MAX_EXPRESSION_LENGTH})`, MAX_EXPRESSION_LENGTH, 'derive intermediate columns in steps');
  }
  return new Parser(tokenize(src)).parse();
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parse(): Expr {
    if (this.peek().t === 'end') throw new ExpressionSyntaxError('empty expression', 0);
    const e = this.parseOr();
    const t = this.peek();
    if (t.t !== 'end') throw new ExpressionSyntaxError(`unexpected ${describe(t)}`, t.at, t.t === 'op' && COMPARISONS.has(t.value) ? 'comparisons cannot be chained: write a < b & b < c' : undefined);
    return e;
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private isOp(...ops: string[]): string | undefined {
    const t = this.peek();
    return t.t === 'op' && ops.includes(t.value) ? t.value : undefined;
  }

  private enter(at: number): void {
    if (++this.depth > MAX_EXPRESSION_DEPTH) throw new ExpressionSyntaxError(`expression nested too deeply (more than ${MAX_EXPRESSION_DEPTH} levels)`, at, 'derive intermediate columns in steps');
  }

  /** A binary node; its depth is checked so that evaluating a long chain `a + b + c + …` cannot exhaust the stack. */
  private binary(op: BinaryOp, left: Expr, right: Expr, at: number): Expr {
    const d = Math.max(this.depthOf(left), this.depthOf(right)) + 1;
    if (d > MAX_EXPRESSION_DEPTH) throw new ExpressionSyntaxError(`expression nested too deeply (more than ${MAX_EXPRESSION_DEPTH} levels)`, at, 'derive intermediate columns in steps');
    const node: Expr = { type: 'binary', op, left, right, offset: left.offset };
    this.depths.set(node, d);
    return node;
  }

  private readonly depths = new WeakMap<Expr, number>();
  private depthOf(e: Expr): number {
    return this.depths.get(e) ?? 1;
  }

  private leftAssoc(ops: string[], next: () => Expr): Expr {
    let left = next();
    for (let op = this.isOp(...ops); op !== undefined; op = this.isOp(...ops)) {
      const at = this.peek().at;
      this.pos++;
      left = this.binary(op as BinaryOp, left, next(), at);
    }
    return left;
  }

  private parseOr(): Expr {
    return this.leftAssoc(['|'], () => this.parseAnd());
  }

  private parseAnd(): Expr {
    return this.leftAssoc(['&'], () => this.parseNot());
  }

  private parseNot(): Expr {
    if (this.isOp('!') !== undefined) {
      const at = this.peek().at;
      this.pos++;
      this.enter(at);
      const arg = this.parseNot();
      this.depth--;
      return this.unary('!', arg, at);
    }
    return this.parseComparison();
  }

  private parseComparison(): Expr {
    const left = this.parseAdditive();
    const op = this.isOp(...COMPARISONS);
    if (op === undefined) return left;
    const at = this.peek().at;
    this.pos++;
    const right = this.parseAdditive();
    // As in R, `x == NA` is NA on every row (so a filter keeps nothing): almost always a mistake for is_missing(x).
    const isNA = (e: Expr): boolean => e.type === 'const' && e.name === 'NA';
    if (isNA(left) || isNA(right)) {
      const other = deparse(isNA(left) ? right : left);
      throw new ExpressionSyntaxError(`comparing with NA ("${op}") gives a missing value on every row`, at, `to test for a missing value, write ${op === '!=' ? '!' : ''}is_missing(${other})`);
    }
    return this.binary(op as BinaryOp, left, right, at);
  }

  private parseAdditive(): Expr {
    return this.leftAssoc(['+', '-'], () => this.parseMultiplicative());
  }

  private parseMultiplicative(): Expr {
    return this.leftAssoc(['*', '/'], () => this.parseSpecial());
  }

  private parseSpecial(): Expr {
    let left = this.parseUnary();
    for (let op = this.isOp('%%', '%in%'); op !== undefined; op = this.isOp('%%', '%in%')) {
      const at = this.peek().at;
      this.pos++;
      const right = op === '%in%' ? this.parseInList() : this.parseUnary();
      left = this.binary(op as BinaryOp, left, right, at);
    }
    return left;
  }

  private parseUnary(): Expr {
    const op = this.isOp('-', '+');
    if (op !== undefined) {
      const at = this.peek().at;
      this.pos++;
      this.enter(at);
      const arg = this.parseUnary();
      this.depth--;
      return this.unary(op as UnaryOp, arg, at);
    }
    return this.parsePower();
  }

  private unary(op: UnaryOp, arg: Expr, at: number): Expr {
    const node: Expr = { type: 'unary', op, arg, offset: at };
    this.depths.set(node, this.depthOf(arg) + 1);
    return node;
  }

  private parsePower(): Expr {
    const base = this.parsePrimary();
    if (this.isOp('^') === undefined) return base;
    const at = this.peek().at;
    this.pos++;
    this.enter(at);
    const exponent = this.parseUnary(); // right-associative, and `2^-1` is allowed as in R
    this.depth--;
    return this.binary('^', base, exponent, at);
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.t) {
      case 'num':
        this.pos++;
        return { type: 'num', value: t.value, offset: t.at };
      case 'str':
        this.pos++;
        return { type: 'str', value: t.value, offset: t.at };
      case 'ident': {
        this.pos++;
        if (this.isOp('(') !== undefined) return this.parseCall(t.value, t.at, t.quoted);
        if (!t.quoted && CONSTANTS.has(t.value)) return { type: 'const', name: t.value as ConstName, offset: t.at };
        if (!t.quoted && RESERVED.has(t.value)) {
          const hint = t.value === 'T' || t.value === 'F' ? `write ${t.value === 'T' ? 'TRUE' : 'FALSE'}` : t.value === 'NaN' || t.value.startsWith('NA_') ? 'write NA' : undefined;
          throw new ExpressionSyntaxError(`"${t.value}" is a reserved word`, t.at, hint ?? 'backquote it to name a column: `name`');
        }
        return { type: 'col', name: t.value, offset: t.at };
      }
      case 'op':
        if (t.value === '(') {
          this.pos++;
          this.enter(t.at);
          const inner = this.parseOr();
          this.depth--;
          const close = this.peek();
          if (close.t !== 'op' || close.value !== ')') throw new ExpressionSyntaxError(`expected ")" to close the "(" at ${t.at}, found ${describe(close)}`, close.at);
          this.pos++;
          const wrapped = { ...inner, parens: (inner.parens ?? 0) + 1 } as Expr;
          this.depths.set(wrapped, this.depthOf(inner));
          return wrapped;
        }
        throw new ExpressionSyntaxError(`unexpected ${describe(t)}`, t.at);
      case 'end':
        throw new ExpressionSyntaxError('unexpected end of expression', t.at);
    }
  }

  /** The right of %in%: `c(value, ...)` or one value, each a literal (a number, a string, TRUE, FALSE or NA). */
  private parseInList(): Expr {
    const t = this.peek();
    const literal = (): Expr => {
      const start = this.peek();
      const e = this.parseUnary();
      const ok = e.type === 'num' || e.type === 'str' || e.type === 'const' || (e.type === 'unary' && e.op === '-' && e.arg.type === 'num');
      if (!ok) throw new ExpressionSyntaxError('the values of %in% must be literals: numbers, strings, TRUE, FALSE or NA', start.at, 'write x %in% c("a", "b")');
      return e;
    };
    if (t.t !== 'ident' || t.value !== 'c' || t.quoted) return literal();
    this.pos++;
    const open = this.peek();
    if (open.t !== 'op' || open.value !== '(') throw new ExpressionSyntaxError(`expected "(" after c, found ${describe(open)}`, open.at);
    this.pos++;
    const args: Expr[] = [];
    for (;;) {
      args.push(literal());
      if (this.isOp(',') === undefined) break;
      this.pos++;
    }
    const close = this.peek();
    if (close.t !== 'op' || close.value !== ')') throw new ExpressionSyntaxError(`expected "," or ")" in c(...), found ${describe(close)}`, close.at);
    this.pos++;
    return { type: 'call', fn: 'c', args, offset: t.at };
  }

  private parseCall(fn: string, at: number, quoted: boolean): Expr {
    const info = FUNCTIONS.get(fn);
    if (info === undefined || quoted) {
      const habit = rFunctionHint(fn);
      throw new ExpressionSyntaxError(`unknown function "${fn}"${habit === undefined ? didYouMean(fn, FUNCTIONS.keys()) : ''}`, at, habit ?? `the functions are ${[...FUNCTIONS.keys()].join(', ')}`);
    }
    this.pos++; // (
    this.enter(at);
    const args: Expr[] = [];
    if (this.isOp(')') === undefined) {
      for (;;) {
        args.push(this.parseOr());
        if (this.isOp(',') === undefined) break;
        this.pos++;
      }
    }
    this.depth--;
    const close = this.peek();
    if (close.t !== 'op' || close.value !== ')') throw new ExpressionSyntaxError(`expected "," or ")" in the call of ${fn}(), found ${describe(close)}`, close.at);
    this.pos++;
    if (args.length < info.minArgs || args.length > info.maxArgs) {
      const expected = info.maxArgs === Infinity ? `at least ${info.minArgs}` : info.minArgs === info.maxArgs ? `${info.minArgs}` : `${info.minArgs} or ${info.maxArgs}`;
      throw new ExpressionSyntaxError(`${fn}() takes ${expected} argument${info.maxArgs === 1 ? '' : 's'}, got ${args.length}`, at, info.summary);
    }
    if (fn === 'c') throw new ExpressionSyntaxError('c(...) can only be used on the right of %in%', at, 'write x %in% c("a", "b")');
    const node: Expr = { type: 'call', fn, args, offset: at };
    this.depths.set(node, Math.max(0, ...args.map((a) => this.depthOf(a))) + 1);
    return node;
  }
}

function describe(t: Token): string {
  switch (t.t) {
    case 'num':
      return `number ${t.value}`;
    case 'str':
      return `string ${JSON.stringify(t.value)}`;
    case 'ident':
      return `name "${t.value}"`;
    case 'op':
      return `"${t.value}"`;
    case 'end':
      return 'end of expression';
  }
}

// ---- deparse --------------------------------------------------------------------------------------

/** Binding strength for deparse, loosest first (R's ?Syntax). */
function precedence(e: Expr): number {
  switch (e.type) {
    case 'binary':
      return BINARY_PRECEDENCE[e.op];
    case 'unary':
      return e.op === '!' ? 3 : 8;
    default:
      return 10;
  }
}

const BINARY_PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  '|': 1,
  '&': 2,
  '==': 4,
  '!=': 4,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%%': 7,
  '%in%': 7,
  '^': 9,
};

/** Operators R's deparse writes without surrounding spaces. */
const TIGHT: ReadonlySet<BinaryOp> = new Set(['/', '^', '%%']);

/**
 * The expression as R's `deparse` writes it: `I(x/10)`, `x + 1`, `x^2`, `a * b`, `log(fiv_ml)`,
 * `a %in% c("x", "y")`, numbers with up to 15 significant digits (`1e+05`), the user's own parentheses
 * kept and any needed for precedence added.
 */
export function deparse(e: Expr): string {
  return withParens(e, e.parens ?? 0);
}

function withParens(e: Expr, n: number): string {
  const body = deparseBody(e);
  return '('.repeat(n) + body + ')'.repeat(n);
}

/** A child, parenthesised when the user did so or when precedence needs it. */
function child(e: Expr, needs: boolean): string {
  const n = e.parens ?? 0;
  return withParens(e, n > 0 ? n : needs ? 1 : 0);
}

function deparseBody(e: Expr): string {
  switch (e.type) {
    case 'num':
      return formatRNumber(e.value);
    case 'str':
      return deparseString(e.value);
    case 'const':
      return e.name;
    case 'col':
      return deparseName(e.name);
    case 'call':
      return `${e.fn}(${e.args.map((a) => deparse(a)).join(', ')})`;
    case 'unary': {
      const p = precedence(e);
      return e.op + child(e.arg, precedence(e.arg) < p);
    }
    case 'binary': {
      const p = BINARY_PRECEDENCE[e.op];
      const lp = precedence(e.left);
      const rp = precedence(e.right);
      const comparison = p === 4;
      const leftNeeds = lp < p || (lp === p && (e.op === '^' || comparison));
      const rightIsSignedExponent = e.op === '^' && e.right.type === 'unary' && e.right.op !== '!';
      const rightNeeds = !rightIsSignedExponent && (rp < p || (rp === p && e.op !== '^'));
      const sep = TIGHT.has(e.op) ? e.op : ` ${e.op} `;
      return child(e.left, leftNeeds) + sep + child(e.right, rightNeeds);
    }
  }
}

const SYNTACTIC_NAME = /^(?:[A-Za-z]|\.(?![0-9]))[A-Za-z0-9._]*$|^\.$/;

function deparseName(name: string): string {
  return SYNTACTIC_NAME.test(name) && !RESERVED.has(name) && !CONSTANTS.has(name) ? name : '`' + name.replaceAll('\\', '\\\\').replaceAll('`', '\\`') + '`';
}

function deparseString(s: string): string {
  return '"' + s.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n').replaceAll('\t', '\\t').replaceAll('\r', '\\r') + '"';
}

/**
 * A number as R prints it with 15 significant digits: the fewest digits that show the same value at 15
 * digits, in fixed notation unless scientific is narrower (R's formatReal with scipen = 0):
 * 10 → "10", 1e5 → "1e+05", 0.0001 → "1e-04", 0.001 → "0.001", 0.1234567890123456 → "0.123456789012346".
 */
export function formatRNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  if (x === 0) return '0';
  const target = Number(x.toPrecision(15));
  let digits = 1;
  while (digits < 15 && Number(x.toPrecision(digits)) !== target) digits++;
  const [mantissa, expText] = x.toExponential(digits - 1).split('e') as [string, string];
  const exponent = Number(expText);
  const sci = `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  if (Math.abs(exponent) >= 21) return sci;
  const fixed = target.toFixed(Math.max(0, digits - 1 - exponent));
  return fixed.length <= sci.length ? fixed : sci;
}

// ---- columns referenced ---------------------------------------------------------------------------

/** The columns an expression reads, each once, in order of first appearance. */
export function exprColumns(e: Expr): string[] {
  const out = new Set<string>();
  const walk = (n: Expr): void => {
    switch (n.type) {
      case 'col':
        out.add(n.name);
        return;
      case 'call':
        n.args.forEach(walk);
        return;
      case 'unary':
        walk(n.arg);
        return;
      case 'binary':
        walk(n.left);
        walk(n.right);
        return;
      default:
        return;
    }
  };
  walk(e);
  return [...out];
}

// ---- evaluation -----------------------------------------------------------------------------------

/** A numeric vector (NaN = missing; logical results are 0/1). */
interface NumValue {
  readonly kind: 'num';
  readonly v: Float64Array;
}

/** A text vector (null = missing): a string literal, a string column or a factor's labels. */
interface TextValue {
  readonly kind: 'text';
  readonly v: readonly (string | null)[];
  /** The factor's levels when the values come from a factor column. */
  readonly levels?: readonly string[] | undefined;
}

type Value = NumValue | TextValue;

/**
 * Evaluates the expression on every row of the table. Numeric results give a number column; text
 * results give a factor (keeping the levels of the factor they came from when every value is one of
 * them, else the distinct values sorted by code unit), except a bare string column, which stays a string.
 */
export function evaluate(expr: Expr, table: Table): Column {
  const value = new Evaluator(table).eval(expr);
  if (value.kind === 'num') {
    // `x`, `(x)` or `I(x)` evaluate to the column's own array: copy it, so the result never aliases the input.
    const aliased = [...table.columns.values()].some((c) => c.type === 'number' && c.values === value.v);
    return { type: 'number', values: aliased ? Float64Array.from(value.v) : value.v };
  }
  const source = expr.type === 'col' ? table.columns.get(expr.name) : undefined;
  if (source?.type === 'string') return { type: 'string', values: [...value.v] };
  return toFactor(value);
}

/** Evaluates an expression that must be numeric (a formula term, a filter condition). `what` names its use in errors. */
export function evaluateNumeric(expr: Expr, table: Table, what?: string): Float64Array {
  const col = evaluate(expr, table);
  if (col.type !== 'number') {
    throw new DataError(`${what === undefined ? '' : `${what}: `}${deparse(expr)} gives text values, a number was expected`, {
      hint: 'compare it with a value (x == "CT") to get 0/1, or use a numeric column',
    });
  }
  return col.values;
}

function toFactor(value: TextValue): Column {
  let levels = value.levels;
  const known = new Set(levels);
  if (levels === undefined || value.v.some((s) => s !== null && !known.has(s))) {
    const set = new Set<string>();
    for (const s of value.v) if (s !== null) set.add(s);
    levels = [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  const code = new Map(levels.map((l, k) => [l, k]));
  return { type: 'factor', codes: Int32Array.from(value.v, (s) => (s === null ? -1 : code.get(s)!)), levels };
}

class Evaluator {
  private readonly n: number;

  constructor(private readonly table: Table) {
    this.n = table.nrows;
  }

  eval(e: Expr): Value {
    switch (e.type) {
      case 'num':
        return this.fill(e.value);
      case 'const':
        return this.fill(e.name === 'TRUE' ? 1 : e.name === 'FALSE' ? 0 : e.name === 'Inf' ? Infinity : NaN);
      case 'str':
        return { kind: 'text', v: new Array<string | null>(this.n).fill(e.value) };
      case 'col':
        return this.column(e.name);
      case 'unary':
        return this.unary(e.op, this.num(e.arg, e));
      case 'binary':
        return this.binary(e);
      case 'call':
        return this.call(e);
    }
  }

  private fill(x: number): NumValue {
    return { kind: 'num', v: new Float64Array(this.n).fill(x) };
  }

  private column(name: string): Value {
    const col = this.table.columns.get(name);
    if (col === undefined) {
      throw new DataError(`unknown column "${name}" in an expression${didYouMean(name, this.table.columns.keys())}`, {
        hint: `the data has columns: ${listNames(this.table.columns.keys())}; backquote a name with spaces: \`my name\``,
      });
    }
    switch (col.type) {
      case 'number':
        return { kind: 'num', v: col.values };
      case 'string':
        return { kind: 'text', v: col.values };
      case 'factor':
        return { kind: 'text', v: Array.from(col.codes, (c) => (c < 0 ? null : col.levels[c]!)), levels: col.levels };
    }
  }

  /** A numeric operand, or a DataError naming the operand and the expression using it. */
  private num(e: Expr, parent: Expr): Float64Array {
    const v = this.eval(e);
    if (v.kind !== 'num') {
      throw new DataError(`${describeText(e, v)}, a number is needed in ${deparse(parent)}`, {
        hint: textHint(e, v, 'compare a factor with a level, e.g. occlusion == "M1", which gives 0/1'),
      });
    }
    return v.v;
  }

  private unary(op: UnaryOp, x: Float64Array): NumValue {
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const a = x[i]!;
      out[i] = op === '-' ? -a : op === '+' ? a : Number.isNaN(a) ? NaN : a === 0 ? 1 : 0;
    }
    return { kind: 'num', v: out };
  }

  private binary(e: Expr & { type: 'binary' }): Value {
    const { op } = e;
    if (op === '%in%') return this.inList(e);
    if (op === '==' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=') return this.compare(e);
    const a = this.num(e.left, e);
    const b = this.num(e.right, e);
    const out = new Float64Array(this.n);
    const f = ARITHMETIC[op];
    for (let i = 0; i < out.length; i++) out[i] = f(a[i]!, b[i]!);
    return { kind: 'num', v: out };
  }

  private compare(e: Expr & { type: 'binary' }): NumValue {
    const l = this.eval(e.left);
    const r = this.eval(e.right);
    const out = new Float64Array(this.n);
    if (l.kind === 'num' && r.kind === 'num') {
      const f = ARITHMETIC[e.op as keyof typeof ARITHMETIC];
      for (let i = 0; i < out.length; i++) out[i] = f(l.v[i]!, r.v[i]!);
      return { kind: 'num', v: out };
    }
    if (l.kind !== 'text' || r.kind !== 'text') {
      const [te, tv] = l.kind === 'text' ? [e.left, l] : [e.right, r as TextValue];
      throw new DataError(`cannot compare text with a number in ${deparse(e)}: ${describeText(te, tv)}`, {
        hint: textHint(te, tv, 'compare a factor with one of its levels in quotes, e.g. occlusion == "M1"'),
      });
    }
    if (e.op !== '==' && e.op !== '!=') throw new DataError(`text cannot be ordered with "${e.op}" in ${deparse(e)}`, { hint: 'use == or != (or %in%) with text' });
    checkLevels(e.left, e.right, r, e);
    checkLevels(e.right, e.left, l, e);
    const eq = e.op === '==';
    for (let i = 0; i < out.length; i++) {
      const a = l.v[i];
      const b = r.v[i];
      out[i] = a === null || b === null || a === undefined || b === undefined ? NaN : (a === b) === eq ? 1 : 0;
    }
    return { kind: 'num', v: out };
  }

  /** x %in% c(...): 1 if x is one of the values, else 0; a missing x matches only NA (R's match). */
  private inList(e: Expr & { type: 'binary' }): NumValue {
    const x = this.eval(e.left);
    const items = e.right.type === 'call' ? e.right.args : [e.right];
    const out = new Float64Array(this.n);
    const hasNA = items.some((it) => it.type === 'const' && it.name === 'NA');
    if (x.kind === 'num') {
      const set = new Set<number>();
      for (const it of items) {
        if (it.type === 'str') throw new DataError(`${deparse(e.left)} is numeric but ${deparse(it)} is text in ${deparse(e)}`);
        const v = this.eval(it);
        if (v.kind === 'num' && this.n > 0 && !Number.isNaN(v.v[0]!)) set.add(v.v[0]!);
      }
      for (let i = 0; i < out.length; i++) {
        const a = x.v[i]!;
        out[i] = Number.isNaN(a) ? (hasNA ? 1 : 0) : set.has(a) ? 1 : 0;
      }
      return { kind: 'num', v: out };
    }
    const set = new Set<string>();
    for (const it of items) {
      if (it.type === 'const' && it.name === 'NA') continue;
      if (it.type !== 'str') throw new DataError(`${deparse(e.left)} is text but ${deparse(it)} is not a string in ${deparse(e)}`, { hint: 'quote the values: c("M1", "M2")' });
      checkLevels(it, e.left, x, e);
      set.add(it.value);
    }
    for (let i = 0; i < out.length; i++) {
      const a = x.v[i];
      out[i] = a === null || a === undefined ? (hasNA ? 1 : 0) : set.has(a) ? 1 : 0;
    }
    return { kind: 'num', v: out };
  }

  private call(e: Expr & { type: 'call' }): Value {
    const args = e.args;
    switch (e.fn) {
      case 'I':
        return this.eval(args[0]!);
      case 'is_missing': {
        const v = this.eval(args[0]!);
        const out = new Float64Array(this.n);
        for (let i = 0; i < out.length; i++) out[i] = v.kind === 'num' ? (Number.isNaN(v.v[i]!) ? 1 : 0) : v.v[i] === null ? 1 : 0;
        return { kind: 'num', v: out };
      }
      case 'if_else':
        return this.ifElse(e);
      case 'pmin':
      case 'pmax': {
        const xs = args.map((a) => this.num(a, e));
        const out = new Float64Array(this.n);
        const pick = e.fn === 'pmin' ? Math.min : Math.max; // Math.min/max give NaN if any argument is NaN, as R without na.rm
        for (let i = 0; i < out.length; i++) out[i] = pick(...xs.map((x) => x[i]!));
        return { kind: 'num', v: out };
      }
      case 'log':
      case 'round': {
        const x = this.num(args[0]!, e);
        const second = args[1] === undefined ? undefined : this.num(args[1], e);
        const out = new Float64Array(this.n);
        for (let i = 0; i < out.length; i++) {
          const b = second === undefined ? undefined : second[i]!;
          out[i] = e.fn === 'log' ? (b === undefined ? Math.log(x[i]!) : Math.log(x[i]!) / Math.log(b)) : roundR(x[i]!, b ?? 0);
        }
        return { kind: 'num', v: out };
      }
      default: {
        const f = MATH[e.fn];
        if (f === undefined) throw new DataError(`unknown function "${e.fn}"`);
        const x = this.num(args[0]!, e);
        return { kind: 'num', v: x.map(f) };
      }
    }
  }

  /** if_else(cond, yes, no) as dplyr: missing where cond is missing; yes and no must both be numbers or both text (NA fits either). */
  private ifElse(e: Expr & { type: 'call' }): Value {
    const cond = this.num(e.args[0]!, e);
    const isNA = (x: Expr): boolean => x.type === 'const' && x.name === 'NA';
    let yes = this.eval(e.args[1]!);
    let no = this.eval(e.args[2]!);
    if (yes.kind === 'num' && no.kind === 'text' && isNA(e.args[1]!)) yes = { kind: 'text', v: new Array<null>(this.n).fill(null) };
    if (no.kind === 'num' && yes.kind === 'text' && isNA(e.args[2]!)) no = { kind: 'text', v: new Array<null>(this.n).fill(null) };
    if (yes.kind === 'num' && no.kind === 'num') {
      const out = new Float64Array(this.n);
      for (let i = 0; i < out.length; i++) {
        const c = cond[i]!;
        out[i] = Number.isNaN(c) ? NaN : c !== 0 ? yes.v[i]! : no.v[i]!;
      }
      return { kind: 'num', v: out };
    }
    if (yes.kind === 'text' && no.kind === 'text') {
      const out = new Array<string | null>(this.n);
      for (let i = 0; i < out.length; i++) {
        const c = cond[i]!;
        out[i] = Number.isNaN(c) ? null : c !== 0 ? yes.v[i]! : no.v[i]!;
      }
      return { kind: 'text', v: out, levels: yes.levels ?? no.levels };
    }
    throw new DataError(`if_else() needs yes and no of the same type (both numbers or both text) in ${deparse(e)}`);
  }
}

/** `mrs90 is text (a factor; row 1 holds "mRS 3")`: which operand, and a value of it with its row. */
function describeText(e: Expr, v: TextValue): string {
  const i = v.v.findIndex((x) => x !== null);
  const sample = i < 0 ? '' : `; row ${i + 1} holds ${JSON.stringify(v.v[i]!.length > 40 ? `${v.v[i]!.slice(0, 40)}…` : v.v[i])}`;
  return `${deparse(e)} is text (${v.levels === undefined ? 'a string' : 'a factor'}${sample})`;
}

/** For a column read as text whose values hold a number (`mRS 3`): how to read the number in load. */
function textHint(e: Expr, v: TextValue, otherwise: string): string {
  const sample = v.v.find((x) => x !== null);
  if (e.type !== 'col' || sample === undefined || !/\d/.test(sample)) return otherwise;
  const m = /^(\D*?)\s*(\d+(?:\.\d+)?)\s*(\D*)$/.exec(sample);
  // a single-quoted YAML string keeps the backslash as written
  const literal = (t: string): string => t.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = m === null ? '(\\d+)' : `${literal(m[1]!) === '' ? '' : `${literal(m[1]!)} ?`}(\\d+)${literal(m[3]!) === '' ? '' : ` ?${literal(m[3]!)}`}`;
  return `if ${e.name} holds numbers written as text (such as ${JSON.stringify(sample)}), read the number in the load step: ${e.name}: {type: integer, pattern: '${pattern}'} (or map each value with values: {…}); or ${otherwise}`;
}

/** A string literal compared with a factor column must be one of its levels: a typo would otherwise silently match nothing. */
function checkLevels(literal: Expr, other: Expr, otherValue: TextValue, whole: Expr): void {
  const levels = otherValue.levels;
  if (literal.type !== 'str' || other.type !== 'col' || levels === undefined || levels.includes(literal.value)) return;
  throw new DataError(`"${literal.value}" is not a level of ${deparse(other)} in ${deparse(whole)}${didYouMean(literal.value, levels)}`, {
    hint: `the levels are ${listNames(levels)}`,
  });
}

const compareOp = (f: (a: number, b: number) => boolean) => (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : f(a, b) ? 1 : 0);

const ARITHMETIC: Readonly<Record<Exclude<BinaryOp, '%in%'>, (a: number, b: number) => number>> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  // R: 1^y and x^0 are 1 even for a missing operand.
  '^': (a, b) => (a === 1 || b === 0 ? 1 : a ** b),
  '%%': moduloR,
  '==': compareOp((a, b) => a === b),
  '!=': compareOp((a, b) => a !== b),
  '<': compareOp((a, b) => a < b),
  '<=': compareOp((a, b) => a <= b),
  '>': compareOp((a, b) => a > b),
  '>=': compareOp((a, b) => a >= b),
  // Three-valued logic as R: FALSE & NA is FALSE, TRUE | NA is TRUE; any non-zero number is TRUE.
  '&': (a, b) => (a === 0 || b === 0 ? 0 : Number.isNaN(a) || Number.isNaN(b) ? NaN : 1),
  '|': (a, b) => ((a !== 0 && !Number.isNaN(a)) || (b !== 0 && !Number.isNaN(b)) ? 1 : Number.isNaN(a) || Number.isNaN(b) ? NaN : 0),
};

const MATH: Readonly<Record<string, ((x: number) => number) | undefined>> = Object.assign(Object.create(null) as Record<string, (x: number) => number>, {
  log10: Math.log10,
  log2: Math.log2,
  exp: Math.exp,
  sqrt: Math.sqrt,
  cbrt: Math.cbrt,
  abs: Math.abs,
  floor: Math.floor,
  ceiling: Math.ceil,
});

/**
 * R's x %% y (myfmod in R's arithmetic.c): x - floor(x / y) * y, with the sign of the divisor, reduced
 * once more into [0, y) — R takes the product in long double, here it is exact (Dekker's two-product),
 * so 1 %% 0.1 is 0.09999999999999995 as in R, not 0. x %% 0 is NaN; for finite x and a y so large that
 * |y|·ε > 1 (±Inf included), x %% y is x, or x + y when their signs differ, and 0 when |x| = |y|.
 */
export function moduloR(x: number, y: number): number {
  if (y === 0) return NaN;
  const ay = Math.abs(y);
  if (ay * Number.EPSILON > 1 && Number.isFinite(x) && Math.abs(x) <= ay) {
    return Math.abs(x) === ay ? 0 : (x < 0 && y > 0) || (y < 0 && x > 0) ? x + y : x;
  }
  const [p, e] = twoProduct(Math.floor(x / y), y);
  const r = Number.isFinite(p) ? x - p - e : x - p;
  return r - Math.floor(r / y) * y;
}

/** a·b = p + e exactly, p the rounded product (Dekker 1971, with Veltkamp's split). */
function twoProduct(a: number, b: number): [number, number] {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function split(a: number): [number, number] {
  const c = 134217729 * a; // 2^27 + 1
  const hi = c - (c - a);
  return [hi, a - hi];
}

/**
 * R's round(x, digits) (R >= 4.0.0): of the two candidates with `digits` decimals around x, the one
 * nearer to x in double arithmetic; on an exact tie the one whose last digit is even (IEC 60559).
 * round(0.5) = 0, round(2.5) = 2, round(0.15, 1) = 0.1, round(1250, -2) = 1200.
 */
export function roundR(x: number, digits: number): number {
  if (!Number.isFinite(x) || Number.isNaN(digits)) return Number.isNaN(digits) ? NaN : x;
  const d = Math.trunc(digits);
  if (d > 15) return x;
  const p = 10 ** d;
  const y = x * p;
  if (!Number.isFinite(y)) return x;
  const lo = Math.floor(y);
  const hi = Math.ceil(y);
  if (lo === hi) return x;
  const xlo = lo / p;
  const xhi = hi / p;
  const dlo = x - xlo;
  const dhi = xhi - x;
  if (dlo < dhi) return xlo;
  if (dhi < dlo) return xhi;
  return lo % 2 === 0 ? xlo : xhi;
}
