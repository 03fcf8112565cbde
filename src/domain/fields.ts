// The field rules every request schema is written with (the shared parts in request.ts, each provider's fields in
// its definition): one message per rule, naming the field and what it must be. Not part of the domain's index.
import { z } from 'zod';
import { describeValue, listNames } from './text.js';

export type Input = unknown;

/** Builds "X must be R; got V." or "X is required: it must be R." so every rule reads the same way. */
export function must(field: string, requirement: string, hint?: (input: Input) => string) {
  return (input: Input): string =>
    input === undefined
      ? `${field} is required: it must be ${requirement}.`
      : `${field} must be ${requirement}; got ${describeValue(input)}${hint?.(input) ?? ''}.`;
}

/** A zod error-map option that renders `message` from the rejected input. */
export function says(message: (input: Input) => string) {
  return { error: (issue: { input?: unknown }) => message(issue.input) };
}

/** A string field with one rule and one message for both a wrong type and a broken rule. */
export function text(test: (value: string) => boolean, message: (input: Input) => string) {
  return z.string(says(message)).refine(test, says(message));
}

/** An integer field in [min, max]; z.int() is avoided because its issue aborts sibling cross-field checks. */
export function integer(min: number, max: number, message: (input: Input) => string) {
  return z.number(says(message)).refine((n) => Number.isInteger(n) && n >= min && n <= max, says(message));
}

/** A strict object (unknown keys, including `__proto__`, are rejected) whose unknown-key message lists the allowed fields. */
export function strictObject<S extends z.core.$ZodLooseShape>(what: string, shape: S) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        const plural = issue.keys.length === 1 ? '' : 's';
        return `Unknown field${plural} ${listNames(issue.keys)} in ${what}; allowed fields are ${allowed}.`;
      }
      if (issue.code === 'invalid_type')
        return must(what.charAt(0).toUpperCase() + what.slice(1), 'a JSON object')(issue.input);
      return undefined;
    },
  });
}

/** Lets a cross-field check run even when some fields failed, so independent rules still report. */
export const whenObject = { when: (payload: { value: unknown }) => isRecord(payload.value) };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
