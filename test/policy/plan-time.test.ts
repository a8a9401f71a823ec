import { describe, expect, it } from 'vitest';
import { humanDuration } from '../../lib/spec/duration.js';
import { runCli } from '../support/cli.js';
import { stagedPipeline, tempDir } from '../support/pipelines.js';

describe('plan: times as people read them', () => {
  const base = () => tempDir({ 'orders.yaml': stagedPipeline() });
  const head = (watermark: string) =>
    tempDir({
      'orders.yaml': stagedPipeline((p) => {
        p.spec.cutover = { generation: 1, to: 'green', watermark };
      }),
    });

  it('drops sub-second parts above a minute (a --now with milliseconds, as the clock gives)', async () => {
    const r = await runCli([
      'plan',
      '--head',
      head('2026-12-01T12:00:00Z'),
      '--base',
      base(),
      '--now',
      '2026-12-01T11:40:07.632Z',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('at 2026-12-01T12:00:00Z, 19m52s after now');
    expect(r.stdout).not.toMatch(/\d+ms after now/);
    const json = await runCli([
      'plan',
      '--head',
      head('2026-12-01T11:00:00Z'),
      '--base',
      base(),
      '--now',
      '2026-12-01T11:40:07.632Z',
      '--format',
      'json',
    ]);
    expect(JSON.parse(json.stdout).pipelines[0].description).toContain('40m8s before now');
  });

  it("gives the watermark in UTC, with the spec's own spelling beside it when that has an offset", async () => {
    const r = await runCli([
      'plan',
      '--head',
      head('2026-12-01T13:00:00+01:00'),
      '--base',
      base(),
      '--now',
      '2026-12-01T11:00:00Z',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'at 2026-12-01T12:00:00Z (2026-12-01T13:00:00+01:00 in the spec), 1h after now',
    );
  });

  it('humanDuration: exact below 10s, whole seconds above', () => {
    expect(humanDuration(250)).toBe('250ms');
    expect(humanDuration(2368)).toBe('2s368ms');
    expect(humanDuration(9999)).toBe('9s999ms');
    expect(humanDuration(1_192_368)).toBe('19m52s');
    expect(humanDuration(64_800_000 + 400)).toBe('18h');
    expect(humanDuration(59_600, 'floor')).toBe('59s');
    expect(humanDuration(59_200, 'ceil')).toBe('1m');
    expect(humanDuration(0)).toBe('0s');
  });
});
