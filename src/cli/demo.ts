// The demo's job on the simulators' default world: two real additions, one invalid request and one that hits
// the group quota, all at once, followed live, then one summary row per run with its Web UI link.
import type { Client } from '@temporalio/client';
import { AddServersError, startAddServers, type AddServersRequestInput } from '../client/index.js';
import type { Provider } from '../domain/index.js';
import { errorJson, table } from './output.js';
import { createBoard, follow, type Outcome } from './progress.js';
import { runLink } from './temporal.js';
import { demoWorldRuns } from '../simulator/demo.js';

export interface DemoRun {
  readonly name: string;
  readonly provider: Provider;
  readonly group: string;
  readonly expect: string;
  readonly request: AddServersRequestInput;
  /** The invalid request goes to the workflow unchecked, so its ValidationError shows in the Web UI too. */
  readonly validateLocally: boolean;
}

export function demoRuns(): DemoRun[] {
  return demoWorldRuns().map((run) => ({
    ...run,
    provider: run.provider as Provider,
    request: run.request as unknown as AddServersRequestInput,
  }));
}

export interface DemoRow {
  readonly name: string;
  readonly workflowId: string;
  readonly outcome: string;
  readonly expected: boolean;
  readonly added: number;
  readonly alreadyPresent: number;
  readonly seconds: number;
  readonly link: string | undefined;
  readonly failure?: Record<string, unknown>;
}

function outcomeName(outcome: Outcome): string {
  if (outcome.ok) return 'completed';
  return outcome.error instanceof AddServersError ? outcome.error.type : 'error';
}

/** Starts every run at once and follows them on one board; returns one row per run. */
export async function runDemo(
  client: Client,
  namespace: string,
  webUi: string,
  stream: NodeJS.WriteStream,
  quiet: boolean,
): Promise<DemoRow[]> {
  const board = createBoard(stream, quiet);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  try {
    return await Promise.all(
      demoRuns().map(async (run, i) => {
        const started = performance.now();
        const handle = await startAddServers(client, run.request, {
          requestKey: `demo-${stamp}-${i}`,
          validate: run.validateLocally,
        });
        const view = board.add(run.name.padEnd(12));
        const outcome = await follow(handle, view);
        const name = outcomeName(outcome);
        view.done(name);
        const details = outcome.ok
          ? undefined
          : outcome.error instanceof AddServersError
            ? outcome.error.details
            : undefined;
        return {
          name: run.name,
          workflowId: handle.workflowId,
          outcome: name,
          expected: name === run.expect,
          added: outcome.ok ? outcome.result.added.length : (details?.added.length ?? 0),
          alreadyPresent: outcome.ok ? outcome.result.alreadyPresent.length : (details?.alreadyPresent.length ?? 0),
          seconds: (performance.now() - started) / 1000,
          link: runLink(webUi, namespace, handle.workflowId, handle.runId),
          ...(outcome.ok ? {} : { failure: errorJson(outcome.error) }),
        };
      }),
    );
  } finally {
    board.stop();
  }
}

export function demoTable(rows: readonly DemoRow[]): string {
  return table(
    ['run', 'outcome', 'as expected', 'added', 'already', 'seconds', 'web ui'],
    rows.map((r) => [
      r.name,
      r.outcome,
      r.expected ? 'yes' : 'NO',
      String(r.added),
      String(r.alreadyPresent),
      r.seconds.toFixed(1),
      r.link ?? '',
    ]),
  );
}
