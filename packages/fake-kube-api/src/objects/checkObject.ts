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
  const isLabel = resource.name === 'namespaces';
  const pattern = isLabel ? DNS_LABEL : DNS_SUBDOMAIN;
  if (pattern.test(name) && name.length <= (isLabel ? 63 : 253)) return [];
  return [
    {
      field: 'metadata.name',
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${name}": a lowercase RFC 1123 ${isLabel ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-'${isLabel ? '' : " or '.'"}, and must start and end with an alphanumeric character`,
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
