/**
 * The report's last section, "Provenance": what its numbers were computed from — the spec and its
 * sha256, the seed, the parameters set on the command line, each data file with its sha256, lesionflow,
 * the step kinds and the runtime dependencies with their versions — closing with the command that
 * reproduces the report. The runner hands it over (src/runner/provenance.ts, which says why the start
 * time, the machine and the Node version are left to run.json). One table of the report's table model
 * (table.ts), so the HTML, Word and Markdown renderings show the same cells: label column, value column.
 */
import { setValueText, type ResultProvenance } from '../../runner/provenance.js';
import type { PaperTable } from '../table.js';

export const PROVENANCE_TITLE = 'Provenance';

/** name version, name version, … */
function versionList(versions: Readonly<Record<string, string | number>>): string {
  return Object.entries(versions).map(([n, v]) => `${n} ${v}`).join(', ');
}

export function provenanceTable(p: ResultProvenance): PaperTable {
  const overrides = Object.entries(p.overrides);
  const rows: { cells: [string, string]; style?: 'group' | 'indent' }[] = [
    { cells: ['Pipeline', p.pipeline] },
    { cells: ['Spec', p.spec] },
    { cells: ['Spec sha256', p.spec_sha256], style: 'indent' },
    { cells: ['Seed', String(p.seed)] },
    { cells: ['Parameters set on the command line', overrides.length === 0 ? 'none (the spec’s own values)' : ''] },
    ...overrides.map(([k, v]) => ({ cells: [k, setValueText(v)] as [string, string], style: 'indent' as const })),
    { cells: ['Data files (sha256)', p.files.length === 0 ? 'none' : ''] },
    ...p.files.map((f) => ({ cells: [f.path, f.sha256] as [string, string], style: 'indent' as const })),
    { cells: ['lesionflow', p.lesionflow] },
    { cells: ['Step kinds (implementation version)', versionList(p.kinds)] },
    { cells: ['Runtime dependencies', versionList(p.dependencies)] },
    { cells: ['Reproduce (from the project folder)', p.command] },
  ];
  return {
    caption: PROVENANCE_TITLE,
    className: 'provenance',
    head: [['', { text: 'Value', align: 'left' }]],
    body: rows.map((r) => ({ cells: [r.cells[0], { text: r.cells[1], align: 'left' }], ...(r.style === undefined ? {} : { style: r.style }) })),
    notes: [
      'Paths are relative to the project folder; a file outside it is named by its file name, and identified by its sha256.',
      'The start time, the machine, the Node.js version, the git commit and the command line of each run are recorded in run.json beside this report and in the run history (lesionflow runs), not here: this report is the same on every machine and every re-run, so that it can be cached and checked byte for byte.',
    ],
  };
}
