/**
 * Spec-time checking of expression parameters (`filter where:`, `derive columns:`): a malformed
 * expression is reported by `lesionflow validate` at its parameter, with the offset inside it.
 */
import { ExpressionSyntaxError, parseExpression, type Expr } from '../stats/expr.js';
import { SpecError } from '../errors.js';

export interface CheckProblem {
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
}

const EXPRESSIONS_HINT = 'the expression language (operators, functions, quoting) is described in docs/expressions.md';

/** The problem with `src`, or undefined when it parses. */
export function expressionProblem(path: string, src: string): CheckProblem | undefined {
  try {
    parseExpression(src);
    return undefined;
  } catch (e) {
    if (!(e instanceof ExpressionSyntaxError)) throw e;
    return { path, message: `${e.reason} at character ${e.offset + 1} of ${JSON.stringify(src)}`, hint: e.hint ?? EXPRESSIONS_HINT };
  }
}

/** Parses an expression parameter at run time (already checked at validation, so a failure names the parameter). */
export function parseParam(path: string, src: string, step: string): Expr {
  try {
    return parseExpression(src);
  } catch (e) {
    if (!(e instanceof ExpressionSyntaxError)) throw e;
    throw new SpecError(`${path}: ${e.reason} at character ${e.offset + 1} of ${JSON.stringify(src)}`, { hint: e.hint, step });
  }
}
