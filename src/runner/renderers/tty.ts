/**
 * The live terminal view: finished steps scroll up as permanent lines; below them, redrawn at most ten
 * times a second, one line per running step (with a progress bar when the step reports progress) and a
 * summary line.
 */
import { formatMs, type ErrorRenderer, type LogEvent, type Logger } from '../logger.js';
import { format, remoteText } from './plain.js';

const BAR = 20;

export class TtyLogger implements Logger {
  private readonly running = new Map<string, { t0: number; done: number; total: number; remote?: string }>();
  private counts = { ran: 0, cached: 0, failed: 0, skipped: 0 };
  private total = 0;
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly renderError: ErrorRenderer,
  ) {}

  log(e: LogEvent): void {
    switch (e.type) {
      case 'start':
        this.total = e.steps;
        this.print(format(e, this.renderError));
        this.timer = setInterval(() => {
          this.draw();
        }, 100);
        this.timer.unref();
        return;
      case 'step-start':
        this.running.set(e.step, { t0: performance.now(), done: 0, total: 0 });
        return;
      case 'step-progress': {
        const r = this.running.get(e.step);
        if (r !== undefined) {
          r.done = e.done;
          r.total = e.total;
        }
        return;
      }
      case 'step-remote': {
        const r = this.running.get(e.step);
        if (r !== undefined) r.remote = remoteText(e);
        return;
      }
      case 'step-end':
        this.running.delete(e.step);
        this.counts[e.status] += 1;
        // Cache hits are the common case of a re-run: count them, don't list them.
        if (e.status !== 'cached') this.print(format(e, this.renderError));
        return;
      case 'end':
        this.close();
        this.print(format(e, this.renderError));
        return;
      case 'warning':
      case 'info':
        this.print(format(e, this.renderError));
        return;
    }
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private print(line: string): void {
    this.clear();
    this.stream.write(line + '\n');
    if (this.timer !== undefined) this.draw();
  }

  private clear(): void {
    if (this.drawn > 0) this.stream.write(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    this.clear();
    const width = this.stream.columns > 20 ? this.stream.columns : 80;
    const lines: string[] = [];
    const now = performance.now();
    for (const [step, r] of this.running) {
      let bar = '';
      if (r.total > 0) {
        const filled = Math.round((BAR * Math.min(r.done, r.total)) / r.total);
        bar = ` [${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${r.done}/${r.total}`;
      }
      lines.push(`  ⠿ ${step}${bar}${r.remote === undefined ? '' : ` · ${r.remote}`} ${formatMs(now - r.t0)}`.slice(0, width - 1));
    }
    const c = this.counts;
    const finished = c.ran + c.cached + c.failed + c.skipped;
    lines.push(`  ${finished}/${this.total} steps · ${c.ran} ran · ${c.cached} cached${c.failed > 0 ? ` · ${c.failed} failed` : ''}`.slice(0, width - 1));
    this.stream.write(lines.join('\n') + '\n');
    this.drawn = lines.length;
  }
}
