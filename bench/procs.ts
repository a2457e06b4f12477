import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { availableParallelism } from 'node:os';

/** `taskset` pins the server to one core and the load generator to the other (when there are two). */
export const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((p) => existsSync(p)) ?? null;
export const PINNING = TASKSET !== null && availableParallelism() >= 2;
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  exited: Promise<number | string | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<Proc>();

/** Starts `command args…` pinned to `core` (when pinning is possible); the pid is the command's own (taskset execs it). */
export function spawnPinned(
  name: string,
  core: number,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdio?: StdioOptions; cwd?: string } = {},
): Proc {
  const [cmd, argv] = PINNING ? [TASKSET!, ['-c', String(core), command, ...args]] : [command, args];
  const child = spawn(cmd, argv, {
    env: options.env ?? process.env,
    stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
    cwd: options.cwd,
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal));
    child.once('error', () => resolve('spawn-error'));
  });
  const proc: Proc = {
    name,
    child,
    pid: child.pid,
    exited,
    async stop(graceMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      live.delete(proc);
    },
  };
  live.add(proc);
  void exited.then(() => live.delete(proc));
  return proc;
}

/** Stops every process this bench started (used on the way out, also after a failure). */
export async function stopAll(graceMs = 5_000): Promise<void> {
  await Promise.all([...live].map((p) => p.stop(graceMs)));
}

/** Synchronous last resort (process 'exit' handler): SIGKILL whatever is left. */
export function killAllNow(): void {
  for (const p of live) {
    try {
      p.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Pins the calling process to `core` (the bench itself runs next to the load generator). */
export function pinSelf(core: number): boolean {
  if (!PINNING) return false;
  return spawnSync(TASKSET!, ['-cp', String(core), String(process.pid)], { stdio: 'ignore' }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Resets the kernel's peak-RSS counter (VmHWM) of a process; false where /proc/<pid>/clear_refs is not writable. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Peak resident set size (VmHWM) of a process in MiB, or null when it can not be read. */
export function peakRssMb(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Current resident set size (VmRSS) of a process in MiB, or null. */
export function rssMb(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Polls `url` until it answers 200 or `timeoutMs` passes; returns the milliseconds waited. */
export async function waitForOk(url: string, timeoutMs: number, proc?: Proc, intervalMs = 10): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (proc && (proc.child.exitCode !== null || proc.child.signalCode !== null))
      throw new Error(`${proc.name} exited (${proc.child.exitCode ?? proc.child.signalCode}) before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.ok) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > timeoutMs) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Resolves with the first stdout line of `proc` that parses as JSON (child processes announce themselves this way). */
export function firstJsonLine<T>(proc: Proc, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`${proc.name} did not report within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line.startsWith('{') && !line.startsWith('[')) continue;
        try {
          const value = JSON.parse(line) as T;
          clearTimeout(timer);
          proc.child.stdout?.off('data', onData);
          resolve(value);
          return;
        } catch {
          // not ours
        }
      }
    };
    proc.child.stdout?.on('data', onData);
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${proc.name} exited (${code}) before reporting`));
    });
  });
}
