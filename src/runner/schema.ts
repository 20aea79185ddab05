/**
 * The JSON Schema of a whole spec, assembled from each registered kind's parameter schema. It is what
 * `lesionflow schema` prints and what `schema/pipeline.schema.json` holds, so that an editor with
 * `# yaml-language-server: $schema=../schema/pipeline.schema.json` completes kinds and parameters and
 * flags mistakes as the spec is typed. (The runner itself checks each step against its kind's own
 * schema, for exact messages; this schema is for editors and other tools.)
 *
 * A step is dispatched on `kind` with `if`/`then`: the `kind` property offers every kind with its
 * summary, and once a kind is written the step's other keys are that kind's parameters. Any step
 * parameter may instead be a whole-string `${params.x}` or `${foreach.x}` reference.
 */
import type { Kind } from '../nodes/kind.js';
import { byCodeUnit } from './sweep.js';

const REFERENCE_PATTERN = '^\\$\\{\\s*(params|foreach)\\.[A-Za-z_][A-Za-z0-9_]*\\s*\\}$';

export function pipelineSchema(registry: ReadonlyMap<string, Kind>): Record<string, unknown> {
  const kinds = [...registry.values()].sort((a, b) => byCodeUnit(a.kind, b.kind));
  const defs: Record<string, unknown> = {
    reference: {
      type: 'string',
      pattern: REFERENCE_PATTERN,
      description: 'A whole-string reference to a pipeline parameter or a sweep value; it takes the type of the value.',
    },
    sweepValues: {
      description: 'The values a sweep variable takes (names, numbers or booleans), or a ${params.x} list.',
      anyOf: [
        { type: 'array', minItems: 1, items: { anyOf: [{ type: 'string', pattern: '^[A-Za-z0-9_.+-]+$' }, { type: 'number' }, { type: 'boolean' }] } },
        { $ref: '#/$defs/reference' },
      ],
    },
    foreach: {
      type: 'object',
      description: 'Sweep: expands the step into one instance per value, named step[variable=value].',
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
      additionalProperties: { $ref: '#/$defs/sweepValues' },
      minProperties: 1,
    },
  };
  for (const kind of kinds) {
    // A kind's own `$defs` move to the root under a prefix, and its `#/$defs/…` refs follow them.
    const own = rebase(kind.params, kind.kind) as { $defs?: Record<string, unknown> };
    for (const [name, def] of Object.entries(own.$defs ?? {})) defs[`${kind.kind}.${name}`] = def;
    defs[`step_${kind.kind}`] = stepSchema(kind, own);
  }

  const step: Record<string, unknown> = {
    type: 'object',
    required: ['kind'],
    properties: {
      kind: kinds.length === 0
        ? { type: 'string', description: 'The step kind.' }
        : { description: 'The step kind.', oneOf: kinds.map((k) => ({ const: k.kind, description: k.summary })) },
      description: { type: 'string', description: 'What this step is for (not part of its cache key).' },
      foreach: { $ref: '#/$defs/foreach' },
    },
  };
  if (kinds.length > 0) {
    step.allOf = kinds.map((k) => ({
      if: { properties: { kind: { const: k.kind } }, required: ['kind'] },
      then: { $ref: `#/$defs/step_${k.kind}` },
    }));
  }
  defs.step = step;

  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'lesionflow pipeline spec',
    description: 'A lesionflow pipeline: named steps, each of one kind with its parameters (see docs/spec.md).',
    type: 'object',
    required: ['name', 'seed', 'steps'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', description: 'The pipeline name; outputs go to outputs/<name>/.' },
      description: { type: 'string', description: 'What the pipeline is for.' },
      seed: { type: 'integer', minimum: 0, maximum: 4294967295, description: 'The global seed; enters only the keys of steps that draw random numbers.' },
      params: {
        type: 'object',
        description: 'Pipeline parameters, referenced from steps as ${params.name} and overridden with --set name=value.',
        propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
      },
      groups: {
        type: 'object',
        description: 'Sweeps applied to several steps at once.',
        additionalProperties: {
          type: 'object',
          required: ['foreach', 'steps'],
          additionalProperties: false,
          properties: {
            description: { type: 'string' },
            foreach: { $ref: '#/$defs/foreach' },
            steps: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' }, description: 'The steps swept together.' },
          },
        },
      },
      steps: {
        type: 'object',
        description: 'The steps, by name.',
        minProperties: 1,
        propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_-]*$' },
        additionalProperties: { $ref: '#/$defs/step' },
      },
      metrics: {
        type: 'object',
        description: 'Numbers to follow from run to run (lesionflow runs): each picks a number out of a step\'s result. A swept step gives one metric per instance.',
        propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$' },
        additionalProperties: {
          type: 'object',
          required: ['step', 'path'],
          additionalProperties: false,
          properties: {
            step: { type: 'string', minLength: 1, description: 'The step (or step instance, fit[modality=CT]) whose result holds the number.' },
            path: { type: 'string', minLength: 1, description: 'Where the number is in the result, e.g. coefficients[term=evt].odds_ratio.' },
          },
        },
      },
    },
    $defs: defs,
  };
}

/** One kind's step: its parameters (each also accepting a whole-string reference) plus the runner's keys. */
function stepSchema(kind: Kind, rebased: unknown): Record<string, unknown> {
  const params = rebased as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  const properties: Record<string, unknown> = {
    kind: { const: kind.kind, description: kind.summary },
    description: { type: 'string' },
    foreach: { $ref: '#/$defs/foreach' },
  };
  for (const [name, schema] of Object.entries(params.properties ?? {})) {
    properties[name] = { ...pick(schema, ['description', 'default']), anyOf: [schema, { $ref: '#/$defs/reference' }] };
  }
  return {
    type: 'object',
    description: kind.summary,
    required: ['kind', ...(params.required ?? [])],
    properties,
    additionalProperties: false,
  };
}

function rebase(schema: unknown, prefix: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => rebase(s, prefix));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/') ? `#/$defs/${prefix}.${v.slice('#/$defs/'.length)}` : rebase(v, prefix);
  }
  return out;
}

function pick(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in o) out[k] = o[k];
  return out;
}

/** The schema as committed: two-space JSON with a final newline. */
export function schemaText(registry: ReadonlyMap<string, Kind>): string {
  return `${JSON.stringify(pipelineSchema(registry), null, 2)}\n`;
}
