// The admin API under /_sim/ (same server as the provider API, 127.0.0.1 only): state dump, call log, faults,
// clock, settings, reset. Credentials never appear here: only key ids.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { CallLog } from './calllog.js';
import type { SimClock } from './clock.js';
import type { FaultInjector } from './faults.js';
import { BodyTooLarge, readBody, sendJson } from './http.js';
import type { ApiLimits, RateLimit } from './ratelimit.js';

export type ProviderName = 'alibaba' | 'huawei';

export interface Settings {
  timings: Record<string, number>;
  rateLimit: RateLimit;
  /** Per-API rations (per account and region, Huawei per project). */
  apiLimits: ApiLimits;
}

/** What a provider simulator offers the shared server and admin API. */
export interface SimulatorService {
  readonly provider: ProviderName;
  readonly clock: SimClock;
  readonly faults: FaultInjector;
  readonly calls: CallLog;
  /** Serves one provider API request. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** The state dump: world summary, groups/pools and members, credentials by id only. */
  state(): unknown;
  settings(): Settings;
  /** Validates and applies a partial settings object; returns the result. */
  updateSettings(patch: unknown): Settings;
  /** Every temporary key the metadata/STS stand-ins issued expires now; returns how many were live. */
  expireTemporaryKeys(): number;
  /** Back to the starting world, or to `world` when given (a whole world document: this provider's section is used, a missing one comes from the default world). */
  reset(world?: unknown): void;
}

export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const ADMIN_BODY_LIMIT = 12 * 1024 * 1024;

const clockBody = z.strictObject({
  mode: z.enum(['real', 'manual']).optional(),
  /** Milliseconds since the epoch or an ISO 8601 time. */
  now: z.union([z.number().int().min(0), z.iso.datetime({ offset: true })]).optional(),
});
const advanceBody = z.strictObject({
  ms: z
    .number()
    .min(0)
    .max(366 * 24 * 3600 * 1000),
});

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  let body: Buffer;
  try {
    body = await readBody(req, ADMIN_BODY_LIMIT);
  } catch (error) {
    if (error instanceof BodyTooLarge) throw new AdminError(413, error.message);
    throw error;
  }
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new AdminError(400, 'the admin API takes a JSON body');
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    throw new AdminError(
      400,
      result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
    );
  }
  return result.data;
}

function intParam(url: URL, name: string, max: number): number | undefined {
  const text = url.searchParams.get(name);
  if (text === null) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new AdminError(400, `${name} must be an integer 0–${max}`);
  return n;
}

/** Serves /_sim/*; returns false when the path is not an admin path. */
export async function handleAdmin(
  service: SimulatorService,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://simulator');
  if (!url.pathname.startsWith('/_sim/') && url.pathname !== '/_sim') return false;
  const route = `${req.method ?? 'GET'} ${url.pathname.replace(/\/+$/, '')}`;
  try {
    const answer = await adminRoute(service, route, req, url);
    sendJson(res, 200, answer);
  } catch (error) {
    if (error instanceof AdminError) sendJson(res, error.status, { error: error.message });
    else if (error instanceof z.ZodError)
      sendJson(res, 400, { error: error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    else sendJson(res, 400, { error: (error as Error).message });
  }
  return true;
}

async function adminRoute(service: SimulatorService, route: string, req: IncomingMessage, url: URL): Promise<unknown> {
  const faultId = /^DELETE \/_sim\/faults\/([\w-]+)$/.exec(route);
  if (faultId) {
    if (!service.faults.remove(faultId[1] as string)) throw new AdminError(404, `no fault rule ${faultId[1]}`);
    return service.faults.describe();
  }
  switch (route) {
    case 'GET /_sim':
    case 'GET /_sim/health':
      return { ok: true, provider: service.provider };
    case 'GET /_sim/state':
      return {
        provider: service.provider,
        clock: service.clock.state(),
        settings: service.settings(),
        faults: service.faults.describe(),
        ...(service.state() as object),
      };
    case 'GET /_sim/calls': {
      const action = url.searchParams.get('action') ?? undefined;
      const clientToken = url.searchParams.get('clientToken') ?? undefined;
      const limit = intParam(url, 'limit', 10_000) ?? 1000;
      const filter: { action?: string; clientToken?: string; limit: number } = { limit };
      if (action !== undefined) filter.action = action;
      if (clientToken !== undefined) filter.clientToken = clientToken;
      return { counts: service.calls.counts(), entries: service.calls.entries(filter) };
    }
    case 'DELETE /_sim/calls':
      service.calls.clear();
      return { ok: true };
    case 'GET /_sim/faults':
      return service.faults.describe();
    case 'PUT /_sim/faults': {
      const ids = service.faults.replace(((await jsonBody(req)) as never) ?? { rules: [] });
      return { ids, ...service.faults.describe() };
    }
    case 'POST /_sim/faults': {
      const body = await jsonBody(req);
      const rules = Array.isArray(body) ? body : [body];
      const ids = rules.map((rule) => service.faults.add(rule as never));
      return { ids, ...service.faults.describe() };
    }
    case 'DELETE /_sim/faults':
      service.faults.clear();
      return service.faults.describe();
    case 'GET /_sim/clock':
      return service.clock.state();
    case 'PUT /_sim/clock':
    case 'POST /_sim/clock': {
      const body = parse(clockBody, await jsonBody(req));
      const at = body.now === undefined ? undefined : typeof body.now === 'number' ? body.now : Date.parse(body.now);
      if (body.mode === 'real') {
        if (at !== undefined) {
          service.clock.setManual(at);
        }
        service.clock.setReal();
      } else if (body.mode === 'manual' || at !== undefined) service.clock.setManual(at);
      return service.clock.state();
    }
    case 'POST /_sim/clock/advance': {
      const body = parse(advanceBody, await jsonBody(req));
      service.clock.advance(body.ms);
      return service.clock.state();
    }
    case 'GET /_sim/settings':
      return service.settings();
    case 'PATCH /_sim/settings':
    case 'PUT /_sim/settings':
      return service.updateSettings(await jsonBody(req));
    case 'POST /_sim/credentials/expire':
      return { expired: service.expireTemporaryKeys() };
    case 'POST /_sim/reset': {
      const body = (await jsonBody(req)) as { world?: unknown } | undefined;
      service.reset(body?.world);
      return { ok: true, provider: service.provider };
    }
    default:
      throw new AdminError(
        404,
        `no admin route ${route}; see GET /_sim/state, /_sim/calls, /_sim/faults, /_sim/clock, /_sim/settings, POST /_sim/reset, POST /_sim/credentials/expire`,
      );
  }
}
