// Starting the simulators: each provider on its own 127.0.0.1 port, sharing one controllable clock.
//   const sims = await startSimulators({ port: 0 });
//   sims.alibaba.url, sims.huawei.url; await sims.close();
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AlibabaSimulator } from './alibaba/front.js';
import { handleAdmin, type SimulatorService } from './common/admin.js';
import { SimClock } from './common/clock.js';
import { DEFAULT_WORLD } from './common/default-world.js';
import { listen, sendJson } from './common/http.js';
import { parseWorld, readWorldFile, type World, type WorldInput } from './common/world.js';
import { HuaweiSimulator } from './huawei/front.js';

export { AlibabaSimulator } from './alibaba/front.js';
export { HuaweiSimulator } from './huawei/front.js';
export { SimClock } from './common/clock.js';
export type { ClockState } from './common/clock.js';
export type { FaultRuleInput, FaultPlanInput } from './common/faults.js';
export type { CallEntry } from './common/calllog.js';
export { DEFAULT_WORLD } from './common/default-world.js';
export * from './common/default-world.js';
export { parseWorld, readWorldFile, WorldError } from './common/world.js';
export type { World, WorldInput } from './common/world.js';

export const DEFAULT_ALIBABA_PORT = 7480;
export const DEFAULT_HUAWEI_PORT = 7481;

export interface SimulatorOptions {
  /** A world document (validated), or a world file path (JSON or YAML); default: the built-in world. */
  world?: WorldInput | string;
  /** The clock to use (share one between simulators); default: a new real-time clock. */
  clock?: SimClock;
  /** Port for this simulator (0: any free port). */
  port?: number;
  host?: string;
}

export interface StartOptions {
  world?: WorldInput | string;
  clock?: SimClock;
  /** Alibaba's port (default 7480; 0 for a free port). */
  alibabaPort?: number;
  /** Huawei's port (default 7481; 0 for a free port). */
  huaweiPort?: number;
  /** Shorthand: `port: 0` puts both on free ports. */
  port?: 0;
  host?: string;
}

export interface RunningSimulator<S extends SimulatorService> {
  url: string;
  port: number;
  simulator: S;
  close(): Promise<void>;
}

export interface RunningSimulators {
  alibaba: RunningSimulator<AlibabaSimulator>;
  huawei: RunningSimulator<HuaweiSimulator>;
  clock: SimClock;
  close(): Promise<void>;
}

export function loadWorld(world: WorldInput | string | undefined): World {
  if (typeof world === 'string') return readWorldFile(world, DEFAULT_WORLD);
  return parseWorld(world ?? DEFAULT_WORLD, DEFAULT_WORLD);
}

async function serve<S extends SimulatorService>(
  service: S,
  port: number,
  host: string | undefined,
): Promise<RunningSimulator<S>> {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      try {
        if (!(await handleAdmin(service, req, res))) await service.handle(req, res);
      } catch (error) {
        process.stderr.write(`${service.provider} simulator: ${(error as Error)?.stack ?? String(error)}\n`);
        sendJson(res, 500, { error: 'simulator failure' });
      }
    })();
  };
  const listening = await listen(handler, port, host);
  return { url: listening.url, port: listening.port, simulator: service, close: listening.close };
}

export async function startAlibabaSimulator(
  options: SimulatorOptions = {},
): Promise<RunningSimulator<AlibabaSimulator>> {
  const world = loadWorld(options.world);
  const service = new AlibabaSimulator(world.alibaba, options.clock ?? new SimClock(), {
    fallbackWorld: DEFAULT_WORLD,
  });
  return serve(service, options.port ?? DEFAULT_ALIBABA_PORT, options.host);
}

export async function startHuaweiSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator<HuaweiSimulator>> {
  const world = loadWorld(options.world);
  const service = new HuaweiSimulator(world.huawei, options.clock ?? new SimClock(), { fallbackWorld: DEFAULT_WORLD });
  return serve(service, options.port ?? DEFAULT_HUAWEI_PORT, options.host);
}

/** Both simulators on one clock; `close()` stops both. */
export async function startSimulators(options: StartOptions = {}): Promise<RunningSimulators> {
  const world = loadWorld(options.world);
  const clock = options.clock ?? new SimClock();
  const alibabaPort = options.alibabaPort ?? options.port ?? DEFAULT_ALIBABA_PORT;
  const huaweiPort = options.huaweiPort ?? options.port ?? DEFAULT_HUAWEI_PORT;
  const alibaba = await serve(
    new AlibabaSimulator(world.alibaba, clock, { fallbackWorld: DEFAULT_WORLD }),
    alibabaPort,
    options.host,
  );
  let huawei: RunningSimulator<HuaweiSimulator>;
  try {
    huawei = await serve(
      new HuaweiSimulator(world.huawei, clock, { fallbackWorld: DEFAULT_WORLD }),
      huaweiPort,
      options.host,
    );
  } catch (error) {
    await alibaba.close();
    throw error;
  }
  return {
    alibaba,
    huawei,
    clock,
    close: async () => {
      await Promise.all([alibaba.close(), huawei.close()]);
    },
  };
}
