/**
 * Small step kinds defined by the tests of spec analysis (the real registry grows as kinds land):
 * they exercise inputs, lists of inputs, defaults, enums, nested objects, check() and subgraphs.
 */
import type { Kind, ReplicateKind, StepKind } from '../../src/nodes/kind.js';

const notRun = (): never => {
  throw new Error('fake kinds are not run');
};

export const load: StepKind = {
  kind: 'load',
  version: 1,
  summary: 'Read a CSV file.',
  params: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'the CSV file, relative to the spec' },
      columns: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          properties: { type: { enum: ['number', 'factor', 'integer'] }, levels: { type: 'array', items: { type: 'string' } } },
          required: ['type'],
          additionalProperties: false,
        },
      },
      na: { type: 'array', items: { type: 'string' }, default: ['', 'NA'] },
    },
    required: ['path'],
    additionalProperties: false,
  },
  inputs: [],
  run: notRun,
};

export const filter: StepKind = {
  kind: 'filter',
  version: 1,
  summary: 'Keep the rows where a condition holds.',
  params: {
    type: 'object',
    properties: { input: { type: 'string' }, where: { type: 'string', description: 'a condition, e.g. fiv_ml < 80' } },
    required: ['input', 'where'],
    additionalProperties: false,
  },
  inputs: ['input'],
  run: notRun,
};

export const fit: StepKind = {
  kind: 'fit',
  version: 1,
  summary: 'Fit a model.',
  params: {
    type: 'object',
    properties: {
      input: { type: 'string' },
      outcome: { type: 'string' },
      covariates: { type: 'array', items: { type: 'string' }, default: [] },
      family: { enum: ['binomial', 'gaussian'], default: 'binomial' },
      max_volume: { type: 'number' },
      iterations: { type: 'integer', minimum: 1, default: 25 },
    },
    required: ['input', 'outcome'],
    additionalProperties: false,
  },
  inputs: ['input'],
  check: (p) => ((p.covariates as string[]).includes(p.outcome as string) ? [{ path: 'covariates', message: `the outcome "${String(p.outcome)}" cannot also be a covariate`, hint: 'remove it from covariates' }] : []),
  run: notRun,
};

export const compare: StepKind = {
  kind: 'compare',
  version: 1,
  summary: 'Tabulate several fits side by side.',
  params: {
    type: 'object',
    properties: { fits: { type: 'array', items: { type: 'string' }, minItems: 1 }, title: { type: 'string', default: 'Comparison' } },
    required: ['fits'],
    additionalProperties: false,
  },
  inputs: ['fits'],
  run: notRun,
};

export const boot: ReplicateKind = {
  kind: 'boot',
  version: 1,
  summary: 'Bootstrap a sub-pipeline.',
  params: {
    type: 'object',
    properties: { from: { type: 'string' }, of: { type: 'string' }, replicates: { type: 'integer', minimum: 1, default: 1000 } },
    required: ['from', 'of'],
    additionalProperties: false,
  },
  inputs: ['from'],
  subPipeline: { from: 'from', of: 'of' },
  random: () => true,
  replicates: notRun,
  summarise: notRun,
};

export const fakeKinds: ReadonlyMap<string, Kind> = new Map<string, Kind>([load, filter, fit, compare, boot].map((k) => [k.kind, k]));
