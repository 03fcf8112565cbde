// Writes the message contract as JSON Schema (2020-12) into schemas/, from the zod schemas lbflow itself uses, for
// callers in other languages: the request (the workflow's one argument), the result, a failure's details and the
// progress query's answer. `npx tsx scripts/contract-schemas.ts`; test/contract-schema.test.ts fails when a
// committed file and its zod schema disagree.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { contractSchemas, requestSchemas, WORKFLOW_TYPE } from '../src/domain/index.js';

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
}
