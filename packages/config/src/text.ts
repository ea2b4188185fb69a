import { z } from 'zod';

/** A string option that must not be empty (a name, an id, a path). */
export function text() {
  return z.string().min(1, { error: 'expected a non-empty string' });
}

/** A path of a file the option names (a certificate, a key, a list the module reads). */
export function filePath() {
  return text().meta({ typeLabel: 'path' });
}

/** The sha256 of a token as 64 hex digits (`sha256sum` prints it); either case. */
export function sha256Digest() {
  return z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, {
      error: 'expected the sha256 of the token as 64 hex digits (the first field `sha256sum` prints)',
    })
    .meta({ typeLabel: 'sha256 hex' });
}
