import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  FLINK_DEPLOYMENT_HEALTH_KEY,
  flinkDeploymentHealthScript,
  flinkDeploymentHealthScriptPath,
} from '../../lib/constructs/argocd-health.js';
import { crdStatusValidator } from '../support/crd.js';
import { HEALTH_DIR, hasProgram, loadFixtures, runGopherLua, runLua51 } from '../support/lua-health.js';
import type { HealthCase, HealthOutcome } from '../support/lua-health.js';
import { describeWithReference } from '../support/reference.js';

interface Expected {
  inputPath: string;
  healthStatus: { status: string; message: string };
}
const expected = (parse(readFileSync(join(HEALTH_DIR, 'health_test.yaml'), 'utf8')) as { tests: Expected[] })
  .tests;
const fixtures = loadFixtures();
const byName = new Map(
  expected.map((e) => [e.inputPath.replace(/^fixtures\//, '').replace(/\.yaml$/, ''), e.healthStatus]),
);
const script = flinkDeploymentHealthScriptPath();

/** In CI (REFERENCE_REQUIRED=1) a missing interpreter fails; elsewhere the suite is skipped, saying why. */
function describeWithProgram(name: string, program: string, versionArgs: string[], fn: () => void): void {
  if (hasProgram(program, versionArgs)) {
    describe(name, fn);
  } else if (process.env.REFERENCE_REQUIRED === '1') {
    describe(name, () => {
      it(`needs ${program}`, () => {
        throw new Error(`REFERENCE_REQUIRED=1 but ${program} is not installed (.ci/run installs it)`);
      });
    });
  } else {
    process.stderr.write(`[flink-cutover] skipping "${name}": ${program} not found\n`);
    describe(name, () => {
      it.skip(`skipped: ${program} is not installed (CI installs it and sets REFERENCE_REQUIRED=1)`, () => {});
    });
  }
}

function expectFixtures(outcomes: HealthOutcome[]): void {
  expect(outcomes.map((o) => o.name)).toEqual(fixtures.map((f) => f.name));
  for (const o of outcomes) {
    expect(o.error, `${o.name}: ${o.error}`).toBeUndefined();
    expect({ name: o.name, status: o.status, message: o.message }).toEqual({
      name: o.name,
      ...byName.get(o.name),
    });
  }
}

/** A script that uses the string library, which Argo CD does not open. */
const STRING_PROBES: [string, string][] = [
  ['string.find', 'return {status = "Healthy", message = tostring(string.find("ab", "b"))}'],
  ['a string method', 'local s = "ab"; return {status = "Healthy", message = tostring(s:find("b"))}'],
  ['math', 'return {status = "Healthy", message = tostring(math.floor(1.5))}'],
  ['io', 'return {status = "Healthy", message = tostring(io.read)}'],
];

describe('FlinkDeployment health script', () => {
  it('every fixture has an expectation and every expectation a fixture; every state is covered', () => {
    expect([...byName.keys()].sort()).toEqual(fixtures.map((f) => f.name).sort());
    const statuses = new Set(expected.map((e) => e.healthStatus.status));
    expect([...statuses].sort()).toEqual(['Degraded', 'Healthy', 'Progressing', 'Suspended']);
    for (const e of expected) expect(e.healthStatus.message.length, e.inputPath).toBeGreaterThan(10);
    for (const name of [
      'healthy',
      'suspended',
      'deploying',
      'upgrading',
      'failed-job',
      'error',
      'stale-generation',
      'old-healthy',
      'old-stale-generation',
    ]) {
      expect(byName.has(name), name).toBe(true);
    }
  });

  it('calls no string, math or io function (Argo CD opens only base, table, package and os.time/date)', () => {
    const code = flinkDeploymentHealthScript().replace(/--[^\n]*/g, '');
    expect(code).not.toMatch(
      /\bstring\s*\.|:\s*(find|sub|match|gsub|gmatch|len|byte|format|rep|upper|lower)\s*\(/,
    );
    expect(code).not.toMatch(/\b(math|io|debug|coroutine)\s*\./);
  });

  it('is what dist/argocd/argocd-cm.patch.yaml carries', () => {
    const docs = parseAllDocuments(readFileSync('dist/argocd/argocd-cm.patch.yaml', 'utf8')).map(
      (d) =>
        d.toJS() as {
          kind: string;
          metadata: { name: string; namespace: string };
          data: Record<string, string>;
        },
    );
    expect(docs).toHaveLength(1);
    expect(docs[0]!.kind).toBe('ConfigMap');
    expect(docs[0]!.metadata).toMatchObject({ name: 'argocd-cm', namespace: 'argocd' });
    expect(docs[0]!.data[FLINK_DEPLOYMENT_HEALTH_KEY]).toBe(flinkDeploymentHealthScript());
  });
});

describeWithReference('health fixtures against the operator CRD', () => {
  const validate = crdStatusValidator('flinkdeployments.flink.apache.org-v1.yml');
  // Operator 0.1 (v1alpha1) statuses predate this CRD: reconciliationStatus.success and .error.
  const current = fixtures.filter(
    (f) => f.object.apiVersion === 'flink.apache.org/v1beta1' && f.object.status,
  );
  it('covers the current CRD with most fixtures', () => {
    expect(current.length).toBeGreaterThanOrEqual(20);
  });
  for (const f of current) {
    it(`${f.name}: the status is valid for the operator's CRD`, () => {
      const ok = validate(f.object.status);
      expect(ok, JSON.stringify(validate.errors)).toBe(true);
    });
  }
});

/** Runs each probe script on the healthy fixture: every one must fail. */
function probeErrors(
  run: (file: string, cases: readonly HealthCase[]) => HealthOutcome[],
): Record<string, string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'flink-cutover-probe-'));
  try {
    return Object.fromEntries(
      STRING_PROBES.map(([name, code], i) => {
        const file = join(dir, `probe-${i}.lua`);
        writeFileSync(file, code);
        return [name, run(file, [fixtures.find((f) => f.name === 'healthy')!])[0]!.error];
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describeWithProgram('health script under gopher-lua (as Argo CD runs it)', 'go', ['version'], () => {
  it('answers every fixture as expected', () => {
    expectFixtures(runGopherLua(script, fixtures));
  }, 180_000);
  it('the harness opens no string, math or io library (a script using them fails)', () => {
    const errors = probeErrors(runGopherLua);
    for (const [name] of STRING_PROBES) expect(errors[name], name).toMatch(/nil|non-table|attempt to/);
  }, 180_000);
});

describeWithProgram('health script under lua5.1 (only the libraries Argo CD opens)', 'lua5.1', ['-v'], () => {
  it('answers every fixture as expected', () => {
    expectFixtures(runLua51(script, fixtures));
  }, 60_000);
  it('the runner opens no string, math or io library (a script using them fails)', () => {
    const errors = probeErrors(runLua51);
    for (const [name] of STRING_PROBES) expect(errors[name], name).toMatch(/attempt to index/);
  });
});
