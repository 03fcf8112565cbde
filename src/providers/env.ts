// The environment variables a provider's plug-in reads, each with its rule: the worker reads every variable on its
// own (one bad value does not hide the problems of the others), then hands each provider what it asked for.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** One problem with the environment, naming its variable. */
export interface EnvIssue {
  readonly variable: string;
  readonly message: string;
}

/** A blank value reads as unset, as the vendors' SDKs read it. */
export const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** Any text, or unset. */
export const optionalText = z.preprocess(blankToUndefined, z.string().optional());

/** An origin a client calls instead of the provider's public endpoint (a simulator, a VPC endpoint). */
export const endpoint = z.preprocess(
  blankToUndefined,
  z
    .string()
    .refine((v) => !/^[a-z]+:\/\/[^/?#]*@/i.test(v), {
      error: 'must not carry a user name or password (credentials have their own variables)',
      abort: true,
    })
    .refine((v) => /^https?:\/\/[^/\s?#@]+\/?$/.test(v) && URL.canParse(v), {
      error:
        'must be an origin such as https://gwlb.cn-hangzhou.aliyuncs.com or http://127.0.0.1:7480 (scheme, host, optional port, no path)',
    })
    .transform((v) => v.replace(/\/$/, ''))
    .optional(),
);

/** `true` in any case. */
export const isTrue = (v: string | undefined) => v?.toLowerCase() === 'true';

/** What a provider's plug-in reads its settings from: its variables, parsed; where to report; the home directory. */
export interface EnvReading {
  /** Each variable the plug-in lists, parsed by its rule (a variable that broke its rule is absent). */
  readonly values: Readonly<Record<string, unknown>>;
  readonly issues: EnvIssue[];
  /** A file the vendors' SDKs read from the home directory, when HOME is known and the file is there. */
  homeFile(...parts: string[]): string | undefined;
}

/** `homeFile` of an `EnvReading` for this HOME. */
export function homeFiles(home: string | undefined): (...parts: string[]) => string | undefined {
  return (...parts) => {
    if (home === undefined) return undefined;
    const path = join(home, ...parts);
    return existsSync(path) ? path : undefined;
  };
}
