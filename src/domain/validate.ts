// The front door for requests: every problem at once, as path + sentence, bounded in count and size.
import type { z } from 'zod';
import type { AddServersRequest, AddServersRequestInput } from './request.js';
import { quote, utf8Length } from './text.js';

/** One problem with a request: `path` like `servers[3].port` ('' for the request itself) and a sentence naming the value's problem and the rule. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

export type ValidationResult =
  | { readonly ok: true; readonly request: AddServersRequest }
  | { readonly ok: false; readonly issues: ValidationIssue[] };

/** Issues listed before the rest are summarised, so a hostile payload cannot make a giant failure. */
export const MAX_LISTED_ISSUES = 100;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Renders a zod path human style: `servers[3].port`, `options.maxChunkSize`, '' for the root. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${quote(String(key))}]`;
  }
  return out;
}

/** Keeps the first MAX_LISTED_ISSUES issues and adds one entry counting the rest. */
function capIssues(issues: readonly ValidationIssue[]): ValidationIssue[] {
  if (issues.length <= MAX_LISTED_ISSUES) return [...issues];
  const rest = issues.length - MAX_LISTED_ISSUES;
  return [
    ...issues.slice(0, MAX_LISTED_ISSUES),
    { path: '', message: `…and ${rest} more issue${rest === 1 ? '' : 's'} not listed.` },
  ];
}

// Only reached by an issue no schema message covers; a test asserts that no rule ends up here.
const fallbackMessage = (issue: z.core.$ZodRawIssue): string => {
  const where = formatPath(issue.path ?? []);
  return `${where === '' ? 'The request' : where} is not valid (${issue.code}).`;
};

/**
 * Largest request accepted, as JSON. Temporal refuses workflow inputs over 2 MB (its default blob limit), and a
 * request's servers travel on to its group's coordinator, so lbflow keeps room. The client library checks it
 * before starting; the workflow checks it again for callers that start it directly.
 */
export const MAX_REQUEST_BYTES = 1_500_000;

/** The size rule as an issue, or undefined when `input` (JSON data) is small enough. Throws on data that is not JSON. */
export function requestSizeIssue(input: unknown): ValidationIssue | undefined {
  const bytes = utf8Length(JSON.stringify(input) ?? '');
  if (bytes <= MAX_REQUEST_BYTES) return undefined;
  return {
    path: '',
    message: `The request is ${(bytes / 1e6).toFixed(2)} MB as JSON; lbflow accepts at most ${(MAX_REQUEST_BYTES / 1e6).toFixed(1)} MB (Temporal refuses workflow inputs over 2 MB): split the servers into several requests.`,
  };
}

/**
 * Validates an AddServers request (unknown JSON) against the request schema (src/registry's union of every provider's)
 * and reports every problem, duplicates that disagree included.
 */
export function validateWith(
  schema: z.ZodType<AddServersRequest, AddServersRequestInput>,
  input: unknown,
): ValidationResult {
  const result = schema.safeParse(input, { error: fallbackMessage });
  if (result.success) return { ok: true, request: result.data };
  return {
    ok: false,
    issues: capIssues(result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }))),
  };
}

/** One multi-line message for a failure: a heading, then one `path: message` line per issue (capped like validation). */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  const lines = capIssues(issues).map((i) => `- ${i.path === '' ? '(request)' : i.path}: ${i.message}`);
  return ['The AddServers request is invalid:', ...lines].join('\n');
}
