/** credentialIn searches the shapes only in strings holding text one of them needs. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { credentialIn, SHAPE_ANCHORS, SHAPES } from '../../lib/spec/credentials.js';

const SAMPLES = [
  '-----BEGIN RSA PRIVATE KEY-----',
  '-----BEGIN PRIVATE KEY-----',
  'AKIAIOSFODNN7EXAMPLE',
  'ASIAIOSFODNN7EXAMPLE',
  'ghp_' + 'a'.repeat(36),
  'xoxb-1234567890-abc',
  'AIza' + 'B'.repeat(35),
  'eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.abcdefghijkl',
  'DefaultEndpointsProtocol=https;AccountKey=abc',
  'sharedaccesskey=x',
  'sk_live_' + 'c'.repeat(16),
  'rk_live_' + 'd'.repeat(20),
];

describe('credential shapes', () => {
  it('every shape needs one of the anchors', () => {
    const piece = fc.oneof(
      fc.constantFrom(...SAMPLES),
      fc.string(),
      fc.constantFrom(' ', ';', '=', '_', '-', 'gh', 'xox', 'live', 'BEGIN', 'KEY-----'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 5 }), (parts) => {
        const v = parts.join('');
        if (SHAPES.some(([re]) => re.test(v))) expect(SHAPE_ANCHORS.test(v)).toBe(true);
      }),
      { numRuns: 3000 },
    );
    for (const s of SAMPLES) {
      expect(SHAPES.some(([re]) => re.test(s))).toBe(true);
      expect(credentialIn(s)).toBeDefined();
    }
  });
});
