/**
 * Models of one report fitted on different samples: each model drops the rows missing one of its own
 * variables (listwise, as R's na.omit), so two models of one cohort can rest on different patients
 * (n 1 577 against 1 501) and their estimates are not comparable as they stand. Models of different
 * sweep instances (all / CT / MRI) differ by design and are compared only within an instance.
 */

export interface FittedModel {
  /** The step instance, e.g. `ordinal_evt` or `fit_good[modality=CT]`. */
  readonly name: string;
  readonly n: number | undefined;
}

/** `[modality=CT]`, or '' for a step that is not swept. */
function instanceOf(name: string): string {
  return /\[.*\]$/.exec(name)?.[0] ?? '';
}

/**
 * The note for a section showing `shown`, when some model of the report (`all`) of the same sweep
 * instance was fitted on another number of rows; undefined when they agree.
 */
export function differentSamplesNote(shown: readonly FittedModel[], all: readonly FittedModel[]): string | undefined {
  const instances = new Set(shown.map((m) => instanceOf(m.name)));
  const peers = all.filter((m, k) => instances.has(instanceOf(m.name)) && m.n !== undefined && all.findIndex((x) => x.name === m.name) === k);
  if (new Set(peers.map((m) => m.n)).size < 2) return undefined;
  const list = peers.map((m) => `${m.name} n = ${String(m.n)}`).join(', ');
  return `The models of this report were fitted on different samples (${list}): each leaves out the rows missing one of its own variables, so compare their estimates with care.`;
}
