// What every provider simulator shares on its admin side: the world it started with and the live one, the wall
// clock for signature dates, the body limit, the rate limiter, fault injection, the call log, and the admin
// operations built on them (reset, settings). A provider subclass adds its front (`handle`, `state`) and its own
// per-reset state through `clearProviderState`.
import type { IssuedKeys } from './issued.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ProviderName, Settings, SimulatorService } from './admin.js';
import { CallLog, type CallOutcome } from './calllog.js';
import type { SimClock } from './clock.js';
import { FaultInjector, type FaultPlanInput } from './faults.js';
import { BodyTooLarge, DEFAULT_BODY_LIMIT, parsePairs, readBody } from './http.js';
import { RateLimiter, WindowLimiter, type ApiLimit, type ApiLimits, type RateLimit } from './ratelimit.js';
import { apiLimitsSchema, parseWorld, rateLimitSchema, type World, type WorldInput } from './world.js';

export interface ProviderOptions {
  /** The whole default world, for sections a reset's world leaves out. */
  fallbackWorld: WorldInput;
  bodyLimit?: number;
  /** Wall clock for signature dates and nonces (tests may pin it). */
  wall?: () => number;
}

/** The part of a provider's world section the shared plumbing reads. */
export interface ProviderWorld {
  rateLimit: RateLimit;
  apiLimits: ApiLimits;
  faults?: FaultPlanInput | undefined;
}

/** The part of a provider's model the shared plumbing drives. */
export interface ProviderModel<W> {
  timings: Record<string, number>;
  reset(world: W): void;
}

export interface ProviderSpec<W, M> {
  /** This provider's section of a whole world. */
  section(world: World): W;
  createModel(world: W, clock: SimClock): M;
  /** The timing names `updateSettings` accepts, each 0 to 7 days in milliseconds. */
  timingKeys: readonly string[];
}

/** One provider call as the front tracks it, for the call log. */
export interface CallRecord {
  action: string;
  requestId: string;
  clientToken?: string;
  accessKeyId?: string;
  faults: string[];
  outcome?: CallOutcome;
  committed: boolean;
}

export abstract class ProviderSimulator<
  W extends ProviderWorld,
  M extends ProviderModel<W>,
> implements SimulatorService {
  abstract readonly provider: ProviderName;
  readonly faults = new FaultInjector();
  readonly calls = new CallLog();
  readonly model: M;
  #world: W;
  /** The world the simulator started with: a reset without a world goes back to it. */
  readonly #initialWorld: W;
  readonly #options: ProviderOptions;
  readonly #spec: ProviderSpec<W, M>;
  protected readonly limiter: RateLimiter;
  /** Per-API rations, as the vendor documents them (world `apiLimits`, live in settings). */
  protected readonly apiLimiter = new WindowLimiter();
  #apiLimits: ApiLimits;
  protected readonly bodyLimit: number;
  protected readonly wall: () => number;

  constructor(
    world: W,
    readonly clock: SimClock,
    options: ProviderOptions,
    spec: ProviderSpec<W, M>,
  ) {
    this.#world = world;
    this.#initialWorld = world;
    this.#options = options;
    this.#spec = spec;
    this.wall = options.wall ?? Date.now;
    this.bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
    this.limiter = new RateLimiter(world.rateLimit);
    this.#apiLimits = world.apiLimits;
    this.model = spec.createModel(world, clock);
    if (world.faults) this.faults.replace(world.faults);
  }

  /**
   * Takes one call of `action`'s ration for `scope` (an account and region, a project): false when its window is full.
   * An action with no ration is never refused here.
   */
  protected rationed(scope: string, action: string): { limit: ApiLimit; refused: boolean } | undefined {
    const limit = this.#apiLimits[action];
    if (!limit) return undefined;
    return { limit, refused: !this.apiLimiter.take(`${scope}|${action}`, limit) };
  }

  /** The live world section. */
  protected get world(): W {
    return this.#world;
  }

  abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  abstract state(): unknown;
  /** The temporary keys the provider's credential stand-ins issued (set by the provider's constructor). */
  protected temporaryKeys: IssuedKeys | undefined;

  /** Every temporary key the provider's credential stand-ins issued expires now; returns how many were live. */
  expireTemporaryKeys(): number {
    return this.temporaryKeys?.expireAll() ?? 0;
  }

  /** The secrets and security tokens of the temporary keys issued, for in-process leak checks only. */
  temporarySecrets(): string[] {
    return this.temporaryKeys?.secrets() ?? [];
  }

  /** Forgets the provider's own per-world state (nonces, idempotency tokens, AK lockouts, …) on a reset. */
  protected abstract clearProviderState(): void;

  // ------------------------------------------------------------------ admin

  reset(worldDoc?: unknown): void {
    const world =
      worldDoc === undefined
        ? this.#initialWorld
        : this.#spec.section(parseWorld(worldDoc, this.#options.fallbackWorld, 'reset world'));
    // A throwaway model checks the world's cross-references before the live one is touched.
    this.#spec.createModel(world, this.clock);
    this.#world = world;
    this.model.reset(world);
    this.limiter.reset(world.rateLimit);
    this.#apiLimits = world.apiLimits;
    this.apiLimiter.reset();
    this.clearProviderState();
    this.calls.clear();
    this.faults.replace(world.faults ?? { rules: [] });
  }

  settings(): Settings {
    return { timings: { ...this.model.timings }, rateLimit: { ...this.limiter.limit }, apiLimits: this.#apiLimits };
  }

  updateSettings(patch: unknown): Settings {
    const ms = z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600 * 1000)
      .optional();
    const parsed = z
      .strictObject({
        timings: z.strictObject(Object.fromEntries(this.#spec.timingKeys.map((key) => [key, ms]))).optional(),
        rateLimit: rateLimitSchema.optional(),
        apiLimits: apiLimitsSchema.optional(),
      })
      .parse(patch ?? {});
    if (parsed.timings)
      Object.assign(
        this.model.timings,
        Object.fromEntries(Object.entries(parsed.timings).filter(([, v]) => v !== undefined)),
      );
    if (parsed.rateLimit) this.limiter.reset(parsed.rateLimit);
    if (parsed.apiLimits) {
      this.#apiLimits = parsed.apiLimits;
      this.apiLimiter.reset();
    }
    return this.settings();
  }

  // ------------------------------------------------------------------ the request

  /**
   * Reads the body (at most the body limit: a larger one closes the connection and throws `tooLarge(limit)`)
   * and splits the URL into its path and query pairs.
   */
  protected async readRequest(
    req: IncomingMessage,
    res: ServerResponse,
    tooLarge: (limit: number) => Error,
  ): Promise<{ body: Buffer; path: string; query: Array<[string, string]> }> {
    let body: Buffer;
    try {
      body = await readBody(req, this.bodyLimit);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        res.setHeader('connection', 'close');
        throw tooLarge(error.limit);
      }
      throw error;
    }
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = parsePairs(q < 0 ? '' : rawUrl.slice(q + 1));
    return { body, path, query };
  }

  // ------------------------------------------------------------------ the call log

  /** Records one finished call: `started` from performance.now(), `at` the wall-clock arrival time. */
  protected recordCall(
    req: IncomingMessage,
    call: CallRecord,
    started: number,
    at: string,
    status: number,
    code: string | undefined,
  ): void {
    const entry: Parameters<CallLog['record']>[0] = {
      at,
      simAt: new Date(this.clock.now()).toISOString(),
      action: call.action,
      method: req.method ?? '',
      path: req.url ?? '',
      status,
      requestId: call.requestId,
      outcome: call.outcome ?? 'rejected',
      committed: call.committed,
      faults: call.faults,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    };
    if (code !== undefined) entry.code = code;
    if (call.clientToken !== undefined) entry.clientToken = call.clientToken;
    if (call.accessKeyId !== undefined) entry.accessKeyId = call.accessKeyId;
    this.calls.record(entry);
  }
}
