import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMO_SEARCH_ATTRIBUTES } from '../scripts/demo.mjs';
import { SEARCH_ATTRIBUTE_KEYS } from '../src/domain/names.js';

const DEMO = fileURLToPath(new URL('../scripts/demo.mjs', import.meta.url));

describe('npm run demo', () => {
  it('registers the same search attributes as the domain defines', () => {
    expect(DEMO_SEARCH_ATTRIBUTES).toEqual(SEARCH_ATTRIBUTE_KEYS.map((k) => k.name));
  });

  it('starts the dev server with its Web UI, says where both are, and stops with --exit', () => {
    // Free high ports, so a demo the developer left running on 7233/8233 does not interfere.
    const dir = mkdtempSync(join(tmpdir(), 'lbflow-demo-'));
    const args = ['--exit', '--port', '17433', '--ui-port', '18433', '--db', join(dir, 'dev.db')];
    const r = spawnSync(process.execPath, [DEMO, ...args], { encoding: 'utf8', timeout: 60_000 });
    rmSync(dir, { recursive: true, force: true });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Temporal gRPC   127.0.0.1:17433');
    expect(r.stdout).toContain('Web UI          http://127.0.0.1:18433');
  });

  it('refuses a bad port before starting anything, naming the flag', () => {
    const r = spawnSync(process.execPath, [DEMO, '--ui-port', 'eighty'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--ui-port must be a port number 1–65535; got "eighty"');
  });
});
