import { describe, expect, it } from 'vitest';
import { audit, ownerOf } from './audit.js';
import type { InputRecord, OutputRecord } from './audit.js';

const W = 1000;
const input: InputRecord[] = [
  { id: 'a', t: 900 },
  { id: 'b', t: 999 },
  { id: 'c', t: 1000 },
  { id: 'd', t: 1500 },
];
const out = (id: string, t: number, color: 'blue' | 'green', committedAt: number): OutputRecord => ({
  id,
  t,
  color,
  committedAt,
});
const handover = { first: 'blue' as const, handovers: [{ watermark: W, to: 'green' as const }] };

describe('the end-to-end audit', () => {
  it('passes exactly-once output by the owning color and measures the stall against steady state', () => {
    const r = audit(
      input,
      [
        out('a', 900, 'blue', 100),
        out('b', 999, 'blue', 200),
        out('c', 1000, 'green', 1200),
        out('d', 1500, 'green', 1300),
      ],
      handover,
      [0, 200],
      [200, 1300],
    );
    expect(r).toMatchObject({ records: 4, lost: [], duplicated: [], wrongOwner: [], unknown: [] });
    expect(r.steadyGapMs).toBe(100);
    expect(r.stallMs).toBe(1000);
  });

  it('finds a lost record, a duplicate, the wrong owner and output no input has', () => {
    const r = audit(
      input,
      [
        out('a', 900, 'blue', 1),
        out('a', 900, 'green', 2),
        out('c', 1000, 'blue', 3),
        out('x', 5, 'blue', 4),
        out('d', 1499, 'green', 5),
      ],
      handover,
      [0, 1],
      [1, 5],
    );
    expect(r.lost.sort()).toEqual(['b', 'd']);
    expect(r.duplicated).toEqual(['a']);
    expect(r.wrongOwner).toEqual(['a@900 by green', 'c@1000 by blue']);
    expect(r.unknown).toEqual(['x', 'd']);
  });

  it('chains the owners of a rollback', () => {
    const rollback = {
      first: 'blue' as const,
      handovers: [
        { watermark: 1000, to: 'green' as const },
        { watermark: 2000, to: 'blue' as const },
      ],
    };
    expect([999, 1000, 1999, 2000].map((t) => ownerOf(rollback, t))).toEqual([
      'blue',
      'green',
      'green',
      'blue',
    ]);
  });
});
