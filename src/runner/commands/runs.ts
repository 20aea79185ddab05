/**
 * `lesionflow runs <spec>`: the pipeline's run history as a table (after `dvc exp show`) — one row per
 * recorded run (run-history.ts): its number and name, when, its status, the pipeline parameters it ran
 * with, and its key results (key-results.ts). `--only-changed` keeps the parameters and results that
 * differ between the runs shown. The run whose outputs are in outputs/<pipeline>/ now is marked `*`.
 * Formats: text (aligned), csv, md (Markdown), json.
 */
import { join } from 'node:path';
import type { Json } from '../../data/canonical.js';
import { readRunRecord } from '../outputs.js';
import { setValueText } from '../provenance.js';
import { readRuns, type HistoryRun } from '../run-history.js';
import { loadSpec, outputsDirOf, type CommandIo, type CommonOptions } from './io.js';
import { safeName } from './run.js';

export const RUNS_FORMATS = ['text', 'csv', 'md', 'json'] as const;
type RunsFormat = (typeof RUNS_FORMATS)[number];

export interface RunsOptions extends CommonOptions {
  readonly format?: string | undefined;
  readonly onlyChanged?: boolean;
}

export interface RunsTable {
  readonly pipeline: string;
  /** The parameter columns, then the result columns (labels). */
  readonly params: readonly string[];
  readonly results: readonly string[];
  readonly rows: readonly RunsRow[];
}

export interface RunsRow {
  readonly run: number;
  readonly name: string | undefined;
  readonly started: string;
  readonly status: string;
  /** Its outputs are the ones in outputs/<pipeline>/ now. */
  readonly current: boolean;
  readonly params: Readonly<Record<string, Json | undefined>>;
  readonly results: Readonly<Record<string, number | null | undefined>>;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export function runsTable(pipeline: string, runs: readonly HistoryRun[], current: number | undefined, onlyChanged: boolean): RunsTable {
  const params: string[] = [];
  const results: string[] = [];
  for (const r of runs) {
    for (const p of Object.keys(r.params ?? {})) if (!params.includes(p)) params.push(p);
    for (const k of r.results ?? []) if (!results.includes(k.label)) results.push(k.label);
  }
  const rows: RunsRow[] = runs.map((r) => ({
    run: r.run,
    name: r.name,
    started: r.started,
    status: r.only === undefined ? r.status : `${r.status} (--only)`,
    current: r.run === current,
    params: Object.fromEntries(params.map((p) => [p, r.params?.[p] as Json | undefined])),
    results: Object.fromEntries(results.map((l) => [l, r.results?.find((k) => k.label === l)?.value])),
  }));
  const differs = (values: readonly unknown[]): boolean => values.some((v) => !same(v, values[0]));
  return {
    pipeline,
    params: onlyChanged ? params.filter((p) => differs(rows.map((r) => r.params[p]))) : params,
    results: onlyChanged ? results.filter((l) => differs(rows.map((r) => r.results[l]))) : results,
    rows,
  };
}

/** A result for people: four significant digits. */
function showResult(v: number | null | undefined): string {
  if (v === undefined || v === null) return '–';
  return String(Number(v.toPrecision(4)));
}

function showParam(v: Json | undefined): string {
  return v === undefined ? '–' : setValueText(v);
}

/** `2026-11-22T16:40:12.345Z` → `2026-11-22 16:40` (UTC, as recorded). */
function showTime(iso: string): string {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso;
}

function cells(t: RunsTable, forPeople: boolean): { head: string[]; body: string[][] } {
  const head = ['run', 'name', 'started (UTC)', 'status', ...t.params, ...t.results];
  const body = t.rows.map((r) => [
    forPeople ? `${r.current ? '*' : ''}${r.run}` : String(r.run),
    r.name ?? '',
    forPeople ? showTime(r.started) : r.started,
    r.status,
    ...t.params.map((p) => showParam(r.params[p])),
    ...t.results.map((l) => (forPeople ? showResult(r.results[l]) : String(r.results[l] ?? ''))),
  ]);
  return { head, body };
}

/** Result labels longer than this are numbered in the text table's header. */
const LONG_LABEL = 24;

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatRuns(t: RunsTable, format: RunsFormat): string[] {
  switch (format) {
    case 'json':
      return [JSON.stringify({ pipeline: t.pipeline, params: t.params, results: t.results, runs: t.rows }, null, 2)];
    case 'csv': {
      const { head, body } = cells(t, false);
      return [[...head, 'current'], ...body.map((b, i) => [...b, t.rows[i]!.current ? 'true' : 'false'])].map((r) => r.map(csvField).join(','));
    }
    case 'md': {
      const { head, body } = cells(t, true);
      const md = (s: string): string => s.replace(/\|/g, '\\|');
      return [`| ${head.map(md).join(' | ')} |`, `|${head.map((_, i) => (i === 0 || i >= 4 + t.params.length ? '---:' : '---')).join('|')}|`, ...body.map((b) => `| ${b.map(md).join(' | ')} |`)];
    }
    case 'text': {
      const { head, body } = cells(t, true);
      // A long label (a published row's) would make its column as wide: it is numbered, and said below.
      const legend: string[] = [];
      const shortHead = head.map((h, i) => {
        if (i < 4 + t.params.length || h.length <= LONG_LABEL) return h;
        legend.push(`[${legend.length + 1}] ${h}`);
        return `[${legend.length}]`;
      });
      const widths = shortHead.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
      const right = (i: number): boolean => i === 0 || i >= 4 + t.params.length;
      const line = (r: readonly string[]): string => r.map((c, i) => (right(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
      return [line(shortHead), ...body.map(line), ...legend];
    }
  }
}

export async function runsCommand(spec: string, o: RunsOptions, io: CommandIo): Promise<number> {
  const format = o.format ?? 'text';
  if (!(RUNS_FORMATS as readonly string[]).includes(format)) {
    io.err(`error: unknown --format "${format}" for runs\n  hint: use one of ${RUNS_FORMATS.join(', ')}`);
    return 2;
  }
  const pipeline = await loadSpec(spec, o);
  const outputs = outputsDirOf(o);
  const runs = await readRuns(outputs, pipeline.name);
  if (runs.length === 0) {
    io.err(`no runs of ${pipeline.name} are recorded in ${join(outputs, '.runs')}\n  hint: lesionflow run ${spec} records one`);
    return 0;
  }
  const current = (await readRunRecord(join(outputs, safeName(pipeline.name))))?.run;
  for (const l of formatRuns(runsTable(pipeline.name, runs, current, o.onlyChanged === true), format as RunsFormat)) io.out(l);
  if (format === 'text') io.out(`${runs.length} run${runs.length === 1 ? '' : 's'}${current === undefined ? '' : `; * = the outputs in ${join(outputs, safeName(pipeline.name))} now`}`);
  return 0;
}
