/** `lesionflow dag <spec> [--format text|mermaid|dot]`: the step graph, in run order. */
import type { Pipeline } from '../pipeline.js';
import { loadPipeline } from '../spec.js';
import type { CommandResult } from './result.js';
import { specFailure } from './validate.js';
import type { SpecCommandOptions } from './validate.js';

export const DAG_FORMATS = ['text', 'mermaid', 'dot'] as const;
export type DagFormat = (typeof DAG_FORMATS)[number];

export async function dagCommand(options: SpecCommandOptions & { readonly format?: string | undefined }): Promise<CommandResult> {
  const format = options.format ?? 'text';
  if (!(DAG_FORMATS as readonly string[]).includes(format)) {
    return { exitCode: 2, stdout: '', stderr: `error: unknown --format "${format}"\n  hint: use one of ${DAG_FORMATS.join(', ')}\n` };
  }
  try {
    const pipeline = await loadPipeline(options.spec, { set: options.set, registry: options.registry });
    return { exitCode: 0, stdout: renderDag(pipeline, format as DagFormat), stderr: '' };
  } catch (e) {
    return specFailure(e);
  }
}

export function renderDag(pipeline: Pipeline, format: DagFormat): string {
  const steps = [...pipeline.steps.values()];
  switch (format) {
    case 'text':
      // One line per step in run order: `name (kind) ← inputs`.
      return steps.map((s) => `${s.name} (${s.kind.kind})${s.inputs.length === 0 ? '' : ` ← ${s.inputs.join(', ')}`}\n`).join('');
    case 'mermaid': {
      // Instance names hold [ ] = , which mermaid ids cannot: number the nodes, quote the labels.
      const id = new Map(steps.map((s, i) => [s.name as string, `s${i}`]));
      const lines = ['flowchart LR'];
      for (const s of steps) lines.push(`  ${id.get(s.name)!}["${mermaidText(s.name)}<br/><i>${mermaidText(s.kind.kind)}</i>"]`);
      for (const s of steps) for (const i of s.inputs) lines.push(`  ${id.get(i)!} --> ${id.get(s.name)!}`);
      return `${lines.join('\n')}\n`;
    }
    case 'dot': {
      const lines = [`digraph ${dotString(pipeline.name)} {`, '  rankdir=LR;', '  node [shape=box];'];
      for (const s of steps) lines.push(`  ${dotString(s.name)} [label=${dotString(`${s.name}\n${s.kind.kind}`)}];`);
      for (const s of steps) for (const i of s.inputs) lines.push(`  ${dotString(i)} -> ${dotString(s.name)};`);
      lines.push('}');
      return `${lines.join('\n')}\n`;
    }
    default: {
      const never: never = format;
      throw new Error(`unknown format ${String(never)}`);
    }
  }
}

function mermaidText(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
