import { z } from 'zod';

/** The shortest shared secret of the private API accepted. */
export const MIN_PRIVATE_API_SECRET_LENGTH = 16;

/**
 * The shared secret of the private API: the same rule for both of its ends (the private API and every
 * kube proxy). Never in a message: only its length is checked and reported.
 */
export const privateApiSecretSchema = z
  .string({ error: 'expected the shared secret as a string' })
  .min(MIN_PRIVATE_API_SECRET_LENGTH, {
    error: `expected at least ${MIN_PRIVATE_API_SECRET_LENGTH} characters: generate one with \`openssl rand -base64 32\` and give every replica the same value`,
  })
  .meta({ typeLabel: 'secret' });
