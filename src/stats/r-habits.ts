/**
 * Hints for R users: what lesionflow offers where an R habit (a function of R's formulas, a name R
 * would accept) is not part of its expression language. Used by the expression and formula parsers
 * when they meet an unknown function or an unexpected character.
 */

/** R functions that have another spelling, or another place, in lesionflow. */
const R_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['factor', 'a factor is declared where the data are read: in the load step, columns: {x: factor} (or {type: factor, levels: [...]}, first level = reference); then write x'],
  ['as.factor', 'a factor is declared where the data are read: in the load step, columns: {x: factor}; then write x'],
  ['ordered', 'declare the column as a factor with its levels in order in the load step: {type: factor, levels: [...]}'],
  ['relevel', 'write the factor itself, and choose its reference level with reference: {x: level} in the fit step (or reference: in the load step)'],
  ['C', 'contrasts are treatment contrasts against the first level: choose it with reference: {x: level} in the fit step'],
  ['poly', 'write the powers as terms, x + I(x^2) (raw, not orthogonal, polynomials), or use rcs(x, k) for a smooth curve'],
  ['ns', 'use rcs(x, k): a restricted (natural) cubic spline with k knots at Harrell\'s quantiles, as rms::rcs'],
  ['bs', 'use rcs(x, k): a restricted cubic spline with k knots, as rms::rcs'],
  ['as.numeric', 'declare the column in the load step: columns: {x: number}'],
  ['as.integer', 'declare the column in the load step: columns: {x: integer}'],
  ['ifelse', 'write if_else(condition, yes, no)'],
  ['is.na', 'write is_missing(x)'],
  ['log1p', 'write log(x + 1)'],
  ['scale', 'write I((x - centre) / scale) with the numbers you choose'],
  ['offset', 'offsets are not supported'],
  ['strata', 'stratified models are not supported; fit within each stratum (a subset step swept over its values)'],
]);

/** The hint for an unknown function `fn`, if R users reach for it. */
export function rFunctionHint(fn: string): string | undefined {
  return R_FUNCTIONS.get(fn);
}

/**
 * The hint for an unexpected character at `at` of `src` that is a letter outside A–Z (R accepts `Âge` as
 * a name in a UTF-8 locale): the whole name, backquoted.
 */
export function nonAsciiNameHint(src: string, at: number): string | undefined {
  if (!/\p{L}/u.test(src[at] ?? '')) return undefined;
  const word = /[\p{L}\p{N}._]/u;
  let a = at;
  while (a > 0 && word.test(src[a - 1]!)) a--;
  let b = at;
  while (b < src.length && word.test(src[b]!)) b++;
  const name = src.slice(a, b);
  return `a name with letters other than A–Z is written in backquotes: \`${name}\`; or rename the column in the load step (rename: {${name}: …})`;
}
