/** What a command hands back to the CLI: it prints stdout/stderr and exits with exitCode. */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}
