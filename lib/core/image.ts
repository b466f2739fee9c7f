/**
 * OCI image references, checked with the grammar of distribution/reference
 * (the one containerd and the kubelet use) so that a typo fails at synth, not at pull.
 */

import { oneLine } from './names';

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(
  `^(?:(${DOMAIN})/)?(${COMPONENT}(?:/${COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);
const SHA256 = /^sha256:[0-9a-f]{64}$/;

/** The parts of an image reference. */
export interface ImageReference {
  readonly registry?: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Parses an image reference, or returns undefined when it is malformed. */
export function parseImageReference(image: string): ImageReference | undefined {
  const match = REFERENCE.exec(image);
  if (!match) {
    return undefined;
  }
  const [, domain, path, tag, digest] = match;
  // Docker's rule: the first component is a registry only if it looks like a host.
  const isRegistry = domain !== undefined && (domain.includes('.') || domain.includes(':') || domain === 'localhost');
  if (domain !== undefined && !isRegistry && !new RegExp(`^${COMPONENT}$`).test(domain)) {
    return undefined;
  }
  const registry = isRegistry ? domain : undefined;
  const repository = domain !== undefined && !isRegistry ? `${domain}/${path}` : path;
  if (digest !== undefined && !SHA256.test(digest)) {
    return undefined;
  }
  return { registry, repository, tag, digest };
}

/**
 * Why `image` cannot be used, or undefined. A reference without a digest is mutable: the
 * same text can name other bytes tomorrow, so GitOps review of the YAML would not show
 * what runs. It is refused unless `allowMutableTag` is set.
 */
export function checkImage(field: string, image: string, allowMutableTag: boolean): string | undefined {
  if (image.trim() === '') {
    return `${field} is empty: give an OCI image reference such as "registry.example.com/functions/price@sha256:<64 hex digits>"`;
  }
  const ref = parseImageReference(image);
  if (!ref) {
    return `${field} "${oneLine(image)}" is not a valid OCI image reference: expected [registry/]repository[:tag][@sha256:<64 hex digits>], lowercase repository`;
  }
  if (ref.digest === undefined && !allowMutableTag) {
    const tag = ref.tag ?? 'latest (implied)';
    return `${field} "${oneLine(image)}" uses the mutable tag ${tag}: pin it by digest ("${ref.registry ? ref.registry + '/' : ''}${ref.repository}@sha256:<64 hex digits>") or set allowMutableTag: true`;
  }
  return undefined;
}
