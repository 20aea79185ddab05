/** `--log-format json`: one JSON object per event and line (errors as their message, category and step). */
import type { ErrorRenderer, LogEvent, Logger } from '../logger.js';

export class JsonLogger implements Logger {
  constructor(
    private readonly out: (line: string) => void,
    private readonly renderError: ErrorRenderer,
  ) {}

  log(e: LogEvent): void {
    const o: Record<string, unknown> = { ...e };
    if (e.type === 'step-end' && e.error !== undefined) o.error = this.renderError(e.error);
    this.out(JSON.stringify(o));
  }

  close(): void {
    // nothing live to stop
  }
}
