// Writes the message contract as JSON Schema (2020-12) into schemas/, from the zod schemas lbflow itself uses, for
// callers in other languages: the request (the workflow's one argument), the result, a failure's details and the
// progress query's answer. `npx tsx scripts/contract-schemas.ts`; test/contract-schema.test.ts fails when a
// committed file and its zod schema disagree.
//
// It also writes what one lbflow version hands another (docs/upgrading.md): the readers of the messages between a
// request and its coordinator and of the coordinator's carried state, into schemas/releases/<version>/ for the
// package's version. Each release's readers are kept as written: test/contract-versions.test.ts checks that what the
// current code writes is read by every kept release, and that what they wrote is read by the current code.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { WORKFLOW_TYPE } from '../src/domain/index.js';
import { contractSchemas, coordinationSchemas, requestSchemas } from '../src/registry/index.js';

const schemaFile = (name: string) => fileURLToPath(new URL(`../schemas/${name}.schema.json`, import.meta.url));

export const REQUEST_SCHEMA_FILE = schemaFile('add-servers-request');

interface ContractSchema {
  readonly file: string;
  readonly title: string;
  readonly description: string;
  readonly zod: () => z.ZodType;
  /** `input` for what callers send (defaults are optional), `output` for what lbflow sends back. */
  readonly io: 'input' | 'output';
}

/** Every schema of the contract, by file. */
export const CONTRACT: readonly ContractSchema[] = [
  {
    file: REQUEST_SCHEMA_FILE,
    title: `${WORKFLOW_TYPE} request`,
    description: `The one argument of the ${WORKFLOW_TYPE} workflow on task queue lbflow. Generated from lbflow's zod schema; the workflow checks more than this schema can say (id formats, address ranges, sizes) and fails with a ValidationError naming the field.`,
    zod: () => requestSchemas().AddServersRequestSchema as never,
    io: 'input',
  },
  {
    file: schemaFile('add-servers-result'),
    title: `${WORKFLOW_TYPE} result`,
    description: `What a completed ${WORKFLOW_TYPE} run returns. Generated from lbflow's zod schema.`,
    zod: () => contractSchemas().AddServersResultSchema,
    io: 'output',
  },
  {
    file: schemaFile('failure-details'),
    title: `${WORKFLOW_TYPE} failure details`,
    description: `details[0] of the ApplicationFailure a failed ${WORKFLOW_TYPE} run ends with; its "type" is also the failure's type. Read the type, never the message. Generated from lbflow's zod schema.`,
    zod: () => contractSchemas().FailureDetailsSchema,
    io: 'output',
  },
  {
    file: schemaFile('progress'),
    title: `${WORKFLOW_TYPE} progress`,
    description: `What the "progress" query of a ${WORKFLOW_TYPE} run answers. Generated from lbflow's zod schema.`,
    zod: () => contractSchemas().ProgressSchema,
    io: 'output',
  },
];

/** The folder of one release's readers of what crosses a version boundary. */
export const releaseSchemaDir = (release: string) =>
  fileURLToPath(new URL(`../schemas/releases/${release}/`, import.meta.url));

/**
 * What crosses a version boundary, as the current code reads it: a request of one version talks to a coordinator of
 * another, and a coordinator continues as new onto another version. `input`: what a reader accepts.
 */
export const BETWEEN_VERSIONS = [
  {
    name: 'coordinator-message',
    title: 'what a request sends its coordinator (signal lbflowCoordinatorMessage)',
    zod: () => coordinationSchemas().CoordinatorMessageSchema as z.ZodType,
  },
  {
    name: 'request-update',
    title: 'what a coordinator sends a request (signal lbflowRequestUpdate)',
    zod: () => coordinationSchemas().RequestUpdateSchema as z.ZodType,
  },
  {
    name: 'report-memo',
    title: 'what a cancelled request leaves in its memo for the client (lbflowReport)',
    zod: () => contractSchemas().ReportMemoSchema as z.ZodType,
  },
  {
    name: 'carried-state',
    title: 'what a coordinator run hands its next run (the continue-as-new input)',
    zod: () => coordinationSchemas().CarriedStateFrameSchema as z.ZodType,
  },
] as const;
export type BetweenVersions = (typeof BETWEEN_VERSIONS)[number]['name'];

/**
 * Message kinds a release added, which older releases' readers refuse (they log it and go on): each is sent only
 * where refusing it is harmless, so an older reader is not required to read it (docs/upgrading.md, 0.4.0).
 *  - `owned` (request → coordinator, after its submission): a 0.3.0 coordinator refuses it and serves the request as
 *    it did, reporting what the request's earlier adds created as already present.
 *  - `sending` (an add → a request): sent only to a request that said `owned`, so never to a request older than 0.4.
 *  - `submit+pages` (a `submit` with `pages`: its servers' count alone): sent only to a coordinator whose `group` query
 *    says `pages`; one that refuses it is sent the submission with its servers (`kindOf`).
 */
export const NEWER_KINDS: Readonly<Record<string, { readonly kind: BetweenVersions; readonly since: string }>> = {
  owned: { kind: 'coordinator-message', since: '0.4.0' },
  sending: { kind: 'request-update', since: '0.4.0' },
  'submit+pages': { kind: 'coordinator-message', since: '0.4.0' },
};

/** A message's kind as NEWER_KINDS names it. */
export function kindOf(value: unknown): string | undefined {
  const message = value as { kind?: unknown; pages?: unknown } | null;
  if (typeof message?.kind !== 'string') return undefined;
  return message.kind === 'submit' && message.pages !== undefined ? 'submit+pages' : message.kind;
}

export function readerSchemaText(b: (typeof BETWEEN_VERSIONS)[number], release: string): string {
  const schema = z.toJSONSchema(b.zod(), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return `${JSON.stringify({ ...schema, title: `lbflow ${release}: ${b.title}` }, null, 2)}\n`;
}

/** One contract schema as JSON Schema: fields, types, enums, required fields, defaults and descriptions. */
export function jsonSchemaOf(c: ContractSchema): Record<string, unknown> {
  const schema = z.toJSONSchema(c.zod(), { io: c.io, unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: c.title, description: c.description };
}

export function schemaText(c: ContractSchema): string {
  return `${JSON.stringify(jsonSchemaOf(c), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const c of CONTRACT) {
    writeFileSync(c.file, schemaText(c));
    process.stdout.write(`wrote ${c.file}\n`);
  }
  if (process.argv.includes('--release')) {
    const { version } = (await import('../package.json', { with: { type: 'json' } })).default as { version: string };
    const dir = releaseSchemaDir(version);
    mkdirSync(dir, { recursive: true });
    for (const b of BETWEEN_VERSIONS) {
      writeFileSync(`${dir}${b.name}.schema.json`, readerSchemaText(b, version));
      process.stdout.write(`wrote ${dir}${b.name}.schema.json\n`);
    }
  }
}
