import { keptUp, type FanoutResult } from '../scenarios/fanout.js';
import type { IdleResult } from '../scenarios/idle.js';
import type { StepResult } from '../scenarios/measure-step.js';
import { cpuUsPerNotification } from '../scenarios/notifications.js';
import { YARDSTICK_NAMES } from '../targets/yardstick.js';
import type { SuiteResults } from '../suite.js';

/** One ssehub/Nchan comparison. */
export interface Ratio {
  readonly scenario: string;
  readonly what: string;
  readonly ssehub: number;
  readonly nchan: number;
  /** ssehub / Nchan: below 1 means ssehub needs less. */
  readonly ratio: number;
}

const round = (value: number): number => Math.round(value * 100) / 100;

// CPU per delivery compares wherever both delivered everything, even when one was late.
const complete = (step: StepResult): boolean => step.lost === 0 && step.closed === 0 && step.duplicates === 0;

function fanoutRatios(ssehub: FanoutResult, nchan: FanoutResult): Ratio[] {
  const ratios: Ratio[] = [];
  const scenario = `S1 ${ssehub.subscribers} subscribers`;
  for (const mine of ssehub.steps.filter(complete)) {
    const theirs = nchan.steps.find((step) => step.rate === mine.rate && complete(step));
    if (!theirs || theirs.cpuUsPerDelivery === 0) continue;
    const what = `server CPU µs per delivery @ ${mine.rate} events/s`;
    ratios.push({ scenario, what, ssehub: mine.cpuUsPerDelivery, nchan: theirs.cpuUsPerDelivery, ratio: round(mine.cpuUsPerDelivery / theirs.cpuUsPerDelivery) });
  }
  const best = (result: FanoutResult): number => result.best?.deliveredPerS ?? 0;
  if (best(nchan) > 0) {
    const what = 'highest deliveries/s kept up (no loss, p99 ≤ 1 s)';
    ratios.push({ scenario, what, ssehub: best(ssehub), nchan: best(nchan), ratio: round(best(ssehub) / best(nchan)) });
  }
  return ratios;
}

function idleRatios(ssehub: IdleResult, nchan: IdleResult): Ratio[] {
  const scenario = `S2 ${ssehub.connections} idle`;
  const ratios: Ratio[] = [
    { scenario, what: 'RSS KB per connection', ssehub: ssehub.rssKbPerConnection, nchan: nchan.rssKbPerConnection, ratio: round(ssehub.rssKbPerConnection / nchan.rssKbPerConnection) },
  ];
  if (nchan.restCpuPct > 0) {
    ratios.push({ scenario, what: 'CPU at rest, % of a core', ssehub: ssehub.restCpuPct, nchan: nchan.restCpuPct, ratio: round(ssehub.restCpuPct / nchan.restCpuPct) });
  }
  return ratios;
}

/** Every ssehub/Nchan ratio the run can give: same scenario, same size, same rate. */
export function computeRatios(results: SuiteResults): Ratio[] {
  const ratios: Ratio[] = [];
  for (const mine of results.fanout.filter((result) => result.target === 'ssehub')) {
    const theirs = results.fanout.find((result) => result.target === 'nchan' && result.subscribers === mine.subscribers);
    if (theirs) ratios.push(...fanoutRatios(mine, theirs));
  }
  for (const mine of results.idle.filter((result) => result.target.startsWith('ssehub'))) {
    const theirs = results.idle.find((result) => result.target === 'nchan' && result.connections === mine.connections);
    if (theirs && theirs.rssKbPerConnection > 0) ratios.push(...idleRatios(mine, theirs));
  }
  return ratios;
}

/** What going through a broker and two gateways adds to p50, against S1 at the same size and rate. */
export interface CrossNodeDelta {
  readonly target: string;
  readonly subscribers: number;
  readonly rate: number;
  readonly s1P50Ms: number;
  readonly p50Ms: number;
  readonly addedP50Ms: number;
}

/** S4 p50 minus S1 (one gateway, in-process publish) p50, wherever both ran the same rate. */
export function crossNodeDeltas(results: SuiteResults): CrossNodeDelta[] {
  const deltas: CrossNodeDelta[] = [];
  for (const result of results.crossNode) {
    const s1 = results.fanout.find((r) => r.target === 'ssehub' && r.subscribers === result.subscribers);
    for (const step of result.steps) {
      const base = s1?.steps.find((candidate) => candidate.rate === step.rate);
      if (!base) continue;
      const addedP50Ms = round(step.p50Ms - base.p50Ms);
      deltas.push({ target: result.target, subscribers: result.subscribers, rate: step.rate, s1P50Ms: base.p50Ms, p50Ms: step.p50Ms, addedP50Ms });
    }
  }
  return deltas;
}

/** S5: one target's CPU per notification at one rate, against the two yardsticks at the same rate. */
export interface NotificationRatio {
  readonly target: string;
  readonly rate: number;
  /** Server + broker CPU per notification, µs. */
  readonly cpuUs: number;
  /** cpuUs / the express 5 yardstick's, where it delivered everything at this rate. */
  readonly vsExpress?: number;
  /** cpuUs / the bare node:http yardstick's. */
  readonly vsBare?: number;
}

/** Every S5 step that delivered everything, with its ratios to the yardsticks at the same rate. */
export function notificationRatios(results: SuiteResults): NotificationRatio[] {
  const yardstick = (name: string, rate: number): number | undefined => {
    const step = results.notifications.find((result) => result.target === name)?.steps.find((s) => s.rate === rate && complete(s));
    return step === undefined ? undefined : cpuUsPerNotification(step);
  };
  const ratioTo = (cpuUs: number, base: number | undefined): number | undefined => (base ? round(cpuUs / base) : undefined);
  return results.notifications.flatMap((result) =>
    result.steps.filter(complete).map((step) => {
      const cpuUs = cpuUsPerNotification(step);
      const vsExpress = ratioTo(cpuUs, yardstick(YARDSTICK_NAMES.express, step.rate));
      const vsBare = ratioTo(cpuUs, yardstick(YARDSTICK_NAMES.bare, step.rate));
      return { target: result.target, rate: step.rate, cpuUs, ...(vsExpress === undefined ? {} : { vsExpress }), ...(vsBare === undefined ? {} : { vsBare }) };
    }),
  );
}
