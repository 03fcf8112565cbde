// The schemas that name every provider, built from the registry's providers: the request union (each provider's
// request schema, discriminated on `provider`), the coordinator's messages and the contract's JSON Schemas.
import { z } from 'zod';
import {
  buildContractSchemas,
  buildCoordinationSchemas,
  requestParts,
  validateWith,
  type AddServersOptionsInput,
  type AddServersOptions,
  type AddServersRequest,
  type AddServersRequestInput,
  type ContractSchemas,
  type CoordinationSchemas,
  type ValidationResult,
} from '../domain/index.js';
import { isRecord, must } from '../domain/fields.js';
import { PROVIDER_DEFINITIONS, PROVIDERS } from './providers.js';

/**
 * Builds the request schemas. Called once per realm through `requestSchemas()`: inside the workflow sandbox once per
 * worker, before the first workflow (src/workflows/preload.ts), so no workflow pays for building them. They live in a
 * closure, never in a module export: the SDK freezes what shared modules export, and zod memoises into its schemas.
 */
function buildRequestSchemas() {
  const parts = requestParts();
  const options = PROVIDER_DEFINITIONS.map((d) => d.requestSchema(parts));
  /** The workflow input: one request, discriminated on `provider`. */
  const AddServersRequestSchema = z.discriminatedUnion(
    'provider',
    options as unknown as [z.core.$ZodTypeDiscriminable, ...z.core.$ZodTypeDiscriminable[]],
    {
      error: (issue) => {
        if (issue.code === 'invalid_union') {
          const provider = isRecord(issue.input) ? issue.input.provider : undefined;
          return must('provider', `"${PROVIDERS.join('" or "')}"`)(provider);
        }
        if (issue.code === 'invalid_type') return must('The request', 'a JSON object')(issue.input);
        return undefined;
      },
    },
  ) as unknown as z.ZodType<AddServersRequest, AddServersRequestInput>;
  const AddServersOptionsSchema: z.ZodType<AddServersOptions, AddServersOptionsInput> = parts.AddServersOptionsSchema;
  return { AddServersOptionsSchema, AddServersRequestSchema };
}

export type RequestSchemas = ReturnType<typeof buildRequestSchemas>;
let requests: RequestSchemas | undefined;
/** The request schemas, built on first use and shared after (they hold no per-request state). */
export function requestSchemas(): RequestSchemas {
  return (requests ??= buildRequestSchemas());
}

/** Validates an AddServers request (unknown JSON) and reports every problem, duplicates that disagree included. */
export function validateAddServersRequest(input: unknown): ValidationResult {
  return validateWith(requestSchemas().AddServersRequestSchema, input);
}

let coordination: CoordinationSchemas | undefined;
/** The coordinator's message schemas, built on first use and shared after. */
export function coordinationSchemas(): CoordinationSchemas {
  return (coordination ??= buildCoordinationSchemas({
    names: PROVIDERS,
    request: requestSchemas().AddServersRequestSchema,
  }));
}

let contract: ContractSchemas | undefined;
/** The contract's schemas (result, failure details, progress, report memo), built on first use. */
export function contractSchemas(): ContractSchemas {
  return (contract ??= buildContractSchemas(PROVIDERS));
}
