// The parameters of each GWLB action, flattened in a fixed order (top-level names alphabetical, Servers in the
// order given, each server's fields alphabetical): the body the vendor SDK sends for the same call.
import type { RemovableOf } from '../types.js';
import { flattenParams, type FlatPairs } from './form.js';

/**
 * AddServersToServerGroup / RemoveServersFromServerGroup: ClientToken, DryRun, ServerGroupId, Servers.N.*. DryRun
 * goes only when true, as the vendor SDK sends it only when the caller sets it: a call lbflow retries then carries
 * the same parameters as one the SDK sent, and a ClientToken replay between the two matches.
 */
export function changeParams(
  serverGroupId: string,
  servers: readonly RemovableOf<'alibaba-gwlb'>[],
  clientToken: string | undefined,
  dryRun: boolean,
): FlatPairs {
  return flattenParams({
    ClientToken: clientToken,
    DryRun: dryRun ? true : undefined,
    ServerGroupId: serverGroupId,
    Servers: servers.map((s) => ({
      Port: s.port,
      ServerId: s.serverId,
      ServerIp: s.serverIp,
      ServerType: s.serverType,
    })),
  });
}

/** ListServerGroupServers: one page of a group, optionally only some ServerIds (at most 200). */
export function listServerGroupServersParams(
  serverGroupId: string,
  maxResults: number,
  nextToken: string,
  serverIds?: readonly string[],
): FlatPairs {
  return flattenParams({
    MaxResults: maxResults,
    NextToken: nextToken === '' ? undefined : nextToken,
    ServerGroupId: serverGroupId,
    ServerIds: serverIds,
  });
}

/** ListServerGroups for one group: `ServerGroupIds.1`. */
export function listServerGroupsParams(serverGroupId: string): FlatPairs {
  return flattenParams({ ServerGroupIds: [serverGroupId] });
}
