// What identifies an ELB member in its pool: "two members of a pool must differ in address and port".
import { canonicalAddress, type IdentityRules } from '../../../domain/index.js';

export interface HuaweiIdentity {
  readonly address: string;
  readonly protocolPort: number;
}

export const huaweiIdentity: IdentityRules<HuaweiIdentity> = {
  fields: ['address', 'protocolPort'],
  /** `address:port`, an IPv6 address in brackets and in its canonical form. */
  key(server) {
    const address = canonicalAddress(server.address);
    return address.includes(':') ? `[${address}]:${server.protocolPort}` : `${address}:${server.protocolPort}`;
  },
  describe: (server) => `${canonicalAddress(server.address)} port ${server.protocolPort}`,
  fromKey(key) {
    const cut = key.lastIndexOf(':');
    const head = key.slice(0, cut);
    const address = head.startsWith('[') && head.endsWith(']') ? head.slice(1, -1) : head;
    return { address, protocolPort: Number(key.slice(cut + 1)) };
  },
};
