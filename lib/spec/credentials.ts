/**
 * Where credentials hide in any string of a spec (pure): URL userinfo, URL query parameters
 * that carry credentials, and value shapes of well-known tokens and keys.
 */
import { escapePointerSegment } from './diagnostics.js';

/** Query-string parameter names that carry a credential (`?token=…`, `&X-Amz-Signature=…`, SAS `sig=`). */
const QUERY_SECRET =
  /^(password|passwd|pwd|pass|secret|client[-_]?secret|token|access[-_]?token|refresh[-_]?token|id[-_]?token|auth|auth[-_]?token|api[-_]?key|apikey|key|access[-_]?key|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|sas)$/i;

/** Shapes of credentials whatever the key is called. */
export const SHAPES: readonly [RegExp, string][] = [
  [/-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/, 'a private key'],
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/, 'a GitHub token'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, 'a Google API key'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, 'a JSON Web Token'],
  [
    /(^|;)\s*(AccountKey|SharedAccessKey|SharedAccessSignature)\s*=\s*[^;\s${]/i,
    'an Azure connection string with a key',
  ],
  [/\b(sk|rk)_live_[A-Za-z0-9]{16,}/, 'a Stripe key'],
];

/** A value that only refers to a credential: `${VAR}`, `$(VAR)`, `{{x}}`. */
const PLACEHOLDER = /^(\$\{[^}]+\}|\$\([^)]+\)|\{\{[^}]+\}\})$/;

/**
 * Text every SHAPES pattern needs (each pattern requires one of these): a string without any holds
 * none of the shapes, checked with one search instead of one per shape.
 */
export const SHAPE_ANCHORS = /-----BEGIN |AKIA|ASIA|gh[pousr]_|xox[abprs]-|AIza|eyJ|=|_live_/;

/** What credential a string holds, in words, or undefined. */
export function credentialIn(value: string): string | undefined {
  if (value.includes('://'))
    for (const m of value.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi)) {
      let u: URL;
      try {
        u = new URL(m[0]);
      } catch {
        continue;
      }
      const password = decodeURIComponent(u.password);
      if (password !== '' && !PLACEHOLDER.test(password)) return `a password in the URL ${shown(u)}`;
      // A bare user name without a password is a user, not a credential, except a token-only form (https://TOKEN@host).
      if (u.username !== '' && password === '' && /^(gh[pousr]_|glpat-|x-access-token)/.test(u.username))
        return `a token in the URL ${shown(u)}`;
      for (const [k, v] of u.searchParams) {
        if (QUERY_SECRET.test(k) && v !== '' && !PLACEHOLDER.test(v))
          return `a credential in the query parameter "${k}" of the URL ${shown(u)}`;
      }
    }
  if (!SHAPE_ANCHORS.test(value)) return undefined;
  for (const [re, what] of SHAPES) if (re.test(value)) return what;
  return undefined;
}

function shown(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
}

/** Every string of a JSON value with its JSON pointer; an env entry `{name, value}` also gives its name. */
export function stringsOf(value: unknown, base = ''): { pointer: string; key?: string; value: string }[] {
  const out: { pointer: string; key?: string; value: string }[] = [];
  const stack: [unknown, string, string | undefined][] = [[value, base, undefined]];
  while (stack.length > 0) {
    const [v, p, key] = stack.pop()!;
    if (typeof v === 'string')
      out.push(key !== undefined ? { pointer: p, key, value: v } : { pointer: p, value: v });
    else if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, `${p}/${i}`, undefined]));
    else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      // An env var ({name: DB_PASSWORD, value: ...}): its name is the key of its value.
      const envName = typeof o.name === 'string' && 'value' in o ? o.name : undefined;
      for (const [k, x] of Object.entries(o))
        stack.push([
          x,
          `${p}/${escapePointerSegment(k)}`,
          k === 'value' && envName !== undefined ? envName : k,
        ]);
    }
  }
  return out.reverse();
}
