// The CLI's connection to Temporal: Temporal's own variables and profile file (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
// TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE), overridden by --address / --namespace.
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';

export interface TemporalFlags {
  readonly address?: string | undefined;
  readonly namespace?: string | undefined;
  /** The Web UI's base URL, for links (LBFLOW_WEB_UI, or --web-ui). */
  readonly webUi?: string | undefined;
}

export interface Temporal {
  readonly client: Client;
  readonly namespace: string;
  readonly address: string;
  readonly webUi: string | undefined;
  close(): Promise<void>;
}

/** Connects, or throws an Error whose message says which address failed and how to change it. */
export async function connectTemporal(flags: TemporalFlags, env: NodeJS.ProcessEnv = process.env): Promise<Temporal> {
  const vars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  const { connectionOptions, namespace: profileNamespace } = loadClientConnectConfig({ overrideEnvVars: vars });
  const address = flags.address ?? connectionOptions.address ?? 'localhost:7233';
  const namespace = flags.namespace ?? profileNamespace ?? 'default';
  const options: ConnectionOptions = {
    address,
    ...(connectionOptions.tls !== undefined ? { tls: connectionOptions.tls as ConnectionOptions['tls'] } : {}),
    ...(connectionOptions.apiKey !== undefined ? { apiKey: connectionOptions.apiKey as string } : {}),
    ...(connectionOptions.metadata !== undefined ? { metadata: connectionOptions.metadata } : {}),
    connectTimeout: '5s',
  };
  let connection: Connection;
  try {
    connection = await Connection.connect(options);
  } catch (error) {
    throw new TemporalUnreachableError(
      `cannot reach Temporal at ${address} (${(error as Error).message}); set TEMPORAL_ADDRESS or --address, or start one with \`lbflow dev\``,
    );
  }
  return {
    client: new Client({ connection, namespace }),
    namespace,
    address,
    webUi: (flags.webUi ?? env.LBFLOW_WEB_UI)?.replace(/\/$/, ''),
    close: () => connection.close(),
  };
}

export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
}

/** The Web UI page of a run, when the UI's address is known. */
export function runLink(
  webUi: string | undefined,
  namespace: string,
  workflowId: string,
  runId?: string,
): string | undefined {
  if (webUi === undefined) return undefined;
  const base = `${webUi}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${runId}/history` : base;
}
