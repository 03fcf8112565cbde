// The User-Agent of every provider call: lbflow, its version and the runtime, which is what provider support asks
// for when it traces a request (the vendors' SDKs send theirs the same way). test/providers/wire.test.ts keeps
// the version equal to package.json's.
export const LBFLOW_VERSION = '0.4.0';

export function defaultUserAgent(): string {
  return `lbflow/${LBFLOW_VERSION} (node ${process.version}; ${process.platform}; ${process.arch})`;
}
