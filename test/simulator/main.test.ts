// `npm run sim` (src/simulator/main.ts): both simulators on 127.0.0.1, one JSON line, a clean exit on SIGTERM.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Sim {
  endpoints: { alibaba: { url: string }; huawei: { url: string } };
  stop(): Promise<number | null>;
}

async function startSim(args: string[]): Promise<Sim> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/simulator/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`sim exited with ${code} before printing its endpoints`)));
  });
  return {
    endpoints: JSON.parse(first) as Sim['endpoints'],
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Whether `http://host:port/_sim/health` answers, or the connection is refused. */
async function answers(host: string, port: string): Promise<boolean> {
  try {
    const res = await request(`http://${host}:${port}/_sim/health`);
    await res.body.dump();
    return res.statusCode === 200;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') return false;
    throw error;
  }
}

describe('the sim entry point', () => {
  it('prints one JSON line with both endpoints on free ports, serves them, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/simulator/main.ts', '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`sim exited with ${code} before printing its endpoints`)));
    });
    const endpoints = JSON.parse(first) as { alibaba: { url: string }; huawei: { url: string } };
    expect(endpoints.alibaba.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.huawei.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const [provider, url] of [
      ['alibaba', endpoints.alibaba.url],
      ['huawei', endpoints.huawei.url],
    ] as const) {
      const res = await request(`${url}/_sim/health`);
      expect(await res.body.json()).toEqual({ ok: true, provider });
    }
    let more = '';
    lines.on('line', (line) => (more += line));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(more).toBe('');
  });

  it('refuses a port that is not a number', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/simulator/main.ts', '--port', 'eighty'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('--port must be a port number');
  });

  // Every 127.x address is loopback on Linux: binding one of them shows which interface the server took.
  it('--host chooses the address it listens on: 127.0.0.2 is not 127.0.0.1, 0.0.0.0 is both', async () => {
    const only = await startSim(['--port', '0', '--host', '127.0.0.2']);
    try {
      for (const url of [only.endpoints.alibaba.url, only.endpoints.huawei.url]) {
        const { hostname, port } = new URL(url);
        expect(hostname).toBe('127.0.0.2');
        expect(await answers('127.0.0.2', port)).toBe(true);
        expect(await answers('127.0.0.1', port)).toBe(false);
      }
    } finally {
      expect(await only.stop()).toBe(0);
    }
    const all = await startSim(['--port', '0', '--host', '0.0.0.0']);
    try {
      for (const url of [all.endpoints.alibaba.url, all.endpoints.huawei.url]) {
        const { hostname, port } = new URL(url);
        expect(hostname).toBe('0.0.0.0');
        expect(await answers('127.0.0.1', port)).toBe(true);
        expect(await answers('127.0.0.2', port)).toBe(true);
      }
    } finally {
      expect(await all.stop()).toBe(0);
    }
  });

  it('refuses an empty --host', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/simulator/main.ts', '--port', '0', '--host', ''], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('--host must be an address');
  });
});
