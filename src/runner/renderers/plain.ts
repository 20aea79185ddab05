/** One line per event, for logs and pipes (and `--quiet`, which keeps only failures and warnings). */
import { formatMs, summaryLine, type ErrorRenderer, type LogEvent, type Logger } from '../logger.js';

export class PlainLogger implements Logger {
  /** Last progress percentage printed per step (progress lines every 10 %). */
  private readonly lastTenth = new Map<string, number>();
  /** Last cluster state printed per step (a line when it changes). */
  private readonly lastRemote = new Map<string, string>();

  constructor(
    private readonly out: (line: string) => void,
    private readonly err: (line: string) => void,
    private readonly renderError: ErrorRenderer,
    private readonly quiet = false,
  ) {}

  log(e: LogEvent): void {
    const line = format(e, this.renderError);
    if (e.type === 'warning') {
      this.err(line);
      return;
    }
    if (e.type === 'step-end' && e.status === 'failed') {
      this.err(line);
      return;
    }
    if (this.quiet) return;
    if (e.type === 'step-progress') {
      const tenth = e.total > 0 ? Math.floor((10 * e.done) / e.total) : 0;
      if (this.lastTenth.get(e.step) === tenth) return;
      this.lastTenth.set(e.step, tenth);
    }
    if (e.type === 'step-remote') {
      if (this.lastRemote.get(e.step) === line) return;
      this.lastRemote.set(e.step, line);
    }
    if (line !== '') this.out(line);
  }

  close(): void {
    // nothing live to stop
  }
}

export function format(e: LogEvent, renderError: ErrorRenderer): string {
  switch (e.type) {
    case 'start':
      return `${e.pipeline}: ${e.steps} step${e.steps === 1 ? '' : 's'}, ${e.jobs} job${e.jobs === 1 ? '' : 's'}`;
    case 'step-start':
      return `▸ ${e.step}`;
    case 'step-progress':
      return `  ${e.step} ${e.done}/${e.total}`;
    case 'step-remote':
      return `  ${e.step}: ${remoteText(e)} on the cluster`;
    case 'step-end':
      switch (e.status) {
        case 'ran':
          return `✓ ${e.step} (${formatMs(e.ms)})`;
        case 'cached':
          return `· ${e.step} cached`;
        case 'failed':
          return `✗ ${e.step} failed (${formatMs(e.ms)})\n  ${indent(renderError(e.error))}`;
        case 'skipped':
          return `- ${e.step} skipped${e.reason === undefined ? '' : e.reason === 'interrupted' || e.reason === 'fail-fast' ? ` (${e.reason})` : ` (${e.reason} failed)`}`;
      }
      break;
    case 'warning':
      return `warning${e.step === undefined ? '' : ` [${e.step}]`}: ${e.message}`;
    case 'info':
      return e.message;
    case 'end':
      return summaryLine(e);
  }
}

/** `3 running, 12 queued` (array tasks). */
export function remoteText(e: { readonly queued: number; readonly running: number }): string {
  return `${e.running} running, ${e.queued} queued`;
}

function indent(text: string): string {
  return text.replace(/\n/g, '\n  ');
}
