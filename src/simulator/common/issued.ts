// Temporary keys a simulator hands out through its stand-ins for a metadata service or STS: each has an id, a
// secret, a security token and an expiry on the simulator's wall clock. The signature checks accept them like the
// world's keys until they expire; then the provider's own "expired" answer. Only ids ever leave through the admin API.
import { randomBytes } from 'node:crypto';

export interface IssuedKey {
  readonly id: string;
  readonly secret: string;
  readonly securityToken: string;
  /** Wall-clock milliseconds. */
  expiresAt: number;
  /** What issued it: `ecs-metadata:<role>`, `AssumeRole:<arn>`, `AssumeRoleWithOIDC:<arn>`, `securitykey`. */
  readonly source: string;
  readonly issuedAt: number;
}

/** How many keys one simulator remembers; the oldest go first (a long run that rotates every second stays bounded). */
const MAX_KEYS = 50_000;

export class IssuedKeys {
  readonly #keys = new Map<string, IssuedKey>();
  #issued = 0;

  constructor(
    private readonly idPrefix: string,
    private readonly wall: () => number,
  ) {}

  issue(source: string, lifetimeMs: number): IssuedKey {
    const now = this.wall();
    this.#issued++;
    const key: IssuedKey = {
      id: `${this.idPrefix}${randomBytes(12).toString('hex').toUpperCase()}`,
      secret: randomBytes(24).toString('base64url'),
      securityToken: `${randomBytes(48).toString('base64url')}`,
      expiresAt: now + lifetimeMs,
      source,
      issuedAt: now,
    };
    this.#keys.set(key.id, key);
    if (this.#keys.size > MAX_KEYS) this.#keys.delete(this.#keys.keys().next().value as string);
    return key;
  }

  find(id: string): IssuedKey | undefined {
    return this.#keys.get(id);
  }

  expired(key: IssuedKey): boolean {
    return key.expiresAt <= this.wall();
  }

  /** Every key expires now (the admin API's "token expired mid-call"); returns how many were live. */
  expireAll(): number {
    const now = this.wall();
    let live = 0;
    for (const key of this.#keys.values()) {
      if (key.expiresAt > now) {
        live++;
        key.expiresAt = now;
      }
    }
    return live;
  }

  clear(): void {
    this.#keys.clear();
    this.#issued = 0;
  }

  /**
   * The secrets and tokens handed out, for in-process leak checks (a test scanning logs and histories for them);
   * never served over HTTP.
   */
  secrets(): string[] {
    return [...this.#keys.values()].flatMap((k) => [k.secret, k.securityToken]);
  }

  /** Ids, sources and expiries only: never a secret or a token. */
  summary(): { issued: number; live: number; keys: Array<{ id: string; source: string; expiresAt: string }> } {
    const now = this.wall();
    const keys = [...this.#keys.values()];
    return {
      issued: this.#issued,
      live: keys.filter((k) => k.expiresAt > now).length,
      keys: keys
        .slice(-20)
        .map((k) => ({ id: k.id, source: k.source, expiresAt: new Date(k.expiresAt).toISOString() })),
    };
  }
}

/** `2026-12-02T14:00:00Z`: the seconds-precision UTC time STS and ECS metadata answers carry. */
export function utcSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
