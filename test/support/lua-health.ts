import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** test/argocd/health: the Go harness (gopher-lua), the Lua 5.1 runner and the fixtures. */
export const HEALTH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'argocd', 'health');

export interface HealthCase {
  readonly name: string;
  readonly object: Record<string, unknown>;
}

export interface HealthOutcome {
  readonly name: string;
  readonly status?: string;
  readonly message?: string;
  readonly error?: string;
}

/** Every fixture of test/argocd/health/fixtures, by file name without `.yaml`. */
export function loadFixtures(): HealthCase[] {
  const dir = join(HEALTH_DIR, 'fixtures');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({
      name: f.slice(0, -'.yaml'.length),
      object: parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>,
    }));
}

/** Whether a program answers `--version`/`version` (so the harness can run). */
export function hasProgram(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0;
}

/** Runs the cases under gopher-lua, set up the way Argo CD runs a custom health script. */
export function runGopherLua(scriptFile: string, cases: readonly HealthCase[]): HealthOutcome[] {
  const r = spawnSync('go', ['run', '.', scriptFile], {
    cwd: HEALTH_DIR,
    input: JSON.stringify(cases),
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=readonly', GOTOOLCHAIN: 'local' },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status !== 0)
    throw new Error(
      `go run . ${scriptFile} (in ${HEALTH_DIR}) exited ${r.status}: ${r.stderr || r.error?.message}`,
    );
  return JSON.parse(r.stdout) as HealthOutcome[];
}

/** A Lua literal for a JSON value (strings in decimal escapes, so any byte survives). */
export function luaLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return String(v);
  }
  if (typeof v === 'string') {
    return `"${[...Buffer.from(v, 'utf8')].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${String(b).padStart(3, '0')}`)).join('')}"`;
  }
  if (Array.isArray(v)) return `{${v.map(luaLiteral).join(', ')}}`;
  return `{${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `[${luaLiteral(k)}] = ${luaLiteral(x)}`)
    .join(', ')}}`;
}

/** Runs the cases under Debian's lua5.1 with only the libraries Argo CD opens. */
export function runLua51(scriptFile: string, cases: readonly HealthCase[]): HealthOutcome[] {
  const dir = mkdtempSync(join(tmpdir(), 'flink-cutover-lua-'));
  try {
    const casesFile = join(dir, 'cases.lua');
    writeFileSync(
      casesFile,
      `return {\n${cases.map((c) => `{name = ${luaLiteral(c.name)}, object = ${luaLiteral(c.object)}}`).join(',\n')}\n}\n`,
    );
    const r = spawnSync('lua5.1', [join(HEALTH_DIR, 'run51.lua'), scriptFile, casesFile], {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    if (r.status !== 0)
      throw new Error(`lua5.1 run51.lua exited ${r.status}: ${r.stderr || r.error?.message}`);
    return JSON.parse(r.stdout) as HealthOutcome[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
