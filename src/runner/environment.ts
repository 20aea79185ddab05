/**
 * Where and from what a run ran, for run.json (never for cached outputs: none of it changes a result,
 * and each would make a cached report differ between machines and runs): the machine (OS, CPU,
 * memory, host name) and the project's git commit with whether its work tree had uncommitted changes.
 */
import { execFile } from 'node:child_process';
import { arch, cpus, hostname, platform, release, totalmem, type as osType } from 'node:os';

export interface Machine {
  readonly os: string;
  readonly platform: string;
  readonly release: string;
  readonly arch: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly host: string;
}

export function machine(): Machine {
  const list = cpus();
  return {
    os: osType(),
    platform: platform(),
    release: release(),
    arch: arch(),
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    host: hostname(),
  };
}

export interface GitState {
  readonly commit: string;
  /** True when tracked files differ from the commit or untracked files exist (`git status --porcelain`). */
  readonly dirty: boolean;
}

function git(args: readonly string[], cwd: string): Promise<string | undefined> {
  return new Promise((done) => {
    execFile('git', [...args], { cwd, timeout: 10_000, maxBuffer: 16 * 2 ** 20, windowsHide: true }, (err, stdout) => {
      done(err === null ? stdout : undefined);
    });
  });
}

const states = new Map<string, Promise<GitState | undefined>>();

/**
 * The git state of the folder `dir` belongs to; undefined when it is not in a git work tree or git is
 * not installed. Asked once per folder and process: the state when the command started (`lesionflow run
 * a.yaml b.yaml` must not call its own lock-file writes for a.yaml changes made before b.yaml ran).
 */
export function gitState(dir: string): Promise<GitState | undefined> {
  let s = states.get(dir);
  if (s === undefined) {
    s = Promise.all([git(['rev-parse', '--verify', '--quiet', 'HEAD'], dir), git(['status', '--porcelain', '--untracked-files=normal'], dir)]).then(([head, status]) =>
      head === undefined || status === undefined ? undefined : { commit: head.trim(), dirty: status.trim() !== '' },
    );
    states.set(dir, s);
  }
  return s;
}
