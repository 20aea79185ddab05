/**
 * Every step kind, by its YAML name, loaded (for spec analysis, schema and docs). The list itself is in
 * kinds.ts: adding a kind = one line there. No step kind imports this module.
 */
import type { Kind } from './kind.js';
import { kindLoaders, loadKinds } from './kinds.js';

export const registry: ReadonlyMap<string, Kind> = await loadKinds(kindLoaders.keys());
