/**
 * The patient-flow section: the flow a step's output carries (src/results/flow.ts) as a table — per
 * box, the patients in, excluded and out (per arm when the flow has an arm column) with the reason —
 * and as the boxes of the CONSORT-style diagram (figures/flow.ts). The counts are checked to add up.
 */
import { DataError } from '../../errors.js';
import { flowProblems, type Flow, type FlowBox } from '../../results/flow.js';
import type { FlowDiagramBox } from '../figures/flow.js';
import type { PaperTable, TableRow } from '../table.js';

/** An arm's display name: its `groups:` label, else `evt = 1`. */
export type ArmLabel = (arm: string) => string;

export function armLabeller(column: string | null, groups: ReadonlyMap<string, string> | undefined): ArmLabel {
  return (arm) => groups?.get(arm) ?? (column === null ? arm : `${column} = ${arm}`);
}

/** Arms in display order: those `groups:` names first, in its order, then the others as first seen. */
function orderedArms(b: FlowBox, groups: ReadonlyMap<string, string> | undefined): FlowBox['arms'] {
  const keys = [...(groups?.keys() ?? [])];
  const rank = (a: string): number => (keys.includes(a) ? keys.indexOf(a) : keys.length);
  return [...b.arms].sort((x, y) => rank(x.arm) - rank(y.arm));
}

export function boxTitle(b: FlowBox): string {
  return `${b.step} (${b.kind})`;
}

/** Throws when the flow does not add up (a bug in the steps that recorded it, never the user's data). */
export function checkFlow(flow: Flow, step: string): void {
  const problems = flowProblems(flow);
  if (problems.length > 0) throw new DataError(`report: the patient flow of step "${step}" does not add up: ${problems.join('; ')}`, { step, hint: 'this is a bug in lesionflow: please report it with the spec' });
}

export function flowDiagram(flow: Flow, groups: ReadonlyMap<string, string> | undefined): FlowDiagramBox[] {
  const label = armLabeller(flow.arm, groups);
  return flow.boxes.map((b, i) => {
    const arms = orderedArms(b, groups);
    const excluded = b.in - b.out;
    return {
      title: boxTitle(b),
      out: b.out,
      arms: arms.length === 0 ? undefined : arms.map((a) => `${label(a.arm)} ${a.out}`).join(' · '),
      note: i > 0 && excluded === 0 ? b.reason : undefined,
      excluded: i === 0 || excluded === 0 ? undefined : { n: excluded, reason: b.reason, arms: arms.length === 0 ? undefined : arms.map((a) => `${label(a.arm)} ${a.in - a.out}`).join(' · ') },
    };
  });
}

export function flowTable(caption: string, flow: Flow, groups: ReadonlyMap<string, string> | undefined): PaperTable {
  const label = armLabeller(flow.arm, groups);
  const armKeys = flow.boxes.length === 0 ? [] : orderedArms(flow.boxes[0]!, groups).map((a) => a.arm);
  const body: TableRow[] = flow.boxes.map((b, i) => ({
    cells: [
      `${i + 1}. ${boxTitle(b)}`,
      String(b.in),
      String(b.in - b.out),
      String(b.out),
      ...armKeys.map((k) => String(b.arms.find((a) => a.arm === k)?.out ?? 0)),
      { text: b.reason, align: 'left' as const },
    ],
  }));
  return {
    caption,
    className: 'flow',
    head: [['Step', 'In', 'Excluded', 'Out', ...armKeys.map((k) => `${label(k)}, out`), { text: 'Reason', align: 'left' }]],
    body,
    notes: [
      'Each step’s patients in, excluded and out, in the order the pipeline applied them; a step that excluded nobody and changed nothing is not listed. Each box’s in equals the previous box’s out (checked).',
      ...(flow.boxes.some((b) => b.reason.startsWith('missing model variables')) ? ['Missing model variables: rows missing each variable; a row missing several is counted under each.'] : []),
    ],
  };
}
