// The request bodies and queries of each ELB call, as plain data: field names and order as the API documents them.
import { chunk } from '../../domain/index.js';
import { type HuaweiServer } from './definition/index.js';
import type { RemovableOf } from '../types.js';

/** Address filters per ListMembers call: the same bound as a batch, which keeps the URL near 5 kB. */
export const ELB_MAX_FILTER_VALUES = 200;

/** batch-add: `{members:[{address, protocol_port, subnet_cidr_id?, weight, name?, availability_zone?}]}`. */
export function batchAddBody(servers: readonly HuaweiServer[]): { members: Array<Record<string, unknown>> } {
  return {
    members: servers.map((s) => {
      const m: Record<string, unknown> = { address: s.address, protocol_port: s.protocolPort };
      if (s.subnetCidrId !== undefined) m.subnet_cidr_id = s.subnetCidrId;
      m.weight = s.weight;
      if (s.name !== undefined) m.name = s.name;
      if (s.availabilityZone !== undefined) m.availability_zone = s.availabilityZone;
      return m;
    }),
  };
}

/** batch-delete by address and port (never mixed with id in one item). */
export function batchDeleteBody(servers: readonly RemovableOf<'huawei-elb'>[]): {
  members: Array<{ address: string; protocol_port: number }>;
} {
  return { members: servers.map((s) => ({ address: s.address, protocol_port: s.protocolPort })) };
}

/**
 * The filter sets for listing some members: addresses in batches of at most 200 as repeated `address` keys, each
 * with every requested port as repeated `protocol_port` keys (a superset, narrowed by identity key afterwards).
 */
export function memberFilters(
  servers: readonly RemovableOf<'huawei-elb'>[] | undefined,
): Array<Array<[string, string]>> {
  if (servers === undefined) return [[]];
  const ports = [...new Set(servers.map((s) => String(s.protocolPort)))];
  const portFilter: Array<[string, string]> =
    ports.length <= ELB_MAX_FILTER_VALUES ? ports.map((p) => ['protocol_port', p]) : [];
  return chunk([...new Set(servers.map((s) => s.address))], ELB_MAX_FILTER_VALUES).map((addresses) => [
    ...addresses.map((a): [string, string] => ['address', a]),
    ...portFilter,
  ]);
}

/** One ListMembers page: `limit`, the filters, and `marker` after the first page. */
export function listMembersQuery(
  limit: number,
  filter: ReadonlyArray<[string, string]>,
  marker: string | undefined,
): Array<[string, string]> {
  const query: Array<[string, string]> = [['limit', String(limit)], ...filter];
  if (marker !== undefined) query.push(['marker', marker]);
  return query;
}
