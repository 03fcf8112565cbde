// Structured logs: one JSON object per line, for the worker's own events and the SDK's (forwarded from core).
// Two guards keep credentials out: fields named like secrets are dropped, and the configured secret values
// are masked wherever they appear in any string (a provider echoing a token in an error message, say).
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { REDACTED, secretMasker } from '../providers/index.js';
import { isCredentialSource, secretsOf } from '../providers/credentials.js';
import type { WorkerConfig } from './config.js';

const SEVERITY: Record<LogLevel, number> = { TRACE: 10, DEBUG: 20, INFO: 30, WARN: 40, ERROR: 50 };

/** Field names whose values are never logged, whatever they hold. */
const SECRET_FIELD = /secret|password|token|authorization|api[-_]?key|credential|private[-_]?key|^sk$/i;

/**
 * The secret values of a configuration: what the logger masks in every string. With a credential chain they change
 * as keys are renewed, so this is a function the logger asks on every line.
 */
export function secretValues(config: WorkerConfig): () => string[] {
  const fixed: string[] = [];
  const chains: Array<{ held(): readonly string[] }> = [];
  for (const { credentials } of Object.values(config.providers)) {
    if (isCredentialSource(credentials)) chains.push(credentials);
    else fixed.push(...secretsOf(credentials));
  }
  const apiKey = config.temporal.connection.apiKey;
  if (typeof apiKey === 'string') fixed.push(apiKey);
  return () => (chains.length === 0 ? fixed : [...fixed, ...chains.flatMap((c) => c.held())]);
}

export type LogSink = (line: string) => void;

export class JsonLogger implements Logger {
  readonly #min: number;
  readonly #mask: (text: string) => string;
  readonly #sink: LogSink;

  /** `secrets`: values to mask, or a function that says them (temporary keys change while the worker runs). */
  constructor(
    level: LogLevel,
    secrets: readonly string[] | (() => readonly string[]) = [],
    sink: LogSink = (line) => process.stdout.write(line),
  ) {
    this.#min = SEVERITY[level];
    if (typeof secrets === 'function') {
      let key = '';
      let mask = secretMasker([]);
      this.#mask = (text) => {
        const now = secrets();
        const k = now.join('\n');
        if (k !== key) {
          key = k;
          mask = secretMasker(now);
        }
        return mask(text);
      };
    } else this.#mask = secretMasker(secrets);
    this.#sink = sink;
  }

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (SEVERITY[level] < this.#min) return;
    const entry: Record<string, unknown> = {
      time: new Date().toISOString(),
      level: level.toLowerCase(),
      msg: this.#mask(message),
    };
    if (meta) {
      for (const [key, value] of Object.entries(meta)) {
        if (key === 'time' || key === 'level' || key === 'msg') continue;
        entry[key] = SECRET_FIELD.test(key) ? REDACTED : this.#clean(value, 0, new WeakSet());
      }
    }
    this.#sink(`${JSON.stringify(entry)}\n`);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }

  /** A JSON-safe copy: secrets masked, errors as name/message, bigints as strings, cycles and depth cut. */
  #clean(value: unknown, depth: number, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return this.#mask(value);
    if (typeof value === 'bigint') return value.toString();
    if (value === null || typeof value !== 'object')
      return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
    if (seen.has(value)) return '[cycle]';
    if (depth >= 6) return '[…]';
    seen.add(value);
    if (value instanceof Error) {
      const failure = value as Error & { type?: unknown; cause?: unknown };
      return {
        name: value.name,
        message: this.#mask(value.message),
        ...(typeof failure.type === 'string' ? { type: failure.type } : {}),
        ...(failure.cause !== undefined ? { cause: this.#clean(failure.cause, depth + 1, seen) } : {}),
      };
    }
    if (Array.isArray(value)) return value.slice(0, 50).map((v) => this.#clean(v, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value))
      out[key] = SECRET_FIELD.test(key) ? REDACTED : this.#clean(v, depth + 1, seen);
    return out;
  }
}
