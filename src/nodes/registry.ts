/** Every step kind, by its YAML name. Adding a kind = one import and one entry here. */
import type { StepKind } from './kind.js';
import { bootstrap } from './bootstrap.js';
import { compare } from './compare.js';
import { derive } from './derive.js';
import { describe } from './describe.js';
import { filter } from './filter.js';
import { impute } from './impute.js';
import { join } from './join.js';
import { fitLinearStep } from './fit_linear.js';
import { fitLogisticStep } from './fit_logistic.js';
import { fitOrdinalStep } from './fit_ordinal.js';
import { load } from './load.js';
import { mediate } from './mediate.js';
import { report } from './report.js';
import { simulate } from './simulate.js';
import { simulateTruth } from './simulate_truth.js';
import { subset } from './subset.js';
import { volumeDelta } from './volume_delta.js';

// Each kind is typed by its own parameters: the list only needs their names (the map erases the types).
const kinds: readonly Pick<StepKind, 'kind'>[] = [
  load,
  filter,
  subset,
  derive,
  join,
  describe,
  simulate,
  simulateTruth,
  fitLinearStep,
  fitLogisticStep,
  fitOrdinalStep,
  impute,
  mediate,
  compare,
  bootstrap,
  volumeDelta,
  report,
];

export const registry: ReadonlyMap<string, StepKind> = new Map(kinds.map((k) => [k.kind, k as unknown as StepKind]));
