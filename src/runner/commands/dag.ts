/**
 * `lesionflow dag <spec> [--format text|mermaid|dot] [--status]`: the step graph, in run order. With
 * `--status`, each step is marked as `plan` sees it (cached, will run, may run, failed in the last run,
 * error): a word in text, a fill colour in mermaid and dot.
 */
import type { Pipeline } from '../pipeline.js';
import { loadPipeline } from '../spec.js';
import type { CommandResult } from './result.js';
import { specFailure } from './validate.js';
import type { SpecCommandOptions } from './validate.js';

export const DAG_FORMATS = ['text', 'mermaid', 'dot'] as const;
export type DagFormat = (typeof DAG_FORMATS)[number];

/** A step's state for `--status`: plan's, with "will run because it failed in the last run" as its own. */
export type DagStatus = 'cached' | 'run' | 'may-run' | 'failed' | 'error';

const STATUS_LABEL: Record<DagStatus, string> = { cached: 'cached', run: 'will run', 'may-run': 'may run', failed: 'failed', error: 'error' };
/** Fill and stroke per state (colour-blind-safe pairs, readable in print). */
const STATUS_COLOUR: Record<DagStatus, { fill: string; stroke: string }> = {
  cached: { fill: '#d9f0d3', stroke: '#1b7837' },
  run: { fill: '#fee0b6', stroke: '#b35806' },
  'may-run': { fill: '#fff7bc', stroke: '#a6861c' },
  failed: { fill: '#f4a582', stroke: '#b2182b' },
  error: { fill: '#d6604d', stroke: '#67001f' },
};

export async function dagCommand(
  options: SpecCommandOptions & { readonly format?: string | undefined; readonly status?: boolean; readonly outputs?: string | undefined; readonly cwd?: string },
): Promise<CommandResult> {
  const format = options.format ?? 'text';
  if (!(DAG_FORMATS as readonly string[]).includes(format)) {
    return { exitCode: 2, stdout: '', stderr: `error: unknown --format "${format}"\n  hint: use one of ${DAG_FORMATS.join(', ')}\n` };
  }
  let pipeline: Pipeline;
  try {
    pipeline = await loadPipeline(options.spec, { set: options.set, registry: options.registry });
  } catch (e) {
    return specFailure(e);
  }
  if (options.status !== true) return { exitCode: 0, stdout: renderDag(pipeline, format as DagFormat), stderr: '' };
  const [{ planPipeline }, { outputsDirOf, projectRoot }] = await Promise.all([import('./plan.js'), import('./io.js')]);
  const plan = await planPipeline(pipeline, outputsDirOf({ ...(options.outputs === undefined ? {} : { outputs: options.outputs }), ...(options.cwd === undefined ? {} : { cwd: options.cwd }) }), projectRoot(pipeline));
  const status = new Map<string, DagStatus>(plan.map((p) => [p.step, p.state === 'run' && p.reasons.includes('failed in the last run') ? 'failed' : p.state]));
  return { exitCode: 0, stdout: renderDag(pipeline, format as DagFormat, status), stderr: '' };
}

export function renderDag(pipeline: Pipeline, format: DagFormat, status?: ReadonlyMap<string, DagStatus>): string {
  const steps = [...pipeline.steps.values()];
  const used = status === undefined ? [] : (Object.keys(STATUS_LABEL) as DagStatus[]).filter((st) => [...status.values()].includes(st));
  switch (format) {
    case 'text': {
      // One line per step in run order: `name (kind) ← inputs`, with `  [state]` for --status.
      const lines = steps.map((s) => `${s.name} (${s.kind.kind})${s.inputs.length === 0 ? '' : ` ← ${s.inputs.join(', ')}`}`);
      if (status === undefined) return lines.map((l) => `${l}\n`).join('');
      const w = Math.max(...lines.map((l) => l.length));
      return steps.map((s, i) => `${lines[i]!.padEnd(w)}  [${STATUS_LABEL[status.get(s.name) ?? 'error']}]\n`).join('');
    }
    case 'mermaid': {
      // Instance names hold [ ] = , which mermaid ids cannot: number the nodes, quote the labels.
      const id = new Map(steps.map((s, i) => [s.name as string, `s${i}`]));
      const lines = ['flowchart LR'];
      for (const s of steps) lines.push(`  ${id.get(s.name)!}["${mermaidText(s.name)}<br/><i>${mermaidText(s.kind.kind)}</i>"]`);
      for (const s of steps) for (const i of s.inputs) lines.push(`  ${id.get(i)!} --> ${id.get(s.name)!}`);
      if (status !== undefined) {
        for (const st of used) {
          const c = STATUS_COLOUR[st];
          lines.push(`  classDef ${classOf(st)} fill:${c.fill},stroke:${c.stroke},color:#000`);
          lines.push(`  class ${steps.filter((s) => status.get(s.name) === st).map((s) => id.get(s.name)!).join(',')} ${classOf(st)}`);
        }
        // A legend, as a subgraph of one node per state shown.
        lines.push('  subgraph legend [" "]');
        for (const st of used) lines.push(`    legend_${classOf(st)}["${STATUS_LABEL[st]}"]:::${classOf(st)}`);
        lines.push('  end');
      }
      return `${lines.join('\n')}\n`;
    }
    case 'dot': {
      const lines = [`digraph ${dotString(pipeline.name)} {`, '  rankdir=LR;', `  node [shape=box${status === undefined ? '' : ', style=filled'}];`];
      for (const s of steps) {
        const st = status?.get(s.name);
        const c = st === undefined ? '' : `, fillcolor=${dotString(STATUS_COLOUR[st].fill)}, color=${dotString(STATUS_COLOUR[st].stroke)}, tooltip=${dotString(STATUS_LABEL[st])}`;
        lines.push(`  ${dotString(s.name)} [label=${dotString(`${s.name}\n${s.kind.kind}${st === undefined ? '' : `\n(${STATUS_LABEL[st]})`}`)}${c}];`);
      }
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

function classOf(st: DagStatus): string {
  return st.replace('-', '_');
}

function mermaidText(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
