// Drives the real `lbflow` command (bin/lbflow.mjs) as a user would: a child process, its stdout/stderr, its exit status.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LBFLOW = fileURLToPath(new URL('../../bin/lbflow.mjs', import.meta.url));

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `lbflow …args` to its end (async, so several can run at once). */
export function lbflow(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LBFLOW, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr })); // after stdio is drained, unlike 'exit'
    child.stdin.end(stdin ?? '');
  });
}

export interface DevStack {
  readonly address: string;
  readonly webUi: string;
  readonly alibaba: string;
  readonly huawei: string;
  readonly metrics: string;
  readonly dir: string;
  readonly process: ChildProcess;
  stop(): Promise<number | null>;
}

/** `lbflow dev --json` on free ports with its own database and log folder; resolves once it prints its addresses. */
export async function startDevStack(): Promise<DevStack> {
  const dir = mkdtempSync(join(tmpdir(), 'lbflow-dev-'));
  const args = [
    '--json',
    'dev',
    '--port',
    '0',
    '--ui-port',
    '0',
    '--sim-port',
    '0',
    '--metrics-port',
    '0',
    '--db',
    join(dir, 'dev.db'),
    '--log-dir',
    dir,
  ];
  const child = spawn(process.execPath, [LBFLOW, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const info = await new Promise<Record<string, string>>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as Record<string, string>);
    });
    child.once('exit', (code) => reject(new Error(`lbflow dev exited with ${code}: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    address: info.address ?? '',
    webUi: info.webUi ?? '',
    alibaba: info.alibaba ?? '',
    huawei: info.huawei ?? '',
    metrics: info.metrics ?? '',
    dir,
    process: child,
    stop: async () => {
      child.kill('SIGINT');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
