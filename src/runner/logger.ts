/**
 * Run events, and the renderers that show them: plain lines (not a terminal), a live view (terminal),
 * quiet (failures and warnings only), JSON lines (`--log-format json`). The executor only emits events;
 * it never formats text for a person.
 */
import type { TaskStatus } from './scheduler.js';

export type LogEvent =
  | { readonly type: 'start'; readonly pipeline: string; readonly steps: number; readonly jobs: number }
  | { readonly type: 'step-start'; readonly step: string }
  | { readonly type: 'step-progress'; readonly step: string; readonly done: number; readonly total: number }
  /** A step's units outside this process (SLURM array tasks): queued and running, besides those done (step-progress). */
  | { readonly type: 'step-remote'; readonly step: string; readonly queued: number; readonly running: number }
  | {
      readonly type: 'step-end';
      readonly step: string;
      readonly status: TaskStatus;
      readonly ms: number;
      /** For failed steps. */
      readonly error?: unknown;
      /** For skipped steps: the failed dependency, or why. */
      readonly reason?: string;
    }
  | { readonly type: 'warning'; readonly step?: string; readonly message: string }
  | { readonly type: 'info'; readonly message: string }
  | { readonly type: 'end'; readonly status: 'ok' | 'failed' | 'interrupted'; readonly ms: number; readonly counts: Readonly<Record<TaskStatus, number>> };

export interface Logger {
  log(event: LogEvent): void;
  /** Stops live output (the terminal view) before the process prints anything else. */
  close(): void;
}

export const silentLogger: Logger = { log: () => undefined, close: () => undefined };

/** Turns an error into text (the CLI passes diagnostics' renderError). */
export type ErrorRenderer = (error: unknown) => string;

export const plainErrorText: ErrorRenderer = (e) => (e instanceof Error ? e.message : String(e));

/** A Logger that records events (tests). */
export class MemoryLogger implements Logger {
  readonly events: LogEvent[] = [];
  log(event: LogEvent): void {
    this.events.push(event);
  }
  close(): void {
    // nothing to stop
  }
}

export function summaryLine(e: Extract<LogEvent, { type: 'end' }>): string {
  const c = e.counts;
  const parts = [`${c.ran} ran`, `${c.cached} cached`];
  if (c.failed > 0) parts.push(`${c.failed} failed`);
  if (c.skipped > 0) parts.push(`${c.skipped} skipped`);
  const word = e.status === 'ok' ? 'done' : e.status;
  return `${word}: ${parts.join(', ')} in ${formatMs(e.ms)}`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
