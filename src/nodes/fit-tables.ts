/**
 * The named tables a fit step writes beside its JSON: `coefficients` (lesionflow's column names), and
 * with `broom: true` (the default) broom's `tidy` and `glance` (src/results/broom.ts), made from the
 * result itself through the fitted-model codec, so they cannot disagree with it.
 */
import type { JsonObject } from '../data/canonical.js';
import type { Table } from '../data/table.js';
import { glanceTable, tidyTable } from '../results/broom.js';
import { decodeFittedModel } from '../results/fitted-model.js';

export function fitOutputTables(value: JsonObject, coefficients: Table, params: { readonly broom?: boolean }, step: string): Map<string, Table> {
  const tables = new Map([['coefficients', coefficients]]);
  if (params.broom === false) return tables;
  const fit = decodeFittedModel(value, { step, expected: 'a fitted model', reader: 'broom export' });
  tables.set('tidy', tidyTable(fit));
  tables.set('glance', glanceTable(fit));
  return tables;
}
