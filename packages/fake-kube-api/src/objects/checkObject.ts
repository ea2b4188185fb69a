import type { FieldCause, ResourceDefinition } from '../resources/ResourceDefinition.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The problems of an object's name and fields, as the real server checks them on create and update. */
export function checkObject(
  resource: ResourceDefinition,
  name: string,
  object: Readonly<Record<string, unknown>>,
): FieldCause[] {
  return [...checkName(resource, name), ...resource.validate(object)];
}

/** How the real server checks a name: most kinds take a DNS subdomain, a few a DNS label. */
const NAME_RULES = {
  subdomain: {
    pattern: DNS_SUBDOMAIN,
    maxLength: 253,
    words:
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
  },
  rfc1123Label: {
    pattern: DNS_LABEL,
    maxLength: 63,
    words:
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters, '-', and must start and end with an alphanumeric character",
  },
  rfc1035Label: {
    pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
    maxLength: 63,
    words:
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
  },
} as const;

function checkName(resource: ResourceDefinition, name: string): FieldCause[] {
  if (name === '') {
    return [
      {
        field: 'metadata.name',
        reason: 'FieldValueRequired',
        message: 'Required value: name or generateName is required',
      },
    ];
  }
  const rule =
    resource.name === 'namespaces'
      ? NAME_RULES.rfc1123Label
      : resource.name === 'services'
        ? NAME_RULES.rfc1035Label
        : NAME_RULES.subdomain;
  if (rule.pattern.test(name) && name.length <= rule.maxLength) return [];
  return [
    {
      field: 'metadata.name',
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${name}": ${rule.words}`,
    },
  ];
}

const GENERATED_NAME_CHARACTERS = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` plus five random characters, as the real server makes names. */
export function generateName(prefix: string): string {
  let suffix = '';
  for (let index = 0; index < 5; index += 1) {
    suffix += GENERATED_NAME_CHARACTERS[Math.floor(Math.random() * GENERATED_NAME_CHARACTERS.length)];
  }
  return `${prefix}${suffix}`;
}
