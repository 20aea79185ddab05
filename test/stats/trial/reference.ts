/** The control arm's volumes of the shipped synthetic HERMES cohort (evt == 0, fiv_ml present), in file order, as the R fixtures read them. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export function hermesControlVolumes(): Float64Array {
  const text = readFileSync(resolve(import.meta.dirname, '../../../pipelines/data/hermes_synthetic.csv'), 'utf8');
  const [head, ...lines] = text.trim().split('\n');
  const cols = head!.split(',');
  const evt = cols.indexOf('evt');
  const fiv = cols.indexOf('fiv_ml');
  const out: number[] = [];
  for (const line of lines) {
    const cells = line.split(',');
    if (cells[evt] === '0' && cells[fiv] !== 'NA' && cells[fiv] !== '') out.push(Number(cells[fiv]));
  }
  return Float64Array.from(out);
}
