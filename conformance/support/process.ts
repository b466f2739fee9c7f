import { ChildProcess, spawn } from 'child_process';
import { createWriteStream } from 'fs';
import * as net from 'net';

/** The outcome of a finished command. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runCommand}. */
export interface CommandOptions {
  /** Written to the command's standard input. @default - nothing (stdin closed) */
  readonly input?: string;
  /** @default - the current directory */
  readonly cwd?: string;
  /** Added to the environment. @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /** Killed (and reported as failed) after this long. @default 120000 */
  readonly timeoutMs?: number;
}

/** Runs a command to completion and captures its output; never throws for a non-zero exit. */
export function runCommand(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: signal ? `${stderr}\n(killed by ${signal})` : stderr });
    });
    // A command that exits without reading its input closes the pipe first: EPIPE on stdin is
    // not the command's failure (its exit code says that), and unhandled it would crash the run.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** A long-running process started by the conformance run, with its output in a log file. */
export class Daemon {
  private readonly child: ChildProcess;
  private exited: string | undefined;

  constructor(readonly name: string, command: string, args: readonly string[], readonly logFile: string) {
    const log = createWriteStream(logFile);
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    this.child.on('error', (e) => (this.exited = `could not start: ${e.message}`));
    this.child.on('exit', (code, signal) => (this.exited = `exited (${signal ?? `code ${code}`})`));
    RUNNING.add(this);
  }

  /** Why the process is gone, or undefined while it runs. */
  get exitReason(): string | undefined {
    return this.exited;
  }

  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and waits for it. */
  async stop(): Promise<void> {
    RUNNING.delete(this);
    if (this.exited !== undefined) {
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.kill('SIGTERM');
    });
  }
}

const RUNNING = new Set<Daemon>();

// Whatever happens to the run, no engine outlives it.
process.on('exit', () => {
  for (const d of RUNNING) {
    d.stop().catch(() => undefined);
  }
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    Promise.all([...RUNNING].map((d) => d.stop())).finally(() => process.exit(130));
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `check` until it returns true, failing with `what` (and the daemon's log hint) after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, daemon?: Daemon): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (daemon?.exitReason) {
      throw new Error(`${daemon.name} ${daemon.exitReason} while waiting for ${what}; see ${daemon.logFile}`);
    }
    if (await check().catch(() => false)) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${daemon ? `; see ${daemon.logFile}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
