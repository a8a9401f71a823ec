import type { DecideRules } from '../gate/decide.js';
import type { GateRules } from '../gate/types.js';

/** The protocol, the naive watermark switch, and the protocol with one of its rules dropped each. */
export const STRATEGIES = [
  'two-phase',
  'watermark-gate',
  'two-phase-no-restore-read',
  'two-phase-no-held-state',
  'two-phase-no-missing-report-check',
  'two-phase-no-rediscovery',
  'two-phase-non-monotonic',
] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface StrategyRules {
  /** false: `watermark-gate` (each subtask switches when its own watermark crosses W). */
  twoPhase: boolean;
  gate: GateRules;
  decide: DecideRules;
  /** The controller finds the job again on every poll (a restart changes the job id). */
  rediscover: boolean;
}

export const STRATEGY_DESCRIPTIONS: Record<Strategy, string> = {
  'two-phase': 'the handover protocol: prepare, arm or reject, complete',
  'watermark-gate':
    'the naive proposal: each subtask switches when its own watermark crosses W (no prepare, no arming)',
  'two-phase-no-restore-read':
    'drops "a gate reads the ConfigMaps before its first record after a restore" (it trusts its checkpointed view)',
  'two-phase-no-held-state':
    'drops "held records and the prepare state are checkpointed" (a restore forgets them)',
  'two-phase-no-missing-report-check':
    'drops "a missing report is never a yes" (arms when no reporting subtask is past W)',
  'two-phase-no-rediscovery':
    'drops "the job is rediscovered on every poll" (the controller keeps the first job id it saw)',
  'two-phase-non-monotonic':
    'drops "phases are monotonic" (the controller re-derives the phase each poll and aborts an armed cutover when the target job is down; gates follow)',
};

export function strategyRules(s: Strategy): StrategyRules {
  const base: StrategyRules = {
    twoPhase: true,
    gate: { restoreRead: true, heldState: true, monotonic: true },
    decide: { requireAllReports: true, monotonic: true },
    rediscover: true,
  };
  switch (s) {
    case 'two-phase':
      return base;
    case 'watermark-gate':
      return { ...base, twoPhase: false };
    case 'two-phase-no-restore-read':
      return { ...base, gate: { ...base.gate, restoreRead: false } };
    case 'two-phase-no-held-state':
      return { ...base, gate: { ...base.gate, heldState: false } };
    case 'two-phase-no-missing-report-check':
      return { ...base, decide: { ...base.decide, requireAllReports: false } };
    case 'two-phase-no-rediscovery':
      return { ...base, rediscover: false };
    case 'two-phase-non-monotonic':
      return {
        ...base,
        gate: { ...base.gate, monotonic: false },
        decide: { ...base.decide, monotonic: false },
      };
  }
}

export function isStrategy(s: string): s is Strategy {
  return (STRATEGIES as readonly string[]).includes(s);
}
