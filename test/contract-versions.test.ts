// What one lbflow version hands another (docs/upgrading.md): a request of one version talks to a coordinator of
// another, and a coordinator continues as new onto another version, forward on an upgrade and back on a rollback. So
// every kept release's readers (schemas/releases/<version>/) must read what the current code writes, and the current
// code must read what they wrote. Here: the messages and carried states in every released history against every kept
// release's readers and the current code's. Drill 8 (upgrade) checks the same on what the current code writes.
import { readdirSync, readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { describe, expect, it } from 'vitest';
import { crossingsOf, releaseReaders, RELEASES_DIR, unreadable, type Crossing } from '../drills/crossings.js';
import { BETWEEN_VERSIONS, readerSchemaText } from '../scripts/contract-schemas.js';
import pkg from '../package.json' with { type: 'json' };

const HISTORIES = new URL('./fixtures/histories/', import.meta.url);
const released = readdirSync(HISTORIES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(new URL(`${d.name}/`, HISTORIES)).map((f) => `${d.name}/${f}`))
  .filter((f) => f.endsWith('.json'));
const crossings: Crossing[] = released.flatMap((f) =>
  crossingsOf(historyFromJSON(JSON.parse(readFileSync(new URL(f, HISTORIES), 'utf8'))), f),
);
const releases = readdirSync(RELEASES_DIR).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
const title = (text: string) => text.replace(/"title": "lbflow [^:]+:/, '"title": "lbflow X:');

describe('what crosses a version boundary is read by both neighbours', () => {
  it('the released histories hold every kind of crossing: submissions and updates both ways, and carried states', () => {
    const kinds = new Map<string, number>();
    for (const c of crossings) kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
    // No released history was cancelled, so none holds a report memo: its writers' shapes are checked below.
    for (const b of BETWEEN_VERSIONS.filter((x) => x.name !== 'report-memo'))
      expect(kinds.get(b.name) ?? 0, b.name).toBeGreaterThan(0);
  });

  it("every kept release, and the current client, reads the report memo each release's cancelled request writes", () => {
    // What a cancelled request of 0.1.0 and 0.2.0 upserts (add-servers.ts): the lists, any failure details, type Cancelled.
    const written = [
      { added: [], alreadyPresent: [], type: 'Cancelled' },
      {
        added: ['Ip:10.0.0.1:6081'],
        alreadyPresent: [],
        rolledBack: ['Ip:10.0.0.1:6081'],
        keptForOthers: [],
        type: 'Cancelled',
      },
      {
        added: ['a'],
        alreadyPresent: ['b'],
        stragglers: [{ key: 'a', status: 'Adding' }],
        provider: 'alibaba-gwlb',
        type: 'Cancelled',
      },
      // A newer writer's field: readers pass it through.
      { added: [], alreadyPresent: [], type: 'Cancelled', removedOutOfBand: ['c'] },
    ].map((value, n) => ({ kind: 'report-memo' as const, value, where: `memo ${n}` }));
    expect(unreadable(written)).toEqual([]);
    const refused = unreadable([{ kind: 'report-memo', value: { alreadyPresent: [] }, where: 'no added' }]);
    expect(refused.map((u) => u.release)).toEqual(releases);
  });

  it('every kept release, and the current code, reads every message and carried state a release wrote', () => {
    expect(unreadable(crossings)).toEqual([]);
    const current = Object.fromEntries(BETWEEN_VERSIONS.map((b) => [b.name, b.zod()]));
    const refused = crossings.filter((c) => !current[c.kind]!.safeParse(c.value).success).map((c) => c.where);
    expect(refused).toEqual([]);
  });

  it("the newest kept release's readers are the current code's: a change to what crosses needs a new release's readers", () => {
    const newest = releases.filter((r) => r.localeCompare(pkg.version, 'en', { numeric: true }) <= 0).at(-1)!;
    expect(newest).toBeDefined();
    for (const b of BETWEEN_VERSIONS)
      expect(
        title(readerSchemaText(b, pkg.version)),
        `the current ${b.name} reader differs from release ${newest}'s: make sure every kept release reads what this code writes and this code reads what they wrote, then keep the new readers with \`npx tsx scripts/contract-schemas.ts --release\``,
      ).toBe(title(readFileSync(new URL(`${newest}/${b.name}.schema.json`, RELEASES_DIR), 'utf8')));
  });

  it('a kept reader refuses what it cannot read: a message with a field it does not know, a carried state of another frame', () => {
    const submit = crossings.find(
      (c) => c.kind === 'coordinator-message' && (c.value as { kind: string }).kind === 'submit',
    )!;
    const carried = crossings.find((c) => c.kind === 'carried-state')!;
    const planted: Crossing[] = [
      { ...submit, value: { ...(submit.value as object), priority: 1 }, where: 'planted: an unknown field' },
      { ...carried, value: { ...(carried.value as object), v: 2 }, where: 'planted: frame 2' },
    ];
    const found = unreadable(planted, releaseReaders());
    expect(found.map((u) => `${u.release} ${u.crossing.where}`).sort((a, b) => a.localeCompare(b))).toEqual(
      releases.flatMap((r) => planted.map((p) => `${r} ${p.where}`)).sort((a, b) => a.localeCompare(b)),
    );
  });
});
