// The demo's requests on the simulators' default world (the groups, ECS and subnets it seeds): two real additions,
// one invalid request and one that hits the group quota. Plain data: `lbflow demo` sends them through the client.

const ALIBABA_GROUP = 'sgp-atstuj3rtoptyui0000';
const ALIBABA_QUOTA_HIT_GROUP = 'sgp-atstuj3rtoptyui0003';
const HUAWEI_PROJECT = '04dd36f964000fe22f9ac00bc85b1a1d';
const HUAWEI_POOL = '04a9bc65-b75b-478d-b4d6-e693bb61dd35';
const HUAWEI_SUBNET = '61da8098-954b-4809-bc5a-b99ccef8a398';

/** The default world's ECS n: i-bp67acfmxazb4pNNNN at 192.168.⌊n/250⌋.(n%250+1). */
const ecsIp = (n: number) => `192.168.${Math.floor(n / 250)}.${(n % 250) + 1}`;

/** One demo request, and what it should end as. */
export interface DemoWorldRun {
  readonly name: string;
  readonly provider: string;
  readonly group: string;
  readonly expect: string;
  readonly request: Readonly<Record<string, unknown>>;
  /** The invalid request goes to the workflow unchecked, so its ValidationError shows in the Web UI too. */
  readonly validateLocally: boolean;
}

/** The demo's runs on the default world. */
export function demoWorldRuns(): DemoWorldRun[] {
  const poll = { pollIntervalSeconds: 1 };
  const alibaba = Array.from({ length: 1000 }, (_, n) => ({
    serverId: `i-bp67acfmxazb4p${String(n).padStart(4, '0')}`,
    serverType: 'Ecs',
    serverIp: ecsIp(n),
  }));
  // Every 50th ECS of the Huawei world is down (its member would stay OFFLINE): the demo adds 300 healthy ones.
  const huawei: { address: string; protocolPort: number; subnetCidrId: string }[] = [];
  for (let n = 0; huawei.length < 300; n++)
    if (n % 50 !== 49) huawei.push({ address: ecsIp(n), protocolPort: 8080, subnetCidrId: HUAWEI_SUBNET });
  return [
    {
      name: 'alibaba 1000',
      provider: 'alibaba-gwlb',
      group: ALIBABA_GROUP,
      expect: 'completed',
      validateLocally: true,
      request: {
        provider: 'alibaba-gwlb',
        region: 'cn-hangzhou',
        serverGroupId: ALIBABA_GROUP,
        servers: alibaba,
        options: poll,
      },
    },
    {
      name: 'huawei 300',
      provider: 'huawei-elb',
      group: HUAWEI_POOL,
      expect: 'completed',
      validateLocally: true,
      request: {
        provider: 'huawei-elb',
        region: 'cn-north-4',
        projectId: HUAWEI_PROJECT,
        poolId: HUAWEI_POOL,
        servers: huawei,
        options: poll,
      },
    },
    {
      name: 'invalid',
      provider: 'alibaba-gwlb',
      group: ALIBABA_GROUP,
      expect: 'ValidationError',
      validateLocally: false,
      request: {
        provider: 'alibaba-gwlb',
        region: 'cn-hangzhou',
        serverGroupId: ALIBABA_GROUP,
        servers: [
          { serverId: 'i-bp67acfmxazb4p0001', serverType: 'ecs', serverIp: '192.168.0.2' },
          { serverId: 'i-bp67acfmxazb4p0002', serverType: 'Ecs', serverIp: '192.168.0.3', port: 80 },
        ],
      },
    },
    {
      name: 'quota hit',
      provider: 'alibaba-gwlb',
      group: ALIBABA_QUOTA_HIT_GROUP,
      expect: 'QuotaExceeded',
      validateLocally: true,
      request: {
        provider: 'alibaba-gwlb',
        region: 'cn-hangzhou',
        serverGroupId: ALIBABA_QUOTA_HIT_GROUP,
        servers: Array.from({ length: 10 }, (_, n) => ({ serverId: `10.3.9.${n + 1}`, serverType: 'Ip' })),
        options: poll,
      },
    },
  ];
}
