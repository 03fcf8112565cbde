// What the Temporal Web UI shows of lbflow's runs (user metadata): a one-line summary per workflow and per
// activity, and live details as a small Markdown table. Short, plain, and the same wherever a run is started.
import type { Progress } from './contract.js';

/** 1234567 → "1,234,567", the same in every locale and inside the workflow sandbox. */
export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "1 server", "1,000 servers". */
export function serverCount(n: number): string {
  return `${count(n)} server${n === 1 ? '' : 's'}`;
}

/** Counts as text, the largest first: "ready 400, added 200" (zero counts left out; '' when there are none). */
export function countsText(counts: Readonly<Record<string, number | undefined>>): string {
  return Object.entries(counts)
    .filter((e): e is [string, number] => (e[1] ?? 0) > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${count(n)}`)
    .join(', ');
}

/** How a run that failed ended, for its details: the catalogue type, the provider's code, a quota's figures. */
export interface RunEnding {
  readonly type: string;
  readonly code?: string | undefined;
  readonly quota?:
    | {
        readonly limit?: number | undefined;
        readonly groupHolds?: number | undefined;
        readonly fits?: number | undefined;
      }
    | undefined;
}

/**
 * A request's live details: phase, chunks done of total, counts and its servers by state, as a two-column Markdown
 * table; for a run that failed, also how (type and provider code) and, on a quota, what the group holds and fits.
 */
export function progressDetails(progress: Progress, ending?: RunEnding): string {
  const states = countsText(progress.states);
  const provider = countsText(progress.providerStatuses);
  const rows: [string, string][] = [
    ['phase', progress.phase],
    ['chunks', `${count(progress.chunksDone)} of ${count(progress.chunksTotal)}`],
    [
      'servers',
      `${count(progress.requested)} requested, ${count(progress.added)} added, ${count(progress.alreadyPresent)} already present`,
    ],
    ['by state', states || '–'],
    ['provider says', provider || '–'],
  ];
  if (ending) rows.push(['failed', ending.code ? `${ending.type} (${ending.code})` : ending.type]);
  const q = ending?.quota;
  if (q?.groupHolds !== undefined) {
    rows.push([
      'quota',
      q.limit === undefined
        ? `the group holds ${count(q.groupHolds)}`
        : `the group holds ${count(q.groupHolds)} of ${count(q.limit)}; ${count(q.fits ?? 0)} more fit`,
    ]);
  }
  return ['| | |', '|---|---|', ...rows.map(([k, v]) => `| **${k}** | ${v} |`)].join('\n');
}
