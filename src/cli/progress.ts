// Live progress: one bar per run on a terminal (cli-progress), one line per change elsewhere (CI logs, pipes).
import cliProgress from 'cli-progress';
import { countsText, type Progress } from '../domain/index.js';
import type { AddServersHandle, AddServersResult } from '../client/index.js';

export interface RunView {
  update(progress: Progress): void;
  done(summary: string): void;
}

export interface Board {
  add(name: string): RunView;
  stop(): void;
}

/** Servers that are ready by the run's `waitFor`, counting those already in the group. */
export function readyCount(progress: Progress): number {
  return progress.states.ready ?? 0;
}

/** Lifecycle states, then the provider's own words for what it listed: "ready 400, added 200 · Available 400". */
function statusText(progress: Progress): string {
  const provider = countsText(progress.providerStatuses);
  return `${countsText(progress.states)}${provider ? ` · ${provider}` : ''}`;
}

function line(name: string, p: Progress): string {
  return `${name}: ${p.phase}, chunk ${p.chunksDone}/${p.chunksTotal}, ${readyCount(p)}/${p.requested} ready (${statusText(p)})`;
}

/** Bars on a TTY stream. */
function barBoard(stream: NodeJS.WriteStream): Board {
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: '{name} |{bar}| {value}/{total} ready · chunk {chunks} · {phase} · {statuses}',
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    add(name) {
      const bar = multi.create(1, 0, { name, chunks: '-', phase: 'starting', statuses: '' });
      return {
        update(p) {
          bar.setTotal(Math.max(1, p.requested));
          bar.update(readyCount(p), {
            chunks: `${p.chunksDone}/${p.chunksTotal}`,
            phase: p.phase,
            statuses: statusText(p),
          });
        },
        done(summary) {
          bar.update({ phase: summary });
        },
      };
    },
    stop: () => multi.stop(),
  };
}

/** A line per change of phase or chunk, for logs. */
function lineBoard(stream: NodeJS.WritableStream): Board {
  return {
    add(name) {
      let last = '';
      return {
        update(p) {
          const key = `${p.phase}/${p.chunksDone}`;
          if (key === last) return;
          last = key;
          stream.write(`${line(name, p)}\n`);
        },
        done(summary) {
          stream.write(`${name}: ${summary}\n`);
        },
      };
    },
    stop() {},
  };
}

/** Bars when `stream` is a terminal, lines otherwise; nothing at all when `quiet` (--json). */
export function createBoard(stream: NodeJS.WriteStream, quiet: boolean): Board {
  if (quiet) return { add: () => ({ update() {}, done() {} }), stop() {} };
  return stream.isTTY ? barBoard(stream) : lineBoard(stream);
}

export type Outcome =
  { readonly ok: true; readonly result: AddServersResult } | { readonly ok: false; readonly error: unknown };

/** Follows a run to its end, showing its progress every `intervalMs`; the outcome carries the typed error. */
export async function follow(handle: AddServersHandle, view: RunView, intervalMs = 500): Promise<Outcome> {
  let settled = false;
  const outcome = handle.result().then(
    (result): Outcome => ({ ok: true, result }),
    (error: unknown): Outcome => ({ ok: false, error }),
  );
  void outcome.finally(() => {
    settled = true;
  });
  while (!settled) {
    try {
      view.update(await handle.progress());
    } catch {
      // No worker has answered yet, or the run just ended: the next round or the outcome tells.
    }
    await Promise.race([outcome, new Promise((r) => setTimeout(r, intervalMs))]);
  }
  try {
    // A closed run still answers its query (a worker replays it): the view ends on the final counts.
    view.update(await handle.progress());
  } catch {
    // No worker to answer: the summary that follows says how it ended.
  }
  return outcome;
}
