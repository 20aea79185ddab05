/**
 * The step graph: a stable topological order (ties broken by position in the spec, so the order never
 * depends on hash-map iteration or locale) and cycle detection reporting every cycle with its full
 * path and the location of each reference along it.
 */
import type { SourceLocation } from '../errors.js';

export interface DagEdge {
  /** The step read. */
  readonly to: string;
  /** Where the reading step names it. */
  readonly location: SourceLocation;
}

export interface DagNode {
  readonly name: string;
  /** Steps it reads, each with where the reference is written. */
  readonly edges: readonly DagEdge[];
}

/** One cycle: `steps[0]` reads `steps[1]` … reads `steps[0]`; `edges[i]` is the reference from `steps[i]`. */
export interface Cycle {
  readonly steps: readonly string[];
  readonly edges: readonly DagEdge[];
}

export type OrderResult = { readonly ok: true; readonly order: readonly string[] } | { readonly ok: false; readonly cycles: readonly Cycle[] };

/**
 * Kahn's algorithm with a min-heap on spec position: among the steps whose inputs are all placed,
 * the one written first goes next. Edges to unknown nodes are ignored (reported elsewhere).
 */
export function topologicalOrder(nodes: readonly DagNode[]): OrderResult {
  const index = new Map(nodes.map((n, i) => [n.name, i]));
  const pending = new Array<number>(nodes.length).fill(0);
  const readers: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const to of new Set(n.edges.map((e) => e.to))) {
      const j = index.get(to);
      if (j === undefined) continue;
      pending[i]!++;
      readers[j]!.push(i);
    }
  });
  const heap = new MinHeap();
  pending.forEach((p, i) => {
    if (p === 0) heap.push(i);
  });
  const order: string[] = [];
  for (let i = heap.pop(); i !== undefined; i = heap.pop()) {
    order.push(nodes[i]!.name);
    for (const r of readers[i]!) if (--pending[r]! === 0) heap.push(r);
  }
  if (order.length === nodes.length) return { ok: true, order };
  return { ok: false, cycles: findCycles(nodes, index) };
}

/**
 * One cycle per strongly connected component (Tarjan, iterative so a long chain cannot overflow the
 * stack): the shortest cycle through the component's first step in spec order.
 */
export function findCycles(nodes: readonly DagNode[], index: ReadonlyMap<string, number> = new Map(nodes.map((n, i) => [n.name, i]))): Cycle[] {
  const succ = nodes.map((n) => [...new Set(n.edges.map((e) => index.get(e.to)).filter((j): j is number => j !== undefined))]);
  const num = new Array<number>(nodes.length).fill(-1);
  const low = new Array<number>(nodes.length).fill(0);
  const onStack = new Array<boolean>(nodes.length).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < nodes.length; root++) {
    if (num[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    num[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [v, k] = frame;
      if (k < succ[v]!.length) {
        frame[1]++;
        const w = succ[v]![k]!;
        if (num[w] === -1) {
          num[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          work.push([w, 0]);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v]!, num[w]!);
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low[parent[0]] = Math.min(low[parent[0]]!, low[v]!);
      if (low[v] === num[v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1 || succ[v]!.includes(v)) components.push(comp.sort((a, b) => a - b));
      }
    }
  }
  components.sort((a, b) => a[0]! - b[0]!);
  return components.map((comp) => shortestCycle(nodes, succ, new Set(comp), comp[0]!));
}

/** Breadth-first from `start` inside the component back to `start`. */
function shortestCycle(nodes: readonly DagNode[], succ: readonly number[][], comp: ReadonlySet<number>, start: number): Cycle {
  const prev = new Map<number, number>();
  const queue = [start];
  let end = -1;
  search: for (let q = 0; q < queue.length; q++) {
    const v = queue[q]!;
    for (const w of succ[v]!) {
      if (!comp.has(w)) continue;
      if (w === start) {
        end = v;
        break search;
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  const path = [end];
  while (path[path.length - 1] !== start) path.push(prev.get(path[path.length - 1]!)!);
  path.reverse();
  const steps = path.map((i) => nodes[i]!.name);
  const edges = steps.map((s, i) => {
    const to = steps[(i + 1) % steps.length]!;
    return nodes[path[i]!]!.edges.find((e) => e.to === to)!;
  });
  return { steps, edges };
}

/** `a → b → c → a` */
export function cyclePath(cycle: Cycle): string {
  return [...cycle.steps, cycle.steps[0]!].join(' → ');
}

class MinHeap {
  private readonly items: number[] = [];
  push(x: number): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= x) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = x;
  }
  pop(): number | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const c = l + 1 < a.length && a[l + 1]! < a[l]! ? l + 1 : l;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
