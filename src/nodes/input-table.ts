/**
 * The table a data step reads from one of its inputs (`input: cohort`): the input's `table` artifact,
 * or a DataError saying what the referenced step produces instead.
 */
import type { StepInputs } from './kind.js';
import type { Table } from '../data/table.js';
import { DataError, InternalError } from '../errors.js';

export function inputTable(inputs: StepInputs, name: string, kind: string): Table {
  const artifact = inputs.get(name);
  if (artifact === undefined) throw new InternalError(`the output of step "${name}" was not handed to a ${kind} step`);
  switch (artifact.type) {
    case 'table':
      return artifact.table;
    case 'imputed':
      throw new DataError(`${kind} reads a data table, but step "${name}" produces a multiply-imputed data set`, {
        hint: `point ${kind} at the step before the imputation, or fit models on the imputed set directly`,
      });
    case 'result':
      throw new DataError(`${kind} reads a data table, but step "${name}" produces a result, not a table`, {
        hint: 'point input: at a load, filter, derive or simulate step',
      });
  }
}
