/** Stable topological order and cycle detection (unit), and the `dag` command's three formats. */
import { describe, expect, it } from 'vitest';
import { renderDag } from '../../src/runner/commands/dag.js';
import { cyclePath, findCycles, topologicalOrder } from '../../src/runner/dag.js';
import type { DagNode } from '../../src/runner/dag.js';
import { analyse, yaml } from './spec-helpers.js';

const at = (line: number) => ({ file: 'spec.yaml', line, col: 1 });
const node = (name: string, ...reads: string[]): DagNode => ({ name, edges: reads.map((to, i) => ({ to, location: at(i + 1) })) });

describe('topologicalOrder', () => {
  it('places each step after its inputs, ties broken by spec order', () => {
    const r = topologicalOrder([node('d', 'b', 'c'), node('c', 'a'), node('b', 'a'), node('a'), node('e')]);
    // a and e are ready first; a is written before e, and d (written first) as soon as it is ready.
    expect(r).toEqual({ ok: true, order: ['a', 'c', 'b', 'd', 'e'] });
  });

  it('is not quadratic on a long chain and a wide fan', () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => node(`s${i}`, ...(i === 0 ? [] : [`s${i - 1}`])));
    const r = topologicalOrder([...chain].reverse());
    expect(r.ok && r.order[0]).toBe('s0');
    expect(r.ok && r.order[19_999]).toBe('s19999');
  });

  it('finds each cycle with its full path; a self-reference is a cycle of one', () => {
    const r = topologicalOrder([node('a', 'c'), node('b', 'a'), node('c', 'b'), node('x', 'x'), node('ok', 'a')]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.cycles.map(cyclePath)).toEqual(['a → c → b → a', 'x → x']);
    expect(r.cycles[0]!.edges.map((e) => e.to)).toEqual(['c', 'b', 'a']);
  });

  it('reports the shortest cycle through the first step of a tangled component, without recursion limits', () => {
    expect(findCycles([node('a', 'b'), node('b', 'c', 'a'), node('c', 'a')]).map(cyclePath)).toEqual(['a → b → a']);
    const ring = Array.from({ length: 50_000 }, (_, i) => node(`s${i}`, `s${(i + 1) % 50_000}`));
    expect(findCycles(ring)[0]!.steps).toHaveLength(50_000);
  });
});

describe('dag formats', () => {
  const p = analyse(yaml`
    name: demo
    seed: 1
    steps:
      cohort: {kind: load, path: x.csv}
      fit: {kind: fit, input: cohort, outcome: y, foreach: {modality: [CT, MRI]}}
      table: {kind: compare, fits: [fit]}
  `);

  it('text: one line per step in run order with its inputs', () => {
    expect(renderDag(p, 'text')).toBe([
      'cohort (load)',
      'fit[modality=CT] (fit) ← cohort',
      'fit[modality=MRI] (fit) ← cohort',
      'table (compare) ← fit[modality=CT], fit[modality=MRI]',
      '',
    ].join('\n'));
  });

  it('mermaid: numbered ids, quoted labels', () => {
    expect(renderDag(p, 'mermaid')).toBe([
      'flowchart LR',
      '  s0["cohort<br/><i>load</i>"]',
      '  s1["fit[modality=CT]<br/><i>fit</i>"]',
      '  s2["fit[modality=MRI]<br/><i>fit</i>"]',
      '  s3["table<br/><i>compare</i>"]',
      '  s0 --> s1',
      '  s0 --> s2',
      '  s1 --> s3',
      '  s2 --> s3',
      '',
    ].join('\n'));
  });

  it('dot: quoted names, edges from input to reader', () => {
    expect(renderDag(p, 'dot')).toBe([
      'digraph "demo" {',
      '  rankdir=LR;',
      '  node [shape=box];',
      '  "cohort" [label="cohort\\nload"];',
      '  "fit[modality=CT]" [label="fit[modality=CT]\\nfit"];',
      '  "fit[modality=MRI]" [label="fit[modality=MRI]\\nfit"];',
      '  "table" [label="table\\ncompare"];',
      '  "cohort" -> "fit[modality=CT]";',
      '  "cohort" -> "fit[modality=MRI]";',
      '  "fit[modality=CT]" -> "table";',
      '  "fit[modality=MRI]" -> "table";',
      '}',
      '',
    ].join('\n'));
  });
});
