// `npm run demo` runs `lbflow demo`: the whole stack on free ports, the four demo runs, one summary. The test
// checks what the summary claims against the runs themselves (outcome per run, servers added).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lbflow } from './cli/support.js';

describe('lbflow demo (npm run demo)', () => {
  it('runs 1,000 GWLB servers, 300 ELB members, an invalid request and a quota hit, each ending as expected, then stops with --exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lbflow-demo-'));
    try {
      const ports = [
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
      const run = await lbflow(['--json', 'demo', '--exit', ...ports]);
      expect(run.status, run.stderr).toBe(0);
      const out = JSON.parse(run.stdout) as {
        allExpected: boolean;
        seconds: number;
        webUi: string;
        runs: {
          name: string;
          outcome: string;
          added: number;
          link: string;
          failure?: { details?: { issues?: unknown[] } };
        }[];
      };
      process.stdout.write(`demo runs finished in ${out.seconds.toFixed(1)} s (the issue's bound: 60 s)\n`);
      expect(out.runs.map((r) => [r.name, r.outcome, r.added])).toEqual([
        ['alibaba 1000', 'completed', 1000],
        ['huawei 300', 'completed', 300],
        ['invalid', 'ValidationError', 0],
        ['quota hit', 'QuotaExceeded', 0],
      ]);
      expect(out.allExpected).toBe(true);
      expect(out.runs.find((r) => r.name === 'invalid')?.failure?.details?.issues).toHaveLength(2);
      for (const r of out.runs)
        expect(r.link).toMatch(new RegExp(`^${out.webUi}/namespaces/default/workflows/lbflow%2F.+/history$`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses a bad port before starting anything, naming the flag (exit 2)', async () => {
    const run = await lbflow(['demo', '--ui-port', 'eighty']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--ui-port must be a port number 0–65535 (0: a free port); got "eighty"');
  });
});
