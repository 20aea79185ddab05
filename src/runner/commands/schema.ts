/** `lesionflow schema [--write FILE]`: prints the JSON Schema of a spec, or writes it (atomically) to FILE. */
import { rename, writeFile } from 'node:fs/promises';
import type { Kind } from '../../nodes/kind.js';
import { registry as defaultRegistry } from '../../nodes/registry.js';
import { schemaText } from '../schema.js';
import type { CommandResult } from './result.js';

export interface SchemaCommandOptions {
  readonly write?: string | undefined;
  readonly registry?: ReadonlyMap<string, Kind> | undefined;
}

export async function schemaCommand(options: SchemaCommandOptions = {}): Promise<CommandResult> {
  const text = schemaText(options.registry ?? defaultRegistry);
  if (options.write === undefined) return { exitCode: 0, stdout: text, stderr: '' };
  const tmp = `${options.write}.lesionflow-tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, options.write);
  return { exitCode: 0, stdout: `wrote ${options.write}\n`, stderr: '' };
}
