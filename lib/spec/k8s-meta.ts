/** Keys of the tool itself and of Argo CD's hooks and sync: the spec may not set them on objects. */
export const RESERVED_KEY_PREFIXES = [
  'flink-cutover.dev/',
  'argocd.argoproj.io/hook',
  'argocd.argoproj.io/sync-',
  'argocd.argoproj.io/compare-options',
] as const;

/** Spec annotations the tool itself writes and reads back (kept by the promotion commands). */
export const SPEC_ANNOTATIONS: readonly string[] = ['flink-cutover.dev/last-generation'];

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a label or annotation key is not one Kubernetes accepts (`[prefix/]name`), or undefined. */
export function keyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    return `its prefix "${prefix}" is not a DNS subdomain (lowercase letters, digits, "-" and ".", at most 253 characters)`;
  if (name.length === 0 || name.length > 63)
    return `its name part is ${name.length} characters; 1 to 63 allowed`;
  if (!NAME.test(name))
    return 'its name part must start and end with a letter or digit and hold only letters, digits, "-", "_" and "."';
  return undefined;
}

/** Why a label value is not one Kubernetes accepts, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return `the value is ${value.length} characters; at most 63 allowed`;
  if (value !== '' && !NAME.test(value))
    return 'the value must be empty or start and end with a letter or digit and hold only letters, digits, "-", "_" and "."';
  return undefined;
}

/** Whether the spec may not set this key (the tool's own or an Argo CD hook/sync key). */
export function isReservedKey(key: string, where: 'labels' | 'annotations'): boolean {
  if (where === 'annotations' && SPEC_ANNOTATIONS.includes(key)) return false;
  return RESERVED_KEY_PREFIXES.some((p) => key.startsWith(p)) || /^[^/]*\.flink-cutover\.dev\//.test(key);
}

/** Kubernetes' limit on all annotations of one object together. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;
