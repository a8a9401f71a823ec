import { colorsOf } from '../../spec/effective.js';
import { configPointer, effectiveConfig, isZeroDuration } from '../config.js';
import { findingAt } from '../findings.js';
import type { Finding, Rule, RuleContext } from '../types.js';

/** Options whose effect depends on the wall clock; a value of 0 / false means off. */
export const CLOCK_KEYS: Record<string, string> = {
  'table.exec.source.idle-timeout':
    'marks sources idle by wall-clock time, so each color advances its watermark at different records',
  'table.exec.state.ttl': 'expires state by processing time, so the colors forget keys at different moments',
  'table.exec.emit.early-fire.enabled': 'fires windows early on a processing-time timer',
  'table.exec.emit.late-fire.enabled': 'fires late results on a processing-time timer',
};

function isOff(v: string): boolean {
  const t = v.trim().toLowerCase();
  return t === 'false' || isZeroDuration(t);
}

export const clockDependentConfig: Rule = {
  id: 'clock-dependent-config',
  severity: 'warning',
  summary: 'Configuration based on the wall clock makes the two colors produce different output.',
  doc: `Some Table API options act on processing time even in an event-time job: ${Object.keys(CLOCK_KEYS).join(', ')}. Blue and green process the same records at different wall-clock moments (green replays the gap from a checkpoint), so with these options they may mark different partitions idle, expire different state or fire different early results, and their outputs around the cutover differ (raised in the Flink community thread). This is a warning: decide whether the difference matters downstream; set the option to 0/false during the overlap, or accept it. Checked once the pipeline runs two colors; both nested and dotted spellings are read.`,
  check: ({ pair }: RuleContext): Finding[] => {
    const head = pair.head;
    if (!head || colorsOf(head.pipeline).length < 2) return [];
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const c of colorsOf(head.pipeline)) {
      const conf = effectiveConfig(head.pipeline, c);
      for (const [key, why] of Object.entries(CLOCK_KEYS)) {
        const v = conf[key];
        if (v === undefined || isOff(v)) continue;
        const ptr = configPointer(head.pipeline, c, key);
        if (seen.has(ptr)) continue;
        seen.add(ptr);
        out.push(
          findingAt(
            clockDependentConfig,
            head,
            ptr,
            `${key}: ${v} ${why}`,
            `set ${key} to 0 (or false) while both colors run, or accept diverging output around the cutover`,
          ),
        );
      }
    }
    return out;
  },
};
