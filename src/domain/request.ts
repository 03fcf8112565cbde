// The AddServers request contract's shared parts: the rules every provider's request schema is built from (each
// provider's own fields live in its definition, src/providers/<name>/definition/request.ts), whose every message
// names the field's problem and the rule it broke.
import { z } from 'zod';
import { dedupeBy } from './dedupe.js';
import type { IdentityRules, RequestInputOf, RequestOf } from './provider.js';
import { integer, must, says, strictObject, text, whenObject, type Input } from './fields.js';

/** Upper bound on one request; near it a request nears Temporal's 2 MB payload limit, so callers should stay well under. */
export const MAX_SERVERS_PER_REQUEST = 10_000;
/** Both APIs take at most 200 servers per call (GWLB maxItems 200; ELB "一次最多创建200个"). */
export const MAX_SERVERS_PER_CALL = 200;
/** `available`: wait until the provider reports the servers usable; `registered`: stop once the add is accepted. */
export const WAIT_FOR_VALUES = ['available', 'registered'] as const;
/** `keep`: leave added servers on failure; `rollback`: remove what this run added. */
export const ON_FAILURE_VALUES = ['keep', 'rollback'] as const;
/** Default poll interval; shortened to the timeout when the timeout is shorter, so a short timeout alone is valid. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 5;

/**
 * Sub-second polls (tenths) for providers whose groups settle in well under a second; whole seconds above one,
 * as before, so every request that was valid stays valid.
 */
const POLL_INTERVAL_RULE = 'a number of seconds: tenths from 0.1 to 0.9, or an integer from 1 to 300';
function isPollInterval(n: number): boolean {
  if (n >= 1) return Number.isInteger(n) && n <= 300;
  return n >= 0.1 && Math.abs(n * 10 - Math.round(n * 10)) < 1e-9;
}
/** How many chunks an add may run ahead of the check that an earlier chunk's servers are ready (see the workflow). */
export const MAX_CHUNKS_AHEAD = 50;

const REGION = /^[a-z]{2,}(?:-[a-z0-9]+)+$/;

// ---------------------------------------------------------------- requests

/** The server list: size-checked before any element is parsed, then checked for conflicting duplicates among the valid elements. */
export function serversField<E extends z.ZodType>(identity: IdentityRules, element: E) {
  const sizeMessage = (input: Input) =>
    Array.isArray(input) && input.length > 0
      ? `servers must list at most ${MAX_SERVERS_PER_REQUEST} servers per request; got ${input.length}.`
      : must('servers', `a list of 1 to ${MAX_SERVERS_PER_REQUEST} servers`)(input);
  return z
    .array(element, says(sizeMessage))
    .min(1, says(sizeMessage))
    .max(MAX_SERVERS_PER_REQUEST, says(sizeMessage))
    .superRefine(
      (value, ctx) => {
        // Elements that failed their own rules are left out: a conflict is only meaningful between valid servers.
        const broken = new Set<PropertyKey>();
        for (const issue of ctx.issues)
          if (issue.path !== undefined && issue.path.length > 0) broken.add(issue.path[0] as PropertyKey);
        const indices: number[] = [];
        const valid: object[] = [];
        (value as unknown[]).forEach((server, index) => {
          if (!broken.has(index)) {
            indices.push(index);
            valid.push(server as object);
          }
        });
        for (const conflict of dedupeBy(identity, valid).conflicts) {
          const index = indices[conflict.index] ?? conflict.index;
          const first = indices[conflict.firstIndex] ?? conflict.firstIndex;
          const kept = valid[conflict.firstIndex] as object;
          ctx.addIssue({
            code: 'custom',
            path: [index],
            input: (value as unknown[])[index],
            message: `Same identity as servers[${first}] (${identity.describe(kept)}) but different attributes (${conflict.fields.join(', ')}); remove one or make them identical.`,
          });
        }
      },
      { when: (payload) => Array.isArray(payload.value) },
    );
}

// ---------------------------------------------------------------- the schemas

/**
 * Builds the parts shared by every provider's request schema. Called once per realm through `requestParts()` (by
 * src/registry's `requestSchemas()`): inside the workflow sandbox once per worker, before the first workflow
 * (src/workflows/preload.ts), so no workflow pays for building them. They live in a closure, never in a module
 * export: the SDK freezes what shared modules export, and zod memoises into its schemas.
 */
function buildRequestParts() {
  const regionSchema = text(
    (v) => v.length <= 32 && REGION.test(v),
    must(
      'Region',
      'a lower-case region id such as "cn-hangzhou" or "ap-southeast-1" (letters, digits and hyphens, at most 32 characters)',
    ),
  );

  // ---------------------------------------------------------------- options

  const optionsObject = strictObject('options', {
    maxChunkSize: integer(
      1,
      MAX_SERVERS_PER_CALL,
      must(
        'maxChunkSize',
        `an integer from 1 to ${MAX_SERVERS_PER_CALL} (both APIs take at most ${MAX_SERVERS_PER_CALL} servers per call)`,
      ),
    ).default(MAX_SERVERS_PER_CALL),
    dryRun: z.boolean(says(must('dryRun', 'true or false'))).default(false),
    waitFor: z.enum(WAIT_FOR_VALUES, says(must('waitFor', '"available" or "registered"'))).default('available'),
    availabilityTimeoutSeconds: integer(
      1,
      86_400,
      must('availabilityTimeoutSeconds', 'an integer from 1 to 86400 (one day)'),
    ).default(900),
    pollIntervalSeconds: z
      .number(says(must('pollIntervalSeconds', POLL_INTERVAL_RULE)))
      .refine(isPollInterval, says(must('pollIntervalSeconds', POLL_INTERVAL_RULE)))
      .optional(),
    chunksAhead: integer(
      0,
      MAX_CHUNKS_AHEAD,
      must('chunksAhead', `an integer from 0 to ${MAX_CHUNKS_AHEAD}`),
    ).optional(),
    onFailure: z.enum(ON_FAILURE_VALUES, says(must('onFailure', '"keep" or "rollback"'))).default('keep'),
  });

  /** Options shared by both providers; every field has a default, so `{}` is valid. */
  const AddServersOptionsSchema = optionsObject
    .superRefine((value, ctx) => {
      const { pollIntervalSeconds: poll, availabilityTimeoutSeconds: timeout } = value as Record<string, unknown>;
      if (
        typeof poll === 'number' &&
        typeof timeout === 'number' &&
        isPollInterval(poll) &&
        Number.isInteger(timeout) &&
        poll > timeout
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['pollIntervalSeconds'],
          input: poll,
          message: `pollIntervalSeconds (${poll}) must not exceed availabilityTimeoutSeconds (${timeout}): the wait would time out before its first poll.`,
        });
      }
    }, whenObject)
    .transform((o) => ({
      ...o,
      pollIntervalSeconds:
        o.pollIntervalSeconds ?? Math.min(DEFAULT_POLL_INTERVAL_SECONDS, o.availabilityTimeoutSeconds),
    }));

  // Absent options parse as `{}`, so the parsed request always carries every default.
  const optionsField = AddServersOptionsSchema.prefault({});

  return { regionSchema, AddServersOptionsSchema, optionsField };
}

/** What every provider's request schema is built from: the region rule and the options (see `requestParts()`). */
export type RequestParts = ReturnType<typeof buildRequestParts>;
let built: RequestParts | undefined;
/**
 * The shared parts of every provider's request schema, built on first use and shared after (they hold no
 * per-request state). Each provider's definition builds its request schema from them; src/registry builds the union.
 */
export function requestParts(): RequestParts {
  return (built ??= buildRequestParts());
}

export type AddServersOptionsInput = z.input<RequestParts['AddServersOptionsSchema']>;
export type AddServersOptions = z.output<RequestParts['AddServersOptionsSchema']>;
/** Any provider's request as a caller writes it. */
export type AddServersRequestInput = RequestInputOf;
/** Any provider's parsed request, discriminated on `provider`. */
export type AddServersRequest = RequestOf;
