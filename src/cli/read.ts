// Reading an input file as a careful parser would: a bounded number of bytes from any source, UTF-8 checked,
// and the things JSON.parse and YAML let through silently (a repeated key, deep nesting, a number that does not
// fit a double) refused with where they are. Everything here throws InputError; input.ts turns it into usage.
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { isMap, isScalar, isSeq, parseDocument, visit, type Document } from 'yaml';
import { MAX_REQUEST_BYTES } from '../client/index.js';

/** A problem with an input's bytes or syntax; the message names the source and, where it can, the field. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/**
 * The most bytes the CLI reads from one input: twice the request limit, so a request at the limit still fits
 * pretty-printed (indentation, one field per line) or as YAML with comments. More is refused unread.
 */
export const MAX_INPUT_BYTES = 2 * MAX_REQUEST_BYTES;

/** How deep an input may nest. A request needs 3 levels (request → servers → server); anything near this is not one. */
export const MAX_NESTING = 32;

/** Significant digits a double always holds exactly; a number written with more would be rounded before the rules see it. */
const EXACT_DIGITS = 15;

/**
 * Reads at most `limit` bytes from a file, FIFO, device or (for `-`) stdin, and refuses beyond that without
 * reading further: `/dev/zero` or an endless pipe costs `limit` bytes and milliseconds, not memory.
 */
export async function readBounded(path: string, limit = MAX_INPUT_BYTES): Promise<Buffer> {
  const stream = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 256 * 1024 });
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) {
        throw new InputError(
          `${sourceName(path)} is larger than ${limit.toLocaleString('en-US')} bytes, the most lbflow reads (a request may be at most ${MAX_REQUEST_BYTES.toLocaleString('en-US')} bytes as JSON): split the servers into several requests`,
        );
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      `cannot read ${sourceName(path)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  } finally {
    if (path === '-') process.stdin.destroy();
    else (stream as ReturnType<typeof createReadStream>).destroy();
  }
  return Buffer.concat(chunks, Math.min(total, limit));
}

export function sourceName(path: string): string {
  return path === '-' ? 'stdin' : path;
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    // Lead byte: how many continuation bytes follow, and the allowed range of the first one (no overlongs, no surrogates, ≤ U+10FFFF).
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** 1-based line of a character offset, for messages. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The text of an input: UTF-8 (a leading byte-order mark is dropped, as CSV and YAML readers do), or a refusal. */
export interface DecodedText {
  readonly text: string;
  /** Set when the bytes are not UTF-8: where the first bad byte is. The caller names the field from `text` (decoded lossily). */
  readonly invalidUtf8?: { readonly byte: number; readonly line: number };
}

export function decodeUtf8(bytes: Buffer): DecodedText {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(start);
  const text = body.toString('utf8');
  if (isUtf8(body)) return { text };
  const byte = firstInvalidUtf8(body);
  const line = lineAt(body.subarray(0, byte).toString('latin1'), byte);
  return { text, invalidUtf8: { byte: byte + start, line } };
}

/** The first place in a parsed value whose key or string holds U+FFFD, the mark a lossy decode leaves for bad bytes. */
export function replacedField(value: unknown): string | undefined {
  const stack: { value: unknown; path: string }[] = [{ value, path: '' }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop() as { value: unknown; path: string };
    if (typeof v === 'string') {
      if (v.includes('\uFFFD')) return path || '(the top level)';
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: `${path}[${i}]` });
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] as [string, unknown];
        const at = path ? `${path}.${key}` : key;
        if (key.includes('\uFFFD')) return `a key in ${path || 'the top level'}`;
        stack.push({ value: child, path: at });
      }
    }
  }
  return undefined;
}

/** A path for a message: a deep one keeps its start and end. */
function shortPath(path: string): string {
  return path.length <= 80 ? path : `${path.slice(0, 40)}…${path.slice(-30)}`;
}

function childPath(parent: string, segment: string | number): string {
  if (typeof segment === 'number') return `${parent}[${segment}]`;
  return parent ? `${parent}.${segment}` : segment;
}

/** Why a written number is refused, or undefined: more significant digits than a double keeps, or an integer past 2^53. */
export function inexactNumber(written: string, value: number): string | undefined {
  if (!Number.isFinite(value)) return `${written} is not a finite number`;
  if (/^[-+]?0[xob]/i.test(written))
    return Number.isSafeInteger(value)
      ? undefined
      : `${written} is larger than ${Number.MAX_SAFE_INTEGER}, the largest integer a number holds exactly`;
  const mantissa = written
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  if (mantissa.length > EXACT_DIGITS)
    return `${written} has more than ${EXACT_DIGITS} significant digits: it would be read as ${value}`;
  return undefined;
}

/**
 * Checks JSON text that JSON.parse accepted for what it lets through: a key repeated in one object (JSON.parse
 * keeps the last), nesting deeper than MAX_NESTING, numbers that are not exact. One pass, no recursion.
 */
export function inspectJson(text: string, source: string): void {
  interface Frame {
    readonly path: string;
    readonly keys?: Set<string>;
    /** The current key (objects) or index (arrays). */
    at: string | number;
  }
  const stack: Frame[] = [];
  let expectKey = false;
  const here = (): string => {
    const top = stack[stack.length - 1];
    return top === undefined ? '' : childPath(top.path, top.at);
  };
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i] as string;
    if (c === '"') {
      let j = i + 1;
      let escaped = false;
      for (;;) {
        const d = text[j];
        if (d === '\\') {
          escaped = true;
          j += 2;
        } else if (d === '"' || d === undefined) break;
        else j += 1;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys !== undefined) {
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        if (top.keys.has(key)) {
          throw new InputError(
            `${source}: the key "${key}" appears twice in ${top.path || 'the top-level object'} (line ${lineAt(text, i)}); JSON would keep only the last one`,
          );
        }
        top.keys.add(key);
        top.at = key;
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') {
      const path = here();
      if (stack.length >= MAX_NESTING)
        throw new InputError(
          `${source}: ${shortPath(path) || 'the input'} is nested deeper than ${MAX_NESTING} levels (line ${lineAt(text, i)})`,
        );
      stack.push(c === '{' ? { path, keys: new Set(), at: '' } : { path, at: 0 });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.keys !== undefined) expectKey = true;
      else if (top !== undefined) top.at = (top.at as number) + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + 1;
      while (j < n && /[0-9.eE+-]/.test(text[j] as string)) j++;
      const written = text.slice(i, j);
      const why = inexactNumber(written, Number(written));
      if (why !== undefined)
        throw new InputError(`${source}: ${here() || 'the input'}: ${why} (line ${lineAt(text, i)})`);
      i = j;
      continue;
    }
    i += 1;
  }
}

/**
 * A cheap upper bound on YAML nesting, before the parser (which recurses and overflows near 800 levels): flow
 * brackets outside quotes and comments, plus the block indentation levels open at each line.
 */
function yamlNestingBound(text: string): { depth: number; line: number } {
  const indents: number[] = [];
  let deepest = { depth: 0, line: 0 };
  let flow = 0;
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    const content = raw.trimStart();
    if (content === '' || content.startsWith('#')) continue;
    const indent = raw.length - content.length;
    if (flow === 0) {
      while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
      indents.push(indent);
    }
    let quote: string | undefined;
    for (let k = 0; k < content.length; k++) {
      const ch = content[k] as string;
      if (quote !== undefined) {
        if (ch === '\\' && quote === '"') k++;
        else if (ch === quote) quote = undefined;
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '#' && (k === 0 || content[k - 1] === ' ')) break;
      else if (ch === '[' || ch === '{') flow++;
      else if (ch === ']' || ch === '}') flow = Math.max(0, flow - 1);
      const depth = indents.length + flow;
      if (depth > deepest.depth) deepest = { depth, line };
    }
  }
  return deepest;
}

/** The deepest container path of a parsed value, iteratively. */
function deepestPath(value: unknown): { depth: number; path: string } {
  let deepest = { depth: 0, path: '' };
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const item = stack.pop() as { value: unknown; depth: number; path: string };
    if (typeof item.value !== 'object' || item.value === null) continue;
    const depth = item.depth + 1;
    if (depth > deepest.depth) deepest = { depth, path: item.path };
    if (depth > MAX_NESTING) break;
    const entries = Array.isArray(item.value) ? item.value.map((v, k) => [k, v] as const) : Object.entries(item.value);
    for (const [key, child] of entries) stack.push({ value: child, depth, path: childPath(item.path, key) });
  }
  return deepest;
}

/**
 * Parses YAML (or JSON read as YAML) strictly: no repeated key in a mapping, at most MAX_NESTING levels, at most
 * 100 alias expansions, exact numbers. YAML 1.2 core numbers stay numbers: `0x50` is 80 and `0o12` is 10.
 */
export function parseYamlStrict(text: string, source: string): unknown {
  const bound = yamlNestingBound(text);
  // The bound over-counts (a block scalar's own indentation), so it only guards the parser, far above any real request.
  if (bound.depth > 8 * MAX_NESTING)
    throw new InputError(`${source}: the input is nested deeper than ${MAX_NESTING} levels (line ${bound.line})`);
  let doc: Document;
  try {
    // Repeated keys are found below, so the message can name the key and its mapping.
    doc = parseDocument(text, { uniqueKeys: false, prettyErrors: true });
  } catch (error) {
    throw new InputError(`${source}: not valid YAML: ${(error as Error).message}`);
  }
  const first = doc.errors[0];
  if (first !== undefined) throw new InputError(`${source}: not valid YAML: ${first.message}`);
  let refused: string | undefined;
  visit(doc, {
    Map(_key, node, path) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (seen.has(key)) {
          const where = yamlPath([...path, node]);
          refused = `the key ${JSON.stringify(key)} appears twice in ${where === 'the input' ? 'the top-level mapping' : where} (line ${lineAt(text, pair.key.range?.[0] ?? 0)}); YAML does not allow it`;
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
    Scalar(_key, node, path) {
      if (typeof node.value !== 'number' || typeof node.source !== 'string') return undefined;
      const why = inexactNumber(node.source, node.value);
      if (why === undefined) return undefined;
      refused = `${yamlPath([...path, node])}: ${why} (line ${lineAt(text, node.range?.[0] ?? 0)})`;
      return visit.BREAK;
    },
  });
  if (refused !== undefined) throw new InputError(`${source}: ${refused}`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new InputError(`${source}: not valid YAML: ${(error as Error).message}`);
  }
  const deepest = deepestPath(value);
  if (deepest.depth > MAX_NESTING)
    throw new InputError(
      `${source}: ${shortPath(deepest.path) || 'the input'} is nested deeper than ${MAX_NESTING} levels`,
    );
  return value;
}

/** `servers[2].port` for a node's ancestry in a YAML document. */
function yamlPath(path: readonly unknown[]): string {
  let out = '';
  for (let k = 1; k < path.length; k++) {
    const parent = path[k - 1];
    const node = path[k];
    if (isSeq(parent)) out = childPath(out, parent.items.indexOf(node as never));
    else if (isMap(parent)) {
      // visit passes the Pair between a map and its value.
      const pair = node as { key?: unknown };
      if (isScalar(pair.key)) out = childPath(out, String(pair.key.value));
    }
  }
  return out || 'the input';
}
