/** A Table from the `data` object of an R fixture (jsonlite): numeric arrays with null for NA, factors as {levels, codes}. */
import { type Column, type Table, makeTable } from '../../src/data/table.js';

export type FixtureColumn = readonly (number | null)[] | { readonly levels: readonly string[]; readonly codes: readonly number[] };

export function fixtureTable(data: Readonly<Record<string, FixtureColumn>>): Table {
  return makeTable(
    Object.entries(data).map(([name, c]): [string, Column] =>
      Array.isArray(c)
        ? [name, { type: 'number', values: Float64Array.from(c as readonly (number | null)[], (v) => (v === null ? NaN : v)) }]
        : [name, { type: 'factor', levels: (c as { levels: readonly string[] }).levels, codes: Int32Array.from((c as { codes: readonly number[] }).codes) }],
    ),
  );
}
