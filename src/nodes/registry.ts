/** Every step kind, by its YAML name. Adding a kind = one import and one entry here. */
import type { StepKind } from './kind.js';

const kinds: readonly StepKind<never>[] = [
];

export const registry: ReadonlyMap<string, StepKind> = new Map(kinds.map((k) => [k.kind, k as unknown as StepKind]));
