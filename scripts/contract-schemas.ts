// Writes the request's JSON Schema (schemas/add-servers-request.schema.json) from the zod schema the client and
// the workflow check requests with, for callers in other languages. `npx tsx scripts/contract-schemas.ts`;
// test/contract-schema.test.ts fails when the committed file and the zod schema disagree.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { requestSchemas, WORKFLOW_TYPE } from '../src/domain/index.js';

export const REQUEST_SCHEMA_FILE = fileURLToPath(new URL('../schemas/add-servers-request.schema.json', import.meta.url));

/**
 * The request as JSON Schema (2020-12): fields, types, enums, required fields and defaults. Rules zod checks in
 * code (id formats, address ranges, sizes) are not expressible here: the workflow still refuses what breaks
 * them, as a ValidationError naming the field.
 */
export function requestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(requestSchemas().AddServersRequestSchema as never, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    title: `${WORKFLOW_TYPE} request`,
    description: `The one argument of the ${WORKFLOW_TYPE} workflow on task queue lbflow. Generated from lbflow's zod schema; the workflow checks more than this schema can say and fails with a ValidationError naming the field.`,
  };
}

export function requestSchemaText(): string {
  return `${JSON.stringify(requestJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(REQUEST_SCHEMA_FILE, requestSchemaText());
  process.stdout.write(`wrote ${REQUEST_SCHEMA_FILE}\n`);
}
