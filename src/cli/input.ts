// Reading what to add: a request or a server list from JSON, YAML or CSV, and flags for the rest.
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { findDefinition, PROVIDERS } from '../registry/index.js';
import {
  decodeUtf8,
  InputError,
  inspectJson,
  parseYamlStrict,
  readBounded,
  replacedField,
  sourceName,
} from './read.js';

/** A problem with the command line or an input file: the CLI prints it and exits with the usage status. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Columns that hold numbers; every other CSV cell stays a string, so the request rules judge it. */
const NUMERIC = new Set(['port', 'protocolPort', 'weight']);
const BOOLEAN = new Set(['dryRun']);

function cellValue(column: string, text: string): unknown {
  if (NUMERIC.has(column) && /^-?\d+$/.test(text)) return Number(text);
  if (BOOLEAN.has(column) && /^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  return text;
}

/** CSV with a header row of field names (serverId,serverType,serverIp,port or address,protocolPort,subnetCidrId,…). */
export function parseServersCsv(text: string, source: string): Record<string, unknown>[] {
  let rows: Record<string, string>[];
  const columns = (header: string[]): string[] => {
    const seen = new Set<string>();
    for (const name of header) {
      if (seen.has(name))
        throw new UsageError(
          `${source}: the column "${name}" appears twice in the CSV header; each field may have one column`,
        );
      seen.add(name);
    }
    return header;
  };
  try {
    rows = parseCsv(text, { columns, skip_empty_lines: true, trim: true, bom: true, comment: '#' }) as Record<
      string,
      string
    >[];
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${source}: not valid CSV: ${(error as Error).message}`);
  }
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row)
        .filter(([, v]) => v !== '')
        .map(([k, v]) => [k, cellValue(k, v)]),
    ),
  );
}

export interface LoadedInput {
  /** A whole request (it names its provider), or only servers for the flags to place. */
  readonly request?: Record<string, unknown>;
  readonly servers?: unknown[];
}

type Format = 'JSON' | 'YAML' | 'CSV';

function parseText(text: string, format: Format, source: string): unknown {
  if (format === 'CSV') return parseServersCsv(text, source);
  if (format === 'YAML') return parseYamlStrict(text, source);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source}: not valid JSON: ${(error as Error).message}`);
  }
  inspectJson(text, source);
  return value;
}

/**
 * Reads a file by its extension (.json, .yaml/.yml, .csv; anything else as YAML, which JSON is a part of); `-`
 * reads JSON or YAML from stdin. At most MAX_INPUT_BYTES are read from any source; the bytes must be UTF-8.
 */
export async function loadInputFile(path: string): Promise<LoadedInput> {
  const source = sourceName(path);
  const ext = path === '-' ? '' : extname(path).toLowerCase();
  const format: Format = ext === '.csv' ? 'CSV' : ext === '.json' ? 'JSON' : 'YAML';
  let value: unknown;
  try {
    const decoded = decodeUtf8(await readBounded(path));
    if (decoded.invalidUtf8 !== undefined) {
      const { byte, line } = decoded.invalidUtf8;
      let field: string | undefined;
      try {
        field = replacedField(parseText(decoded.text, format, source));
      } catch {
        field = undefined;
      }
      throw new InputError(
        `${source}: ${field === undefined ? 'the input' : field} is not valid UTF-8 (byte ${byte}, line ${line}); save the file as UTF-8`,
      );
    }
    value = parseText(decoded.text, format, source);
  } catch (error) {
    if (error instanceof InputError) throw new UsageError(error.message);
    throw error;
  }
  if (format === 'CSV') return { servers: value as unknown[] };
  if (Array.isArray(value)) return { servers: value };
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if ('provider' in record) return { request: record };
    if (Array.isArray(record.servers)) return { servers: record.servers };
  }
  throw new UsageError(
    `${source}: expected a request (an object with "provider"), a list of servers, or an object with "servers"`,
  );
}

/** `--server key=value,key=value` as a server object (numbers for port, protocolPort, weight); a key given twice is refused. */
export function parseServerFlag(spec: string): Record<string, unknown> {
  const server: Record<string, unknown> = {};
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0)
      throw new UsageError(
        `--server ${JSON.stringify(spec)}: each part must be key=value, e.g. serverId=i-bp67acfmxazb4p0001,serverType=Ecs,serverIp=192.168.0.1`,
      );
    const key = part.slice(0, eq).trim();
    if (Object.hasOwn(server, key))
      throw new UsageError(`--server ${JSON.stringify(spec)}: "${key}" is given twice; each key may appear once`);
    server[key] = cellValue(key, part.slice(eq + 1).trim());
  }
  return server;
}

export interface RequestFlags {
  readonly provider?: string;
  readonly region?: string;
  readonly group?: string;
  readonly project?: string;
  readonly server?: string[];
  readonly chunkSize?: string;
  readonly dryRun?: boolean;
  readonly waitFor?: string;
  readonly timeout?: string;
  readonly pollInterval?: string;
  readonly chunksAhead?: string;
  readonly rollback?: boolean;
}

/** A number as typed (`0.5`, `5`); the request rules say which values are allowed. */
function numberFlag(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(text))
    throw new UsageError(`--${name} must be a number such as 5 or 0.5; got ${JSON.stringify(text)}`);
  return Number(text);
}

function integerFlag(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a whole number; got ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * The request to send: the file's request with flags overriding its fields, or one built from the flags and the
 * servers of the file and --server. The request rules themselves are the client's to check.
 */
export function buildRequest(file: LoadedInput | undefined, flags: RequestFlags): Record<string, unknown> {
  const base: Record<string, unknown> = { ...(file?.request ?? {}) };
  const provider = flags.provider ?? (base.provider as string | undefined);
  if (provider === undefined)
    throw new UsageError(`say which provider: --provider ${PROVIDERS.join('|')}, or a request file with "provider"`);
  base.provider = provider;
  if (flags.region !== undefined) base.region = flags.region;
  if (flags.group !== undefined) {
    const definition = findDefinition(provider);
    if (definition === undefined)
      throw new UsageError(`--group needs a known provider (${PROVIDERS.join(', ')}); got ${JSON.stringify(provider)}`);
    base[definition.group.idField] = flags.group;
  }
  if (flags.project !== undefined) base.projectId = flags.project;
  const servers = [
    ...((base.servers as unknown[] | undefined) ?? []),
    ...(file?.servers ?? []),
    ...(flags.server ?? []).map(parseServerFlag),
  ];
  if (servers.length === 0) throw new UsageError('no servers: give a file (JSON, YAML or CSV) or --server key=value,…');
  base.servers = servers;
  const options: Record<string, unknown> = { ...((base.options as Record<string, unknown> | undefined) ?? {}) };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) options[key] = value;
  };
  set('maxChunkSize', integerFlag('chunk-size', flags.chunkSize));
  set('dryRun', flags.dryRun ? true : undefined);
  set('waitFor', flags.waitFor);
  set('availabilityTimeoutSeconds', integerFlag('timeout', flags.timeout));
  set('pollIntervalSeconds', numberFlag('poll-interval', flags.pollInterval));
  set('chunksAhead', integerFlag('chunks-ahead', flags.chunksAhead));
  set('onFailure', flags.rollback ? 'rollback' : undefined);
  if (Object.keys(options).length > 0) base.options = options;
  return base;
}
