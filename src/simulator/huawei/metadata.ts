// A stand-in for the ECS metadata service's `securitykey`, on the ELB simulator's own port: the temporary AK/SK and
// security token of the agency attached to this "instance" (`GET /openstack/latest/securitykey`), with the IMDSv2
// token (`PUT /meta-data/latest/api/token`). The keys it hands out sign ELB calls until they expire; then the API
// gateway answers APIGW.0307, "The token must be updated".
import { randomBytes } from 'node:crypto';
import type { HuaweiWorld } from '../common/world.js';
import type { IssuedKeys } from '../common/issued.js';

const TOKEN_PATH = '/meta-data/latest/api/token';
const SECURITY_KEY_PATH = '/openstack/latest/securitykey';

export interface MetadataAnswer {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
}

export class EcsSecurityKey {
  readonly #tokens = new Set<string>();

  constructor(
    private readonly world: () => HuaweiWorld,
    private readonly keys: IssuedKeys,
  ) {}

  static handles(path: string): boolean {
    return path === TOKEN_PATH || path === SECURITY_KEY_PATH;
  }

  clear(): void {
    this.#tokens.clear();
  }

  answer(method: string, path: string, token: string | undefined): MetadataAnswer {
    const metadata = this.world().metadata;
    if (path === TOKEN_PATH) {
      if (method !== 'PUT') return plain(405, 'Method Not Allowed');
      const issued = randomBytes(24).toString('base64url');
      this.#tokens.add(issued);
      return plain(200, issued);
    }
    if (method !== 'GET') return plain(405, 'Method Not Allowed');
    if (token === undefined ? metadata.tokenRequired : !this.#tokens.has(token)) return plain(401, 'Unauthorized');
    // The words the vendor's SDK looks for to tell "no agency" from a stale metadata token.
    if (metadata.agency === undefined) return plain(404, 'Please configure Cloud Service Agency first');
    const key = this.keys.issue(`securitykey:${metadata.agency}`, metadata.keyLifetimeMs);
    const body = {
      credential: {
        access: key.id,
        secret: key.secret,
        securitytoken: key.securityToken,
        expires_at: new Date(key.expiresAt).toISOString().replace(/Z$/, '000Z'),
      },
    };
    return { status: 200, body: JSON.stringify(body), contentType: 'application/json' };
  }
}

const plain = (status: number, body: string): MetadataAnswer => ({ status, body, contentType: 'text/plain' });
