/**
 * Name and format checks shared by every construct. Each returns `undefined` when the
 * value is acceptable, or a message that names the field, the value and what is allowed,
 * ready for `node.addValidation`.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** A namespace, or any other object name Kubernetes restricts to an RFC 1123 label. */
export function checkDns1123Label(field: string, value: string): string | undefined {
  if (value.length === 0 || value.length > 63 || !DNS1123_LABEL.test(value)) {
    return `${field} "${value}" is not a DNS-1123 label: use 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit (for example "product-detail")`;
  }
  return undefined;
}

/**
 * A name that also becomes a Service name. The API server checks Service names against
 * RFC 1035 (they must start with a letter), which is stricter than RFC 1123.
 */
export function checkServiceName(field: string, value: string): string | undefined {
  if (value.length === 0 || value.length > 63 || !DNS1035_LABEL.test(value)) {
    return `${field} "${value}" is not a DNS-1123 label usable as a Service name: use 1-63 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit (for example "product-detail")`;
  }
  return undefined;
}

/** Label keys, ConfigMap keys and the like that allow dots (RFC 1123 subdomain). */
export function checkDns1123Subdomain(field: string, value: string): string | undefined {
  if (value.length === 0 || value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    return `${field} "${value}" is not a DNS-1123 subdomain: use lowercase letters, digits, '-' and '.', at most 253 characters`;
  }
  return undefined;
}

export function checkPort(field: string, value: number): string | undefined {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    return `${field} (${value}) must be an integer port number from 1 to 65535`;
  }
  return undefined;
}

export function checkEnvVarName(field: string, value: string): string | undefined {
  if (!ENV_VAR_NAME.test(value)) {
    return `${field} "${value}" is not a valid environment variable name: use letters, digits, '_', '-' or '.', not starting with a digit`;
  }
  return undefined;
}

export function checkHttpPath(field: string, value: string): string | undefined {
  if (!value.startsWith('/') || /\s/.test(value)) {
    return `${field} "${value}" must be an absolute HTTP path starting with '/' and without spaces (for example "/healthz")`;
  }
  return undefined;
}

export function checkIntegerInRange(field: string, value: number, min: number, max: number): string | undefined {
  if (!Number.isInteger(value) || value < min || value > max) {
    return `${field} (${value}) must be an integer from ${min} to ${max}`;
  }
  return undefined;
}
