// Bounded renderings of user values for error messages, so a hostile payload cannot make a giant message.

/** Longest slice of a string quoted into a message. */
const QUOTE_LIMIT = 40;

/** Quotes a string as JSON (control characters escaped), truncated to a short prefix with its full length noted. */
export function quote(text: string): string {
  if (text.length <= QUOTE_LIMIT) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, QUOTE_LIMIT))}… (${text.length} characters)`;
}

/** Describes any JSON-ish value for "got …" in a message: strings quoted, numbers as written, containers by kind only. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'object':
      return Array.isArray(value) ? `a list of ${value.length} item${value.length === 1 ? '' : 's'}` : 'an object';
    default:
      return `a ${typeof value}`;
  }
}

/** Lists a few quoted names, then how many more, so an object with 10 000 unknown keys stays one short line. */
export function listNames(names: readonly string[], limit = 5): string {
  const shown = names.slice(0, limit).map(quote).join(', ');
  return names.length > limit ? `${shown} and ${names.length - limit} more` : shown;
}

/** The UTF-8 length of `text` in bytes, counted without encoding it (workflow code has no byte buffers). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
