// What identifies a GWLB server in its group: its type, id and port (ListServerGroupServers returns them per member).
import type { IdentityRules } from '../../../domain/index.js';

/** A GWLB server's identity (loose types, so listed members fit too). */
export interface AlibabaIdentity {
  readonly serverType: string;
  readonly serverId: string;
  readonly port: number;
}

export const alibabaIdentity: IdentityRules<AlibabaIdentity> = {
  fields: ['serverType', 'serverId', 'port'],
  /** `Type:id:port`. */
  key: (server) => `${server.serverType}:${server.serverId}:${server.port}`,
  describe: (server) => `${server.serverType} ${server.serverId} port ${server.port}`,
  fromKey(key) {
    const cut = key.lastIndexOf(':');
    const head = key.slice(0, cut);
    const colon = head.indexOf(':');
    return { serverType: head.slice(0, colon), serverId: head.slice(colon + 1), port: Number(key.slice(cut + 1)) };
  },
};
