// The one interface a provider implements for the workflow side: each provider's folder exports one
// (src/providers/<name>/definition/), src/registry lists them, and every room asks the registry, never a name.
import type { z } from 'zod';
import type { ErrorRules } from './classify.js';
import type {
  GroupRefOf,
  IdentityRules,
  IdentityOf,
  Provider,
  Readiness,
  RequestInputOf,
  RequestOf,
} from './provider.js';
import type { RequestParts } from './request.js';

/** Where a provider's group is named: the request field, and the reference every call and workflow id is built from. */
export interface GroupRules<P extends Provider = Provider> {
  /** The field of a request (and of its group reference) that holds the group's id: `serverGroupId`, `poolId`. */
  readonly idField: string;
  /** The group a parsed request targets. */
  ref(request: RequestOf<P>): GroupRefOf<P>;
}

/** What lbflow knows of one provider, workflow-safe (no I/O, no Node built-in). */
export interface ProviderDefinition<P extends Provider = Provider> {
  readonly name: P;
  readonly readiness: Readiness;
  readonly identity: IdentityRules<IdentityOf<P>>;
  readonly group: GroupRules<P>;
  readonly errors: ErrorRules;
  /** Builds the provider's request schema from the shared parts, once per realm (src/registry's `requestSchemas()`). */
  requestSchema(parts: RequestParts): z.ZodType<RequestOf<P>, RequestInputOf<P>>;
}
