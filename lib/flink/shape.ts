import { ShapeError } from './errors.js';

/** Small readers that check a JSON value's shape and throw ShapeError with a JSON pointer. */

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}

export function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ShapeError(path, `expected an object, got ${describeValue(v)}`);
  return v as Record<string, unknown>;
}

export function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new ShapeError(path, `expected an array, got ${describeValue(v)}`);
  return v;
}

export function str(v: unknown, path: string): string {
  if (typeof v !== 'string')
    throw new ShapeError(
      path,
      v === undefined ? 'missing (expected a string)' : `expected a string, got ${describeValue(v)}`,
    );
  return v;
}

export function num(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new ShapeError(
      path,
      v === undefined ? 'missing (expected a number)' : `expected a number, got ${describeValue(v)}`,
    );
  return v;
}

export function optNum(v: unknown, path: string): number | undefined {
  return v === undefined || v === null ? undefined : num(v, path);
}

export function optStr(v: unknown, path: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, path);
}

export function oneOf<T extends string>(v: unknown, allowed: readonly T[], path: string): T {
  const s = str(v, path);
  if (!(allowed as readonly string[]).includes(s))
    throw new ShapeError(path, `unknown value ${JSON.stringify(s)} (expected one of ${allowed.join(', ')})`);
  return s as T;
}
