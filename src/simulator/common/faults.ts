// Fault injection per action, by probability (seeded PRNG, repeatable) or by exact sequence of calls.
import { z } from 'zod';
import { Prng } from './prng.js';

export const FAULT_EFFECTS = [
  'latency',
  'error',
  'throttle',
  'reset',
  'commitThenDrop',
  'slowSettle',
  'neverAvailable',
] as const;
export type FaultEffect = (typeof FAULT_EFFECTS)[number];

export const faultRuleSchema = z.strictObject({
  /** The provider action (`AddServersToServerGroup`, `BatchCreateMembers`, …) or `*` for every action. */
  action: z.string().min(1).max(100).default('*'),
  effect: z.enum(FAULT_EFFECTS),
  /** Fire with this probability on each matching call (seeded PRNG). */
  probability: z.number().min(0).max(1).optional(),
  /** Fire on exactly these matching calls: one character per call, `x`/`1` fires, anything else does not. */
  sequence: z.string().min(1).max(10_000).optional(),
  /** Start the sequence over when it ends (otherwise the rule stops firing). */
  repeat: z.boolean().default(false),
  /** Fire at most this many times. */
  times: z.number().int().min(1).optional(),
  /** latency: added delay; also allowed on any other effect (applied before it). */
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  /** error / commitThenDrop with drop "error": the HTTP status and provider code to answer. */
  status: z.number().int().min(400).max(599).optional(),
  code: z.string().min(1).max(100).optional(),
  message: z.string().max(1000).optional(),
  /** commitThenDrop: how the client loses the answer after the change is applied. */
  drop: z.enum(['reset', 'error']).default('reset'),
  /** slowSettle: settle times of the change are multiplied by `settleFactor` and extended by `settleExtraMs`. */
  settleFactor: z.number().min(0).max(1_000_000).optional(),
  settleExtraMs: z.number().int().min(0).optional(),
});

export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type FaultRule = z.output<typeof faultRuleSchema>;

export const faultPlanSchema = z.strictObject({
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  rules: z.array(faultRuleSchema).max(1000).default([]),
});
export type FaultPlanInput = z.input<typeof faultPlanSchema>;

/** What the front must do for one call; terminal effects end the call before the model sees it. */
export interface FaultDecision {
  latencyMs: number;
  terminal?: { effect: 'error' | 'throttle' | 'reset'; status?: number; code?: string; message?: string };
  commitThenDrop?: { drop: 'reset' | 'error'; status?: number; code?: string; message?: string };
  settleFactor: number;
  settleExtraMs: number;
  neverAvailable: boolean;
  /** Ids and effects of the rules that fired, for the call log. */
  fired: string[];
}

interface ActiveRule {
  id: string;
  rule: FaultRule;
  seen: number;
  fired: number;
}

export const DEFAULT_FAULT_SEED = 0x5eed;
const MAX_RULES = 1000;

export class FaultInjector {
  #rules: ActiveRule[] = [];
  #prng: Prng;
  #seed: number;
  #nextId = 1;

  constructor(plan?: FaultPlanInput) {
    this.#seed = DEFAULT_FAULT_SEED;
    this.#prng = new Prng(this.#seed);
    if (plan) this.replace(plan);
  }

  /** Replaces every rule (and the seed when given); counters start over. */
  replace(planInput: FaultPlanInput): string[] {
    const plan = faultPlanSchema.parse(planInput);
    this.#rules = [];
    this.#seed = plan.seed ?? this.#seed;
    this.#prng = new Prng(this.#seed);
    return plan.rules.map((rule) => this.#push(rule));
  }

  add(ruleInput: FaultRuleInput): string {
    return this.#push(faultRuleSchema.parse(ruleInput));
  }

  remove(id: string): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((r) => r.id !== id);
    return this.#rules.length !== before;
  }

  clear(): void {
    this.#rules = [];
    this.#prng = new Prng(this.#seed);
  }

  #push(rule: FaultRule): string {
    if (this.#rules.length >= MAX_RULES) throw new RangeError(`at most ${MAX_RULES} fault rules`);
    const id = `fault-${this.#nextId++}`;
    this.#rules.push({ id, rule, seen: 0, fired: 0 });
    return id;
  }

  describe(): { seed: number; rules: Array<FaultRule & { id: string; seen: number; fired: number }> } {
    return { seed: this.#seed, rules: this.#rules.map((r) => ({ id: r.id, ...r.rule, seen: r.seen, fired: r.fired })) };
  }

  /** Decides the faults of one call of `action`; every matching rule counts the call. */
  decide(action: string): FaultDecision {
    const decision: FaultDecision = {
      latencyMs: 0,
      settleFactor: 1,
      settleExtraMs: 0,
      neverAvailable: false,
      fired: [],
    };
    for (const active of this.#rules) {
      const { rule } = active;
      if (rule.action !== '*' && rule.action !== action) continue;
      const index = active.seen++;
      if (!this.#fires(active, index)) continue;
      active.fired++;
      decision.fired.push(`${active.id}:${rule.effect}`);
      decision.latencyMs += rule.latencyMs ?? 0;
      switch (rule.effect) {
        case 'latency':
          break;
        case 'error':
        case 'throttle':
        case 'reset':
          decision.terminal ??= { effect: rule.effect, ...pick(rule) };
          break;
        case 'commitThenDrop':
          decision.commitThenDrop ??= { drop: rule.drop, ...pick(rule) };
          break;
        case 'slowSettle':
          decision.settleFactor *= rule.settleFactor ?? (rule.settleExtraMs === undefined ? 10 : 1);
          decision.settleExtraMs += rule.settleExtraMs ?? 0;
          break;
        case 'neverAvailable':
          decision.neverAvailable = true;
          break;
      }
    }
    return decision;
  }

  #fires(active: ActiveRule, index: number): boolean {
    const { rule } = active;
    if (rule.times !== undefined && active.fired >= rule.times) return false;
    if (rule.sequence !== undefined) {
      const at = rule.repeat ? index % rule.sequence.length : index;
      const mark = rule.sequence[at];
      if (mark !== 'x' && mark !== 'X' && mark !== '1') return false;
      return rule.probability === undefined || this.#prng.next() < rule.probability;
    }
    if (rule.probability !== undefined) return this.#prng.next() < rule.probability;
    return true;
  }
}

function pick(rule: FaultRule): { status?: number; code?: string; message?: string } {
  const out: { status?: number; code?: string; message?: string } = {};
  if (rule.status !== undefined) out.status = rule.status;
  if (rule.code !== undefined) out.code = rule.code;
  if (rule.message !== undefined) out.message = rule.message;
  return out;
}
