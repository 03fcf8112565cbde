// HTTP for the provider clients: one undici Pool per endpoint (keep-alive), connect/headers/body timeouts, the
// caller's AbortSignal, and no retries (Temporal's retry policies retry). Failures become ProviderErrors.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Pool } from 'undici';
import type { Provider } from '../domain/index.js';
import { abortReason, transportError, TRANSPORT_CODES } from './errors.js';
import { parseJsonObject, type Json } from './json.js';

/** A region id as both vendors spell it (cn-hangzhou, cn-north-4): it becomes part of a host name, so nothing else passes. */
export const REGION_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface TransportTimeouts {
  /** TCP + TLS connect (default 5 s). */
  readonly connectMs?: number;
  /** From the request sent to the response headers (default 30 s). */
  readonly headersMs?: number;
  /** Between two chunks of the response body (default 30 s). */
  readonly bodyMs?: number;
  /** An idle kept-alive connection closes after this (default 4 s, or less when the server's Keep-Alive hint says so). */
  readonly keepAliveMs?: number;
}

export interface TransportOptions {
  readonly timeouts?: TransportTimeouts | undefined;
  /** Connections per endpoint (default 8). */
  readonly connections?: number | undefined;
}

export const DEFAULT_TIMEOUTS: Required<TransportTimeouts> = {
  connectMs: 5_000,
  headersMs: 30_000,
  bodyMs: 30_000,
  keepAliveMs: 4_000,
};

/** Responses larger than this are refused: the largest real page (2,000 Huawei members) is about 1 MB. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface HttpRequest {
  /** `https://host[:port]`, no path. */
  readonly origin: string;
  readonly method: 'GET' | 'POST';
  /** Path and query exactly as sent (already encoded). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined by `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * A 2xx answer's JSON body and request id (read by the provider's own rule); a body that is no JSON object is a
 * malformed answer, retryable because the call may have applied.
 */
export function jsonSuccess(
  provider: Provider,
  action: string,
  res: HttpResponse,
  requestIdOf: (body: Json | undefined, headers: Readonly<Record<string, string>>) => string | undefined,
): { body: Json; requestId: string } {
  const body = parseJsonObject(res.body);
  const requestId = requestIdOf(body, res.headers);
  if (!body)
    throw transportError(
      provider,
      action,
      TRANSPORT_CODES.malformedResponse,
      `HTTP ${res.status} with a body that is not a JSON object`,
      undefined,
      res.status,
      requestId,
    );
  return { body, requestId: requestId ?? '' };
}

/** What went wrong on the wire, in Transport.* terms; the message names no header and no credential. */
export function describeTransportFailure(error: unknown): { code: string; message: string } {
  const codes: string[] = [];
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e !== null && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    e = (e as { cause?: unknown }).cause;
  }
  const has = (...names: string[]) => codes.some((c) => names.includes(c));
  if (has('ECONNREFUSED'))
    return { code: TRANSPORT_CODES.connectionRefused, message: 'the endpoint refused the connection' };
  if (has('UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT'))
    return { code: TRANSPORT_CODES.timeout, message: 'connecting to the endpoint timed out' };
  if (has('UND_ERR_HEADERS_TIMEOUT'))
    return { code: TRANSPORT_CODES.timeout, message: 'no response headers before the headers timeout' };
  if (has('UND_ERR_BODY_TIMEOUT'))
    return { code: TRANSPORT_CODES.timeout, message: 'the response body stalled past the body timeout' };
  if (has('ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED'))
    return { code: TRANSPORT_CODES.connectionReset, message: 'the connection was reset before a complete answer' };
  if (has('ENOTFOUND', 'EAI_AGAIN'))
    return { code: TRANSPORT_CODES.dns, message: 'the endpoint host name did not resolve' };
  if (has('UND_ERR_RES_EXCEEDED_MAX_SIZE'))
    return { code: TRANSPORT_CODES.malformedResponse, message: `the response exceeded ${MAX_RESPONSE_BYTES} bytes` };
  const name = error instanceof Error ? error.name : typeof error;
  return { code: TRANSPORT_CODES.other, message: `the request failed on the wire (${codes[0] ?? name})` };
}

/** Pools per endpoint origin, created on first use and closed together. */
export class Transport {
  readonly #provider: Provider;
  readonly #timeouts: Required<TransportTimeouts>;
  readonly #connections: number;
  readonly #pools = new Map<string, Pool>();
  #closed = false;

  constructor(provider: Provider, options: TransportOptions = {}) {
    this.#provider = provider;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.#connections = options.connections ?? 8;
  }

  #pool(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.#connections,
        connect: { timeout: this.#timeouts.connectMs },
        headersTimeout: this.#timeouts.headersMs,
        bodyTimeout: this.#timeouts.bodyMs,
        keepAliveTimeout: this.#timeouts.keepAliveMs,
        maxResponseSize: MAX_RESPONSE_BYTES,
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  /** Sends once. Throws the signal's reason on abort, a retryable ProviderError on a transport failure. */
  async send(action: string, request: HttpRequest): Promise<HttpResponse> {
    const { signal } = request;
    if (signal?.aborted) throw abortReason(signal);
    if (this.#closed)
      throw transportError(this.#provider, action, TRANSPORT_CODES.other, 'the provider client is closed');
    try {
      const res = await this.#pool(request.origin).request({
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body ?? null,
        signal: signal ?? null,
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      // undici frees a kept-alive socket one event-loop turn after the response ends; returning after that turn
      // lets the caller's next call reuse it instead of opening a second connection.
      await nextTurn();
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      }
      return { status: res.statusCode, headers, body };
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      const { code, message } = describeTransportFailure(error);
      throw transportError(this.#provider, action, code, `${message} (${request.origin})`, error);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.close()));
  }
}

/** An endpoint override as an origin (`scheme://host[:port]`); throws on anything with a path, query or credentials. */
export function endpointOrigin(endpoint: string, what: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError(`${what} must be an http(s) URL such as https://host:port; got ${JSON.stringify(endpoint)}`);
  }
  if (
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.username ||
    url.password ||
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search ||
    url.hash
  ) {
    throw new TypeError(
      `${what} must be scheme://host[:port] with no path, query or user info; got ${JSON.stringify(endpoint)}`,
    );
  }
  return url.origin;
}
