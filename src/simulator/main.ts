// `npm run sim`: both simulators on 127.0.0.1 (Alibaba 7480, Huawei 7481), one JSON line with the endpoints,
// clean shutdown on SIGINT/SIGTERM. `--host 0.0.0.0` lets other containers reach them (docker-compose.yml).
//   npm run sim -- [--host ADDR] [--port 0] [--alibaba-port N] [--huawei-port N] [--world FILE]
import { parseArgs } from 'node:util';
import {
  DEFAULT_ALIBABA_CREDENTIAL,
  DEFAULT_HUAWEI_CREDENTIAL,
  DEFAULT_HUAWEI_PROJECT,
  startSimulators,
  type StartOptions,
} from './index.js';

function port(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`--${name} must be a port number 0–65535 (0: a free port); got "${text}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'alibaba-port': { type: 'string' },
      'huawei-port': { type: 'string' },
      world: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run sim -- [--host 127.0.0.1] [--port 0] [--alibaba-port N] [--huawei-port N] [--world FILE.json|FILE.yaml]\n',
    );
    return;
  }
  if (values.host.trim() === '') throw new Error('--host must be an address to listen on, e.g. 127.0.0.1 or 0.0.0.0');
  const both = port('port', values.port);
  const options: StartOptions = { host: values.host };
  const alibabaPort = port('alibaba-port', values['alibaba-port']) ?? both;
  const huaweiPort = port('huawei-port', values['huawei-port']) ?? both;
  if (alibabaPort !== undefined) options.alibabaPort = alibabaPort;
  if (huaweiPort !== undefined) options.huaweiPort = huaweiPort;
  if (values.world !== undefined) options.world = values.world;
  const sims = await startSimulators(options);
  const line = {
    alibaba: {
      url: sims.alibaba.url,
      admin: `${sims.alibaba.url}/_sim/state`,
      ...(values.world ? {} : { accessKeyId: DEFAULT_ALIBABA_CREDENTIAL.accessKeyId }),
    },
    huawei: {
      url: sims.huawei.url,
      admin: `${sims.huawei.url}/_sim/state`,
      ...(values.world ? {} : { accessKey: DEFAULT_HUAWEI_CREDENTIAL.accessKey, projectId: DEFAULT_HUAWEI_PROJECT }),
    },
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`simulators: ${signal}, closing\n`);
    sims.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`simulators: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
