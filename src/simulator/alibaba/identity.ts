// Stand-ins for what Alibaba's credential chain calls, on the GWLB simulator's own port: the ECS metadata
// service's RAM-role credentials (`/latest/meta-data/ram/security-credentials/…`, with the IMDSv2 token) and STS
// `AssumeRole` / `AssumeRoleWithOIDC` (version 2015-04-01, RPC style). Both hand out temporary keys that the
// GWLB signature checks accept until they expire, and then answer InvalidSecurityToken.Expired.
import { randomBytes, randomUUID } from 'node:crypto';
import type { AlibabaWorld } from '../common/world.js';
import { utcSeconds, type IssuedKeys } from '../common/issued.js';
import { GwlbError, MissingParameter } from './errors.js';

export const STS_VERSION = '2015-04-01';
export const STS_ACTIONS = ['AssumeRole', 'AssumeRoleWithOIDC'] as const;

const METADATA_TOKEN_PATH = '/latest/api/token';
const ROLES_PATH = '/latest/meta-data/ram/security-credentials/';

export interface TextAnswer {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
}

/** The ECS metadata service: IMDSv2 tokens, the attached role's name, and its temporary keys. */
export class EcsMetadata {
  readonly #tokens = new Set<string>();

  constructor(
    private readonly world: () => AlibabaWorld,
    private readonly keys: IssuedKeys,
  ) {}

  static handles(path: string): boolean {
    return path === METADATA_TOKEN_PATH || path.startsWith(ROLES_PATH) || path === ROLES_PATH.slice(0, -1);
  }

  clear(): void {
    this.#tokens.clear();
  }

  answer(method: string, path: string, token: string | undefined): TextAnswer {
    if (path === METADATA_TOKEN_PATH) {
      if (method !== 'PUT') return text(405, 'Method Not Allowed');
      const issued = randomBytes(24).toString('base64url');
      this.#tokens.add(issued);
      return text(200, issued);
    }
    if (method !== 'GET') return text(405, 'Method Not Allowed');
    // A token, when sent, must be one this service gave (IMDSv2); none is IMDSv1, which ECS still answers.
    if (token !== undefined && !this.#tokens.has(token)) return text(401, 'Unauthorized');
    const roles = this.world().identity.ecsRoles;
    const name = path.startsWith(ROLES_PATH) ? decodeURIComponent(path.slice(ROLES_PATH.length)) : '';
    if (name === '') return roles.length === 0 ? text(404, 'Not Found') : text(200, roles.join('\n'));
    if (!roles.includes(name)) return text(404, 'Not Found');
    const key = this.keys.issue(`ecs-metadata:${name}`, this.world().identity.keyLifetimeMs);
    return {
      status: 200,
      contentType: 'text/plain',
      body: JSON.stringify({
        AccessKeyId: key.id,
        AccessKeySecret: key.secret,
        SecurityToken: key.securityToken,
        Expiration: utcSeconds(key.expiresAt),
        LastUpdated: utcSeconds(key.issuedAt),
        Code: 'Success',
      }),
    };
  }
}

const text = (status: number, body: string): TextAnswer => ({ status, body, contentType: 'text/plain' });

/** STS errors the stand-in answers (the codes STS documents for these conditions). */
class EntityNotExistRole extends GwlbError {
  constructor() {
    super(404, 'EntityNotExist.Role', 'The specified Role not exists .');
  }
}
class NoPermission extends GwlbError {
  constructor() {
    super(403, 'NoPermission', 'You are not authorized to do this action. You should be authorized by RAM.');
  }
}
class OidcTokenInvalid extends GwlbError {
  constructor(why: string) {
    super(400, 'AuthenticationFail.OIDCToken.Invalid', `The OIDC token is invalid: ${why}.`);
  }
}
class InvalidDuration extends GwlbError {
  constructor() {
    super(400, 'InvalidParameter.DurationSeconds', 'The parameter DurationSeconds is invalid: at least 900 seconds.');
  }
}

/**
 * One STS call. `caller` is the AccessKeyId the AssumeRole request was signed with (the front verified the
 * signature); AssumeRoleWithOIDC is not signed: the OIDC token is the proof.
 */
export function stsAnswer(
  world: AlibabaWorld,
  keys: IssuedKeys,
  action: (typeof STS_ACTIONS)[number],
  params: Map<string, string>,
  caller: string | undefined,
): Record<string, unknown> {
  const arn = params.get('RoleArn');
  const sessionName = params.get('RoleSessionName');
  if (!arn) throw new MissingParameter('RoleArn');
  if (!sessionName) throw new MissingParameter('RoleSessionName');
  const duration = params.get('DurationSeconds');
  if (duration !== undefined && (!/^\d+$/.test(duration) || Number(duration) < 900)) throw new InvalidDuration();
  const role = world.identity.roles.find((r) => r.arn === arn);
  if (!role) throw new EntityNotExistRole();
  if (action === 'AssumeRole') {
    if (role.trustedAccessKeyIds && (caller === undefined || !role.trustedAccessKeyIds.includes(caller)))
      throw new NoPermission();
  } else {
    const providerArn = params.get('OIDCProviderArn');
    const token = params.get('OIDCToken');
    if (!providerArn) throw new MissingParameter('OIDCProviderArn');
    if (!token) throw new MissingParameter('OIDCToken');
    if (!role.oidc || role.oidc.providerArn !== providerArn) throw new NoPermission();
    if (!role.oidc.tokens.includes(token.trim())) throw new OidcTokenInvalid('it is not a token of this provider');
  }
  const asked = duration === undefined ? 3600 * 1000 : Number(duration) * 1000;
  const key = keys.issue(`${action}:${arn}`, Math.min(asked, world.identity.keyLifetimeMs));
  const account = /^acs:ram::(\d+):/.exec(arn)?.[1] ?? '0';
  const roleId = `3${randomUUID().replace(/-/g, '').slice(0, 17)}`;
  return {
    AssumedRoleUser: {
      AssumedRoleId: `${roleId}:${sessionName}`,
      Arn: `${arn.replace(/^acs:ram::\d+:role\//, `acs:ram::${account}:assumed-role/`)}/${sessionName}`,
    },
    Credentials: {
      AccessKeyId: key.id,
      AccessKeySecret: key.secret,
      SecurityToken: key.securityToken,
      Expiration: utcSeconds(key.expiresAt),
    },
  };
}
