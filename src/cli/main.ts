// The `lbflow` command: add servers and follow them live, look at or cancel a run, and run the whole system
// locally (`dev`, `demo`, `sim`). Human output by default, `--json` for scripts; exit statuses in output.ts.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { getAddServersHandle, startAddServers, startOptionIssues, type AddServersHandle } from '../client/index.js';
import { DEFAULT_ALIBABA_CREDENTIAL, DEFAULT_HUAWEI_CREDENTIAL, startSimulators } from '../simulator/index.js';
import { countsText, defaultDeploymentName, TASK_QUEUE } from '../domain/index.js';
import { PROVIDER_DEFINITIONS, PROVIDERS } from '../registry/index.js';
import { describeDeployment } from '../client/index.js';
import { demoTable, runDemo } from './demo.js';
import { buildRequest, loadInputFile, UsageError, type RequestFlags } from './input.js';
import { EXIT, errorJson, exitCodeOf, reportJson, reportText, table } from './output.js';
import { createBoard, follow } from './progress.js';
import { parsePort, PROJECT_ROOT, startStack, workerCommand, type Stack } from './stack.js';
import { connectTemporal, runLink, type Temporal, type TemporalFlags } from './temporal.js';

interface GlobalFlags extends TemporalFlags {
  readonly json?: boolean;
  readonly taskQueue?: string;
}

const out = (text: string) => process.stdout.write(`${text}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);

/** Runs `fn` with a Temporal connection and turns any error into its exit status (and a message or JSON). */
async function withTemporal(flags: GlobalFlags, fn: (t: Temporal) => Promise<number>): Promise<number> {
  let temporal: Temporal | undefined;
  try {
    temporal = await connectTemporal(flags);
    return await fn(temporal);
  } catch (error) {
    return fail(flags, error);
  } finally {
    await temporal?.close();
  }
}

function fail(flags: GlobalFlags, error: unknown): number {
  if (flags.json) out(JSON.stringify({ status: 'error', failure: errorJson(error) }, null, 2));
  else err(`lbflow: ${error instanceof Error ? error.message : String(error)}`);
  return exitCodeOf(error);
}

/** Follows a run to its end with a live bar (none with --json) and reports it; the exit status says how it ended. */
async function followAndReport(flags: GlobalFlags, t: Temporal, handle: AddServersHandle): Promise<number> {
  const board = createBoard(process.stderr, Boolean(flags.json));
  const view = board.add(handle.workflowId.split('/').slice(-2).join('/'));
  const outcome = await follow(handle, view);
  view.done(outcome.ok ? 'completed' : 'failed');
  board.stop();
  const report = {
    workflowId: handle.workflowId,
    runId: handle.runId,
    link: runLink(t.webUi, t.namespace, handle.workflowId, handle.runId),
    outcome,
  };
  if (flags.json) out(JSON.stringify(reportJson(report), null, 2));
  else out(reportText(report));
  return outcome.ok ? EXIT.ok : exitCodeOf(outcome.error);
}

export function program(setExit: (code: number) => void): Command {
  const cli = new Command('lbflow')
    .description(
      'Add backend servers to cloud load-balancer server groups (Alibaba GWLB, Huawei ELB) as a durable Temporal workflow.',
    )
    .option('--address <host:port>', 'Temporal frontend (default: TEMPORAL_ADDRESS, Temporal profile, localhost:7233)')
    .option('--namespace <name>', 'Temporal namespace (default: TEMPORAL_NAMESPACE or "default")')
    .option('--web-ui <url>', 'Temporal Web UI base URL, for links (default: LBFLOW_WEB_UI)')
    .option('--json', 'print one JSON document on stdout instead of text and progress bars')
    .showHelpAfterError()
    .exitOverride();
  const globals = () => cli.opts<GlobalFlags>();

  cli
    .command('add')
    .description('add servers from a file (JSON, YAML or CSV) and/or --server flags; follows the run until it ends')
    .argument(
      '[file]',
      'a request, or a list of servers, as .json, .yaml/.yml or .csv (header row of field names); - for stdin',
    )
    .addOption(new Option('--provider <provider>', 'provider of the group').choices([...PROVIDERS]))
    .option('--region <region>', 'region id, e.g. cn-hangzhou or cn-north-4')
    .option(
      '--group <id>',
      `the group's id: ${PROVIDER_DEFINITIONS.map((d) => `${d.group.idField} (${d.name})`).join(' or ')}`,
    )
    .option('--project <id>', 'Huawei projectId')
    .option(
      '--server <key=value,…>',
      'one server, e.g. serverId=i-bp67acfmxazb4p0001,serverType=Ecs,serverIp=192.168.0.1 (repeatable)',
      (v: string, acc: string[] = []) => [...acc, v],
    )
    .option('--chunk-size <n>', 'servers per provider call, 1–200 (default 200)')
    .option('--wait-for <what>', 'available (default) or registered')
    .option('--timeout <seconds>', 'availability timeout in seconds (default 900)')
    .option('--poll-interval <seconds>', 'seconds between polls: 0.1–0.9 or 1–300 (default 5)')
    .option('--chunks-ahead <n>', 'adds may run this many chunks ahead of the readiness check, 0–50 (default 0)')
    .option('--dry-run', 'let the provider check the request without changing anything')
    .option('--rollback', 'on failure or cancel, remove what this run added (onFailure: rollback)')
    .option(
      '--request-key <key>',
      'your key for this request (default: a hash of its content, so a repeat attaches to the same run)',
    )
    .option('--task-queue <name>', 'task queue of the lbflow workers (default lbflow)')
    .option('--detach', 'start the run, print its id and return without waiting')
    .action(
      async (
        file: string | undefined,
        flags: RequestFlags & { requestKey?: string; taskQueue?: string; detach?: boolean },
      ) => {
        const g = globals();
        let request: Record<string, unknown>;
        try {
          const optionIssue = startOptionIssues({ taskQueue: flags.taskQueue, requestKey: flags.requestKey })[0];
          if (optionIssue !== undefined)
            throw new UsageError(
              `--${optionIssue.path === 'taskQueue' ? 'task-queue' : 'request-key'}: ${optionIssue.message}`,
            );
          request = buildRequest(file === undefined ? undefined : await loadInputFile(file), flags);
        } catch (error) {
          return setExit(fail(g, error));
        }
        setExit(
          await withTemporal(g, async (t) => {
            const handle = await startAddServers(t.client, request as never, {
              ...(flags.requestKey !== undefined ? { requestKey: flags.requestKey } : {}),
              ...(flags.taskQueue !== undefined ? { taskQueue: flags.taskQueue } : {}),
            });
            if (flags.detach) {
              const link = runLink(t.webUi, t.namespace, handle.workflowId, handle.runId);
              if (g.json)
                out(
                  JSON.stringify(
                    { workflowId: handle.workflowId, runId: handle.runId, link, status: 'started' },
                    null,
                    2,
                  ),
                );
              else
                out(
                  [
                    `started ${handle.workflowId} (run ${handle.runId})`,
                    ...(link ? [`web ui: ${link}`] : []),
                    `follow it: lbflow watch '${handle.workflowId}'`,
                  ].join('\n'),
                );
              return EXIT.ok;
            }
            return followAndReport(g, t, handle);
          }),
        );
      },
    );

  cli
    .command('status')
    .description("a run's state and progress (the workflow's progress query)")
    .argument('<workflowId>')
    .action(async (workflowId: string) => {
      const g = globals();
      setExit(
        await withTemporal(g, async (t) => {
          const handle = await getAddServersHandle(t.client, workflowId);
          const description = await handle.workflow.describe();
          let progress;
          try {
            progress = await handle.progress();
          } catch (error) {
            progress = { unavailable: (error as Error).message };
          }
          const link = runLink(t.webUi, t.namespace, workflowId, description.runId);
          const status = description.status.name;
          if (g.json)
            out(
              JSON.stringify(
                {
                  workflowId,
                  runId: description.runId,
                  status,
                  startTime: description.startTime,
                  closeTime: description.closeTime,
                  progress,
                  link,
                },
                null,
                2,
              ),
            );
          else {
            out(
              `workflow ${workflowId} (run ${description.runId}): ${status}, started ${description.startTime.toISOString()}`,
            );
            if ('phase' in progress) {
              const statuses = `${countsText(progress.states)}; provider: ${countsText(progress.providerStatuses) || 'nothing listed yet'}`;
              out(
                `phase ${progress.phase}, chunk ${progress.chunksDone}/${progress.chunksTotal}, ${progress.added} added, ${progress.alreadyPresent} already present of ${progress.requested} (${statuses})`,
              );
            } else out(`progress not available: ${progress.unavailable}`);
            if (link) out(`web ui: ${link}`);
          }
          return EXIT.ok;
        }),
      );
    });

  cli
    .command('watch')
    .description('follow a run with a live progress bar until it ends; the exit status says how it ended')
    .argument('<workflowId>')
    .action(async (workflowId: string) => {
      const g = globals();
      setExit(
        await withTemporal(g, async (t) => followAndReport(g, t, await getAddServersHandle(t.client, workflowId))),
      );
    });

  cli
    .command('cancel')
    .description('ask a run to stop before its next chunk (with onFailure rollback it removes what it added)')
    .argument('<workflowId>')
    .option('--wait', 'wait for the run to end and report it')
    .action(async (workflowId: string, flags: { wait?: boolean }) => {
      const g = globals();
      setExit(
        await withTemporal(g, async (t) => {
          const handle = await getAddServersHandle(t.client, workflowId);
          await handle.cancel();
          if (flags.wait) return followAndReport(g, t, handle);
          if (g.json) out(JSON.stringify({ workflowId, status: 'cancel-requested' }, null, 2));
          else out(`cancellation requested for ${workflowId}`);
          return EXIT.ok;
        }),
      );
    });

  cli
    .command('versions')
    .description(
      "lbflow's Worker Deployment: which version takes new runs, and the runs each version still has open (a version is drained at 0; docs/upgrading.md)",
    )
    .option('--deployment <name>', 'the deployment (default: LBFLOW_DEPLOYMENT_NAME, else the task queue)')
    .option('--task-queue <name>', 'the task queue whose deployment to show (default: LBFLOW_TASK_QUEUE or lbflow)')
    .action(async (flags: { deployment?: string; taskQueue?: string }) => {
      const g = globals();
      const name =
        flags.deployment ??
        process.env.LBFLOW_DEPLOYMENT_NAME ??
        defaultDeploymentName(flags.taskQueue ?? process.env.LBFLOW_TASK_QUEUE ?? TASK_QUEUE);
      setExit(
        await withTemporal(g, async (t) => {
          const view = await describeDeployment(t.client, name);
          if (g.json) {
            out(JSON.stringify(view, null, 2));
            return EXIT.ok;
          }
          out(
            `deployment ${view.deploymentName}: new runs go to ${view.current ?? 'unversioned workers (no current version)'}${view.ramping ? `, ${view.ramping.percentage}% to ${view.ramping.buildId}` : ''}`,
          );
          const rows = view.versions.map((v) => [
            v.buildId,
            v.status,
            String(v.open.requests),
            String(v.open.coordinators),
          ]);
          out(table(['build id', 'status', 'open requests', 'open coordinators'], rows));
          return EXIT.ok;
        }),
      );
    });

  cli
    .command('worker')
    .description(
      'run the lbflow worker, configured by its environment (TEMPORAL_ADDRESS, credentials, …: see the README); `lbflow worker` from bin/ runs it in this process',
    )
    .action(async () => {
      // Reached only as `node dist/cli/main.js worker` (bin/lbflow.mjs runs the worker itself): run the worker's entry.
      const { args, env } = workerCommand();
      const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...env, ...process.env } });
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
      setExit(
        await new Promise<number>((resolve) =>
          child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0))),
        ),
      );
    });

  cli
    .command('sim')
    .description('serve both provider simulators (Alibaba GWLB, Huawei ELB) until Ctrl-C')
    .option('--port <n>', 'Alibaba port; Huawei listens on the next one (0: free ports)', '7480')
    .option('--world <file>', 'a world file (JSON or YAML) instead of the built-in default world')
    .action(async (flags: { port: string; world?: string }) => {
      const g = globals();
      try {
        const port = parsePort('port', flags.port);
        const sims = await startSimulators({
          ...(port ? { alibabaPort: port, huaweiPort: port + 1 } : { port: 0 }),
          ...(flags.world ? { world: flags.world } : {}),
        });
        const info = {
          alibaba: sims.alibaba.url,
          huawei: sims.huawei.url,
          ...(flags.world
            ? {}
            : {
                alibabaAccessKeyId: DEFAULT_ALIBABA_CREDENTIAL.accessKeyId,
                huaweiAccessKey: DEFAULT_HUAWEI_CREDENTIAL.accessKey,
              }),
        };
        out(
          g.json
            ? JSON.stringify(info)
            : `simulators: Alibaba GWLB ${info.alibaba}, Huawei ELB ${info.huawei} (admin: <url>/_sim/state); Ctrl-C to stop`,
        );
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await sims.close();
        setExit(EXIT.ok);
      } catch (error) {
        setExit(fail(g, error));
      }
    });

  const stackOptions = (c: Command) =>
    c
      .option('--port <n>', 'Temporal gRPC port (0: a free port)', '7233')
      .option('--ui-port <n>', 'Web UI port (0: a free port)', '8233')
      .option('--sim-port <n>', 'Alibaba simulator port, Huawei on the next (0: free ports)', '7480')
      .option('--metrics-port <n>', "worker's Prometheus port (0: a free port)", '9464')
      .option(
        '--db <file>',
        'dev server database: runs survive a restart',
        join(PROJECT_ROOT, '.temporal', 'dev-server.db'),
      )
      .option('--world <file>', 'simulator world file (JSON or YAML)')
      .option('--log-dir <dir>', "where the dev server's and the worker's logs go", join(PROJECT_ROOT, '.temporal'));
  type StackFlags = {
    port: string;
    uiPort: string;
    simPort: string;
    metricsPort: string;
    db: string;
    world?: string;
    logDir: string;
    exit?: boolean;
  };
  const start = (flags: StackFlags, quiet: boolean) =>
    startStack({
      port: parsePort('port', flags.port),
      uiPort: parsePort('ui-port', flags.uiPort),
      simPort: parsePort('sim-port', flags.simPort),
      metricsPort: parsePort('metrics-port', flags.metricsPort),
      db: flags.db,
      world: flags.world,
      logDir: flags.logDir,
      log: quiet ? () => {} : err,
    });
  const describeStack = (s: Stack) =>
    [
      `  Temporal gRPC   ${s.address}   (namespace "default"; Temporal CLI ${s.temporalVersion})`,
      `  Web UI          ${s.webUi}   (search runs by LbServerGroupId, LbProvider, LbRegion, LbPhase)`,
      `  Alibaba GWLB    ${s.simulators.alibaba.url}   (simulator; state at /_sim/state)`,
      `  Huawei ELB      ${s.simulators.huawei.url}   (simulator; state at /_sim/state)`,
      `  Worker metrics  ${s.metrics}`,
      `  Logs            ${s.logs.server}, ${s.logs.worker}`,
      `  Try             TEMPORAL_ADDRESS=${s.address} LBFLOW_WEB_UI=${s.webUi} npx lbflow add --provider alibaba-gwlb --region cn-hangzhou --group sgp-atstuj3rtoptyui0001 --server serverId=i-bp67acfmxazb4p1100,serverType=Ecs,serverIp=192.168.4.101`,
    ].join('\n');
  const untilStopped = async (stack: Stack): Promise<number> => {
    const signal = new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('stopped'));
      process.once('SIGTERM', () => resolve('stopped'));
    });
    const why = await Promise.race([signal, stack.died]);
    await stack.stop();
    if (why !== 'stopped') {
      err(`lbflow: ${why}`);
      return EXIT.internal;
    }
    return EXIT.ok;
  };

  stackOptions(
    cli
      .command('dev')
      .description('the Temporal dev server with its Web UI, both simulators and a worker, until Ctrl-C'),
  ).action(async (flags: StackFlags) => {
    const g = globals();
    try {
      const stack = await start(flags, Boolean(g.json));
      if (g.json)
        out(
          JSON.stringify({
            address: stack.address,
            webUi: stack.webUi,
            alibaba: stack.simulators.alibaba.url,
            huawei: stack.simulators.huawei.url,
            metrics: stack.metrics,
          }),
        );
      else out(`\nlbflow dev is up:\n${describeStack(stack)}\n  Ctrl-C to stop.\n`);
      setExit(await untilStopped(stack));
    } catch (error) {
      setExit(fail(g, error));
    }
  });

  stackOptions(
    cli
      .command('demo')
      .description(
        'start the dev stack and run the demo: 1,000 servers into a GWLB group, 300 into an ELB pool, one invalid request, one quota hit',
      ),
  )
    .option('--exit', 'stop everything once the runs are done')
    .action(async (flags: StackFlags) => {
      const g = globals();
      let stack: Stack | undefined;
      try {
        stack = await start(flags, Boolean(g.json));
        if (!g.json) out(`\nlbflow demo:\n${describeStack(stack)}\n`);
        const temporal = await connectTemporal({ address: stack.address, namespace: 'default', webUi: stack.webUi });
        const started = performance.now();
        let rows;
        try {
          rows = await runDemo(temporal.client, temporal.namespace, stack.webUi, process.stderr, Boolean(g.json));
        } finally {
          await temporal.close();
        }
        const seconds = (performance.now() - started) / 1000;
        const allExpected = rows.every((r) => r.expected);
        if (g.json) out(JSON.stringify({ seconds, allExpected, runs: rows, webUi: stack.webUi }, null, 2));
        else
          out(
            `\n${demoTable(rows)}\n\n${rows.length} runs in ${seconds.toFixed(1)} s; ${allExpected ? 'every run ended as expected' : 'SOME RUNS DID NOT END AS EXPECTED'}.\nWeb UI: ${stack.webUi}\n`,
          );
        if (flags.exit) {
          await stack.stop();
          return setExit(allExpected ? EXIT.ok : EXIT.internal);
        }
        if (!g.json) out('Everything stays up for you to explore; Ctrl-C to stop.');
        setExit(await untilStopped(stack));
      } catch (error) {
        await stack?.stop();
        setExit(fail(g, error));
      }
    });

  return cli;
}

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const cli = program((c) => {
    code = c;
  });
  try {
    await cli.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof UsageError) {
      err(`lbflow: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    err(`lbflow: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = EXIT.internal;
  },
);
