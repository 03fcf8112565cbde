// `npm run sim` (src/simulator/main.ts): both simulators on 127.0.0.1, one JSON line, a clean exit on SIGTERM.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the sim entry point', () => {
  it('prints one JSON line with both endpoints on free ports, serves them, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/simulator/main.ts', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`sim exited with ${code} before printing its endpoints`)));
    });
    const endpoints = JSON.parse(first) as { alibaba: { url: string }; huawei: { url: string } };
    expect(endpoints.alibaba.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.huawei.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const [provider, url] of [['alibaba', endpoints.alibaba.url], ['huawei', endpoints.huawei.url]] as const) {
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
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/simulator/main.ts', '--port', 'eighty'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('--port must be a port number');
  });
});
