/**
 * A multiply-imputed set in mice's long format, as `mice::complete(imp, "long")` returns it: the m
 * completed data sets stacked, imputation 1 first, each row with `.imp` (1..m) and `.id` (the row's
 * number in the original data, 1-based), then the data's columns. Written as `<step>.long.csv` by an
 * impute step with `long: true`, so the imputations can be checked (and analysed) in R.
 */
import { completed, type ImputedArtifact } from '../data/artifact.js';
import { makeTable, type Column, type Table } from '../data/table.js';

export function longTable(a: ImputedArtifact): Table {
  const n = a.original.nrows;
  const sets = Array.from({ length: a.m }, (_, k) => completed(a, k));
  const imp = new Float64Array(n * a.m);
  const id = new Float64Array(n * a.m);
  for (let k = 0; k < a.m; k++) for (let i = 0; i < n; i++) {
    imp[k * n + i] = k + 1;
    id[k * n + i] = i + 1;
  }
  const cols: [string, Column][] = [
    ['.imp', { type: 'number', values: imp }],
    ['.id', { type: 'number', values: id }],
  ];
  for (const [name, col] of a.original.columns) {
    const parts = sets.map((t) => t.columns.get(name)!);
    switch (col.type) {
      case 'number':
        cols.push([name, { type: 'number', values: Float64Array.from(parts.flatMap((p) => Array.from((p as typeof col).values))) }]);
        break;
      case 'factor':
        cols.push([name, { type: 'factor', levels: col.levels, codes: Int32Array.from(parts.flatMap((p) => Array.from((p as typeof col).codes))) }]);
        break;
      case 'string':
        cols.push([name, { type: 'string', values: parts.flatMap((p) => (p as typeof col).values) }]);
        break;
    }
  }
  return makeTable(cols);
}
