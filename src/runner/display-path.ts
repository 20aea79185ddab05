/**
 * How a user's file is named in records meant to be shared (the report's provenance, `runs`): relative
 * to the project folder when it lies inside it, otherwise by its file name alone — so that a report
 * sent to a journal shows `pipelines/data/cohort.csv` or `cohort.csv`, never `/home/alice/…`. The
 * sha256 beside it identifies the file whatever its name. Forward slashes on every platform.
 */
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';

/** `path` (absolute, or relative to `base`) as shown to readers of a shared record. */
export function displayPath(path: string, root: string, base: string = root): string {
  const abs = resolve(base, path);
  const r = relative(root, abs);
  if (r === '') return '.';
  if (r === '..' || r.startsWith('..' + sep) || isAbsolute(r)) return basename(abs);
  return r.split(sep).join('/');
}
