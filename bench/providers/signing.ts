// Micro-benchmark of the provider clients: the CPU cost of encoding and signing one 200-server call, and the
// connections opened for 100 sequential calls against the simulators (keep-alive should make it 1).
//   npm run bench:providers
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createHash } from 'node:crypto';
import type { AlibabaServer } from '../../src/providers/alibaba/definition/index.js';
import type { HuaweiServer } from '../../src/providers/huawei/definition/index.js';
import { encodeForm } from '../../src/providers/alibaba/form.js';
import { changeParams } from '../../src/providers/alibaba/params.js';
import { signAcs3 } from '../../src/providers/alibaba/signer.js';
import { batchAddBody } from '../../src/providers/huawei/bodies.js';
import { signSdkHmacSha256 } from '../../src/providers/huawei/signer.js';
import { createProvider } from '../../src/providers/index.js';
import {
  DEFAULT_ALIBABA_CREDENTIAL,
  DEFAULT_HUAWEI_CREDENTIAL,
  DEFAULT_HUAWEI_PROJECT,
  startSimulators,
} from '../../src/simulator/index.js';

const alibabaServers: AlibabaServer[] = Array.from({ length: 200 }, (_, i) => ({
  serverId: `i-bp67acfmxazb4p${String(i).padStart(4, '0')}`,
  serverType: 'Ecs',
  port: 6081,
  serverIp: `192.168.${Math.floor(i / 250)}.${(i % 250) + 1}`,
}));
const huaweiServers: HuaweiServer[] = Array.from({ length: 200 }, (_, i) => ({
  address: `192.168.${Math.floor(i / 250)}.${(i % 250) + 1}`,
  protocolPort: 80,
  subnetCidrId: '61da8098-954b-4809-bc5a-b99ccef8a398',
  weight: 1,
  name: `member-${i}`,
}));
const date = new Date('2025-01-01T00:00:00Z');

function timePerOp(label: string, fn: () => unknown): number {
  for (let i = 0; i < 2_000; i++) fn();
  const runs = 20_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) fn();
  const us = Number(process.hrtime.bigint() - start) / 1000 / runs;
  process.stdout.write(`  ${label.padEnd(52)} ${us.toFixed(1).padStart(7)} µs\n`);
  return us;
}

process.stdout.write('encoding + signing one 200-server call (CPU, one core):\n');
const aliBody = encodeForm(
  changeParams('sgp-atstuj3rtoptyui0000', alibabaServers, 'lbflow/alibaba-gwlb/cn-hangzhou/sgp/req/0', false),
);
const aliUs = timePerOp(`Alibaba AddServersToServerGroup (form ${aliBody.length} B, ACS3)`, () =>
  signAcs3(
    {
      method: 'POST',
      host: 'gwlb.cn-hangzhou.aliyuncs.com',
      path: '/',
      query: [],
      headers: {
        'x-acs-action': 'AddServersToServerGroup',
        'x-acs-version': '2024-04-15',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: encodeForm(
        changeParams('sgp-atstuj3rtoptyui0000', alibabaServers, 'lbflow/alibaba-gwlb/cn-hangzhou/sgp/req/0', false),
      ),
    },
    DEFAULT_ALIBABA_CREDENTIAL,
    date,
    'd410180a5abf7fe235dd9b74aca91fc0',
  ),
);
const hwBody = JSON.stringify(batchAddBody(huaweiServers));
const hwUs = timePerOp(`Huawei batch-add (JSON ${hwBody.length} B, SDK-HMAC-SHA256)`, () =>
  signSdkHmacSha256(
    {
      method: 'POST',
      path: `/v3/${DEFAULT_HUAWEI_PROJECT}/elb/pools/04a9bc65-b75b-478d-b4d6-e693bb61dd35/members/batch-add`,
      query: [],
      headers: {
        'Content-Type': 'application/json',
        Host: 'elb.cn-north-4.myhuaweicloud.com',
        'X-Project-Id': DEFAULT_HUAWEI_PROJECT,
      },
      body: JSON.stringify(batchAddBody(huaweiServers)),
    },
    DEFAULT_HUAWEI_CREDENTIAL,
    date,
  ),
);
const floor = timePerOp('reference: SHA-256 of the Huawei body alone', () =>
  createHash('sha256').update(hwBody).digest('hex'),
);
const rttUs = 30_000;
process.stdout.write(
  `  ratio to the hashing floor: Alibaba ${(aliUs / floor).toFixed(1)}×, Huawei ${(hwUs / floor).toFixed(1)}×; ` +
    `share of a 30 ms round trip to a cloud region: Alibaba ${((aliUs / rttUs) * 100).toFixed(2)} %, Huawei ${((hwUs / rttUs) * 100).toFixed(2)} %\n`,
);

process.stdout.write('\nconnections opened for 100 sequential calls (keep-alive; ideal 1):\n');
let connected = 0;
const onConnected = () => connected++;
subscribe('undici:client:connected', onConnected);
const sims = await startSimulators({ port: 0 });
try {
  const alibaba = createProvider({
    provider: 'alibaba-gwlb',
    credentials: DEFAULT_ALIBABA_CREDENTIAL,
    endpoint: sims.alibaba.url,
  });
  const group = { provider: 'alibaba-gwlb' as const, region: 'cn-hangzhou', serverGroupId: 'sgp-atstuj3rtoptyui0001' };
  let start = process.hrtime.bigint();
  for (let i = 0; i < 100; i++) await alibaba.groupReadiness(group);
  let ms = Number(process.hrtime.bigint() - start) / 1e6;
  process.stdout.write(
    `  Alibaba ListServerGroups × 100: ${connected} connection(s), ${(ms / 100).toFixed(2)} ms per call on loopback\n`,
  );
  await alibaba.close();

  connected = 0;
  const huawei = createProvider({
    provider: 'huawei-elb',
    credentials: DEFAULT_HUAWEI_CREDENTIAL,
    endpoint: sims.huawei.url,
  });
  const pool = {
    provider: 'huawei-elb' as const,
    region: 'cn-north-4',
    projectId: DEFAULT_HUAWEI_PROJECT,
    poolId: '04a9bc65-b75b-478d-b4d6-e693bb61dd35',
  };
  start = process.hrtime.bigint();
  for (let i = 0; i < 100; i++) await huawei.listServers(pool);
  ms = Number(process.hrtime.bigint() - start) / 1e6;
  process.stdout.write(
    `  Huawei ListMembers × 100:        ${connected} connection(s), ${(ms / 100).toFixed(2)} ms per call on loopback\n`,
  );
  await huawei.close();
} finally {
  unsubscribe('undici:client:connected', onConnected);
  await sims.close();
}
