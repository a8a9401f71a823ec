import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/pipelines.js';

/** The changed lines of a line diff (LCS): `-old` and `+new`, in order; unchanged lines are left out. */
function lineDiff(a: string, b: string): string[] {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  const L: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      L[i]![j] = x[i] === y[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      i++;
      j++;
    } else if (i < n && (j === m || L[i + 1]![j]! >= L[i]![j + 1]!)) out.push(`-${x[i++]}`);
    else out.push(`+${y[j++]}`);
  }
  return out;
}

const T0 = '2026-12-01T10:00:00Z';

/** A steady spec with `u` spaces per level; `seq` false writes sequences unindented. */
function spec(u: number, o: { seq?: boolean; flowColors?: boolean; aligned?: boolean } = {}): string {
  const s = (n: number) => ' '.repeat(n * u);
  const seqPad = o.seq === false ? s(1) : s(2);
  return [
    '# orders',
    'apiVersion: flink-cutover.dev/v1alpha1',
    'kind: BlueGreenPipeline',
    'metadata:',
    `${s(1)}name: orders${o.aligned ? '          ' : ' '}# the pipeline`,
    `${s(1)}namespace: streaming${o.aligned ? ' ' : ' '}# its namespace`,
    'spec:',
    `${s(1)}active: blue${o.aligned ? '                ' : ' '}# owns the output`,
    o.flowColors ? `${s(1)}colors: {blue: {image: reg/orders:1.4.2}}` : `${s(1)}colors:`,
    ...(o.flowColors ? [] : [`${s(2)}blue:`, `${s(3)}image: reg/orders:1.4.2 # the running version`]),
    `${s(1)}template:`,
    `${s(2)}flinkVersion: v1_20`,
    `${s(2)}serviceAccount: flink`,
    `${s(2)}flinkConfiguration:`,
    `${s(3)}state.checkpoints.dir: s3://b/chk/{{pipeline}}/{{color}}`,
    `${s(3)}state.savepoints.dir: s3://b/sp/{{pipeline}}/{{color}}`,
    `${s(2)}job: {jarURI: local:///opt/flink/usrlib/orders.jar, parallelism: 4, upgradeMode: savepoint}`,
    `${s(1)}policy: {minLeadTime: 15m, teardownDelay: 30m}`,
    `${s(1)}sources:`,
    `${seqPad}- name: in`,
    `${seqPad}  kind: kafka`,
    `${seqPad}  consumerGroup: "orders-{{color}}"`,
    `${s(1)}sinks:`,
    `${seqPad}- {name: out, kind: kafka, deliveryGuarantee: exactly-once, transactionalIdPrefix: "orders-{{color}}"}`,
    '# end of orders',
    '',
  ].join('\n');
}

async function edit(text: string, argv: string[], status?: Record<string, string>) {
  const dir = tempDir({ 'p/orders.yaml': text }, 'fc-format-');
  const extra: string[] = [];
  if (status) {
    writeFileSync(
      join(dir, 'status.json'),
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'orders-cutover-status', namespace: 'streaming' },
        data: status,
      }),
    );
    extra.push('--status', 'status.json');
  }
  const r = await runCli([...argv, '--pipelines', 'p', '--now', T0, '--no-synth', ...extra], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  const after = readFileSync(join(dir, 'p/orders.yaml'), 'utf8');
  return { after, diff: lineDiff(text, after) };
}

const STAGE = ['stage', 'orders', '--image', 'reg/orders:1.5.0', '--from-savepoint', 's3://x'];

/** `text` moved on by one step, written by hand: the colors and the cutover as given. */
function withColors(text: string, u: number, green: string[], cutover: string[]): string {
  const s = (n: number) => ' '.repeat(n * u);
  return text.replace(
    `${s(3)}image: reg/orders:1.4.2 # the running version\n`,
    `${s(3)}image: reg/orders:1.4.2 # the running version\n${green.join('\n')}\n${cutover.join('\n')}${cutover.length ? '\n' : ''}`,
  );
}

describe('promotion edits keep the file’s formatting: the diff is exactly the step', () => {
  for (const u of [2, 4]) {
    for (const seq of [true, false]) {
      it(`stage in a ${u}-space file, sequences ${seq ? 'indented' : 'not indented'}`, async () => {
        const s = (n: number) => ' '.repeat(n * u);
        const { diff } = await edit(spec(u, { seq }), STAGE);
        expect(diff).toEqual([
          `+${s(2)}green:`,
          `+${s(3)}image: reg/orders:1.5.0`,
          `+${s(3)}initialSavepointPath: s3://x`,
        ]);
      });
    }

    it(`schedule, teardown, abandon in a ${u}-space file`, async () => {
      const s = (n: number) => ' '.repeat(n * u);
      const staged = withColors(
        spec(u),
        u,
        [`${s(2)}green:`, `${s(3)}image: reg/orders:1.5.0`, `${s(3)}initialSavepointPath: s3://x`],
        [],
      );
      expect((await edit(staged, ['schedule', 'orders', '--at', '+1h'])).diff).toEqual([
        `+${s(1)}cutover: {generation: 1, to: green, watermark: "2026-12-01T11:00:00Z"}`,
      ]);
      expect((await edit(staged, ['abandon', 'orders'])).diff).toEqual([
        `-${s(2)}green:`,
        `-${s(3)}image: reg/orders:1.5.0`,
        `-${s(3)}initialSavepointPath: s3://x`,
      ]);
      const cut = withColors(
        spec(u),
        u,
        [`${s(2)}green:`, `${s(3)}image: reg/orders:1.5.0`],
        [
          `${s(1)}cutover:`,
          `${s(2)}generation: 1`,
          `${s(2)}to: green`,
          `${s(2)}watermark: "2026-12-01T09:00:00Z"`,
        ],
      );
      const done = { generation: '1', phase: 'Completed', completedAt: '2026-12-01T09:01:00Z' };
      expect((await edit(cut, ['teardown', 'orders'], done)).diff).toEqual([
        `+${s(1)}annotations:`,
        `+${s(2)}flink-cutover.dev/last-generation: "1"`,
        `-${s(1)}active: blue # owns the output`,
        `+${s(1)}active: green # owns the output`,
        `-${s(2)}blue:`,
        `-${s(3)}image: reg/orders:1.4.2 # the running version`,
        `-${s(1)}cutover:`,
        `-${s(2)}generation: 1`,
        `-${s(2)}to: green`,
        `-${s(2)}watermark: "2026-12-01T09:00:00Z"`,
      ]);
      // rollback keeps a block cutover a block, edited value by value.
      expect((await edit(cut, ['rollback', 'orders', '--at', '+30m'], done)).diff).toEqual([
        `-${s(1)}active: blue # owns the output`,
        `+${s(1)}active: green # owns the output`,
        `-${s(2)}generation: 1`,
        `-${s(2)}to: green`,
        `-${s(2)}watermark: "2026-12-01T09:00:00Z"`,
        `+${s(2)}generation: 2`,
        `+${s(2)}to: blue`,
        `+${s(2)}watermark: "2026-12-01T10:30:00Z"`,
      ]);
    });
  }

  it('a flow map of colors gets the new color in flow style, on its line', async () => {
    const { diff } = await edit(spec(2, { flowColors: true }), STAGE);
    expect(diff).toEqual([
      '-  colors: {blue: {image: reg/orders:1.4.2}}',
      '+  colors: {blue: {image: reg/orders:1.4.2}, green: {image: reg/orders:1.5.0, initialSavepointPath: s3://x}}',
    ]);
  });

  it('colors written as flow maps in a block map get a flow sibling', async () => {
    const text = spec(2).replace(
      '    blue:\n      image: reg/orders:1.4.2 # the running version\n',
      '    blue: {image: reg/orders:1.4.2} # the running version\n',
    );
    expect((await edit(text, STAGE)).diff).toEqual([
      '+    green: {image: reg/orders:1.5.0, initialSavepointPath: s3://x}',
    ]);
  });

  it('aligned comments stay in their column; a trailing comment keeps its place', async () => {
    const text = withColors(
      spec(2, { aligned: true }),
      2,
      ['    green:', '      image: reg/orders:1.5.0'],
      ['  cutover: {generation: 1, to: green, watermark: "2026-12-01T09:00:00Z"}'],
    );
    const done = { generation: '1', phase: 'Completed', completedAt: '2026-12-01T09:01:00Z' };
    const { diff, after } = await edit(text, ['teardown', 'orders'], done);
    expect(diff).toEqual([
      '+  annotations:',
      '+    flink-cutover.dev/last-generation: "1"',
      '-  active: blue                # owns the output',
      '+  active: green               # owns the output',
      '-    blue:',
      '-      image: reg/orders:1.4.2 # the running version',
      '-  cutover: {generation: 1, to: green, watermark: "2026-12-01T09:00:00Z"}',
    ]);
    expect(after.endsWith('"orders-{{color}}"}\n# end of orders\n')).toBe(true);
    expect(after).toContain('  name: orders          # the pipeline\n');
  });

  it('a flow metadata map gets the annotation in flow style', async () => {
    const text = withColors(
      spec(2).replace(
        'metadata:\n  name: orders # the pipeline\n  namespace: streaming # its namespace\n',
        'metadata: {name: orders, namespace: streaming}\n',
      ),
      2,
      ['    green:', '      image: reg/orders:1.5.0'],
      ['  cutover: {generation: 1, to: green, watermark: "2026-12-01T09:00:00Z"}'],
    );
    const done = { generation: '1', phase: 'Completed', completedAt: '2026-12-01T09:01:00Z' };
    const { diff } = await edit(text, ['teardown', 'orders'], done);
    expect(diff.slice(0, 2)).toEqual([
      '-metadata: {name: orders, namespace: streaming}',
      '+metadata: {name: orders, namespace: streaming, annotations: {flink-cutover.dev/last-generation: "1"}}',
    ]);
  });

  it('comment lines under a color belong to it: a new color goes after them, an abandoned one takes them', async () => {
    const text = spec(2).replace(
      '      image: reg/orders:1.4.2 # the running version\n',
      '      image: reg/orders:1.4.2 # the running version\n      # pinned until the 1.5 migration\n',
    );
    const { diff, after } = await edit(text, STAGE);
    expect(diff).toEqual([
      '+    green:',
      '+      image: reg/orders:1.5.0',
      '+      initialSavepointPath: s3://x',
    ]);
    expect(after).toContain('      # pinned until the 1.5 migration\n    green:\n');
    const staged = text.replace(
      '  template:\n',
      '    green:\n      image: reg/orders:1.5.0\n      initialSavepointPath: s3://x\n      # a release candidate\n  template:\n',
    );
    expect((await edit(staged, ['abandon', 'orders'])).diff).toEqual([
      '-    green:',
      '-      image: reg/orders:1.5.0',
      '-      initialSavepointPath: s3://x',
      '-      # a release candidate',
    ]);
  });

  it('comment lines right above an abandoned color go with it; one set apart by a blank line stays', async () => {
    const staged = spec(2).replace(
      '  template:\n',
      '    # the release candidate\n    # (built from main)\n    green:\n      image: reg/orders:1.5.0\n      initialSavepointPath: s3://x\n  template:\n',
    );
    expect((await edit(staged, ['abandon', 'orders'])).diff).toEqual([
      '-    # the release candidate',
      '-    # (built from main)',
      '-    green:',
      '-      image: reg/orders:1.5.0',
      '-      initialSavepointPath: s3://x',
    ]);
    const apart = staged.replace('    # (built from main)\n', '    # (built from main)\n\n');
    const { after } = await edit(apart, ['abandon', 'orders']);
    expect(after).toContain('    # the release candidate\n    # (built from main)\n\n  template:\n');
  });
});
