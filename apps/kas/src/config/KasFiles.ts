import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatKeyPath, toConfigIssues } from '@kas/config';
import { parse } from 'yaml';
import type { z } from 'zod';
import { KasAppError } from '../errors/KasAppError.js';

/** Reads the files a config names; every error names where the key is set and the key path. */
export interface KasFiles {
  /** A secret: the file's text, trimmed, checked with `schema`. Never in a message. */
  readSecret(path: string, key: readonly string[], schema?: z.ZodType<string>): Promise<string>;
  /** A YAML file checked with `schema` (`example` shows the shape in the error's fix). */
  readYaml<S extends z.ZodType>(
    path: string,
    key: readonly string[],
    schema: S,
    example: string,
  ): Promise<z.output<S>>;
  /**
   * A listener's certificate chain and key, read now and checked with node:crypto: each file is a PEM
   * certificate or private key, and the key belongs to the certificate. `key` is the path of the `tls`
   * section (e.g. `['kubeProxy', 'tls']`).
   */
  readTlsKeyPair(files: TlsFiles, key: readonly string[]): Promise<TlsKeyPair>;
  /** CA certificates (PEM), read now and checked with node:crypto; `key` is the path of the file's key. */
  readCertificates(
    path: string,
    key: readonly string[],
  ): Promise<{ readonly pem: string } | { readonly file: string }>;
}

/** `{ certFile, keyFile }` as a config names them. */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** A key pair as a module takes it: PEM text, or (unread) file paths. */
export interface TlsKeyPair {
  readonly cert: { readonly pem: string } | { readonly file: string };
  readonly key: { readonly pem: string } | { readonly file: string };
}

/**
 * The files on disk. `where` says where a key was set (`kas.yaml:12:3` or the environment variable), so
 * an error reads `kas.yaml:12:3: agentGrpc.agentsFile: /etc/kas/agents.yaml: [1].tokenSha256: expected ...`.
 */
export function diskFiles(
  where: (path: readonly string[]) => string,
  /** Where relative paths are resolved from (the config file's directory); default the current one. */
  baseDirectory?: string,
): KasFiles {
  const prefix = (key: readonly string[]) => `${where(key)}: ${formatKeyPath(key)}`;
  const from = resolve(baseDirectory ?? '.');
  const readText = async (path: string, key: readonly string[]) => {
    const absolute = resolve(from, path);
    try {
      return await readFile(absolute, 'utf8');
    } catch (error) {
      // A relative path names the file it tried: the directory it is read from is not always the one in mind.
      const tried = absolute === path ? path : `${path} (looked for ${absolute})`;
      const code = (error as NodeJS.ErrnoException).code;
      const relativeNote = absolute === path ? '' : ` (a relative path is read from ${from})`;
      throw new KasAppError(
        'KAS_CONFIG_UNREADABLE',
        `${prefix(key)}: cannot read ${tried}: ${code === undefined ? (error as Error).message : `${code}${ERRNO_WORDS[code] ?? ''}`}`,
        await unreadableFix(code, absolute, formatKeyPath(key), relativeNote),
        { cause: error },
      );
    }
  };
  const invalid = (key: readonly string[], path: string, error: z.ZodError, schema: z.ZodType, fix: string) =>
    new KasAppError(
      'KAS_CONFIG_INVALID',
      `${prefix(key)}: ${path}: ${toConfigIssues(error, schema)
        .map((issue) =>
          issue.path.length === 0 ? issue.message : `${formatKeyPath(issue.path)}: ${issue.message}`,
        )
        .join('; ')}`,
      fix,
    );
  const unusable = (key: readonly string[], message: string, fix: string, cause: unknown) =>
    new KasAppError('KAS_TLS_INVALID', `${prefix(key)}: ${message}`, fix, { cause });
  return {
    async readTlsKeyPair({ certFile, keyFile }, key) {
      const certKey = [...key, 'certFile'];
      const keyKey = [...key, 'keyFile'];
      const [cert, privateKeyPem] = await Promise.all([
        readText(certFile, certKey),
        readText(keyFile, keyKey),
      ]);
      let certificate: X509Certificate;
      try {
        certificate = new X509Certificate(cert);
      } catch (error) {
        throw unusable(
          certKey,
          `${certFile} is not a PEM certificate (${(error as Error).message})`,
          `put the PEM certificate chain ("-----BEGIN CERTIFICATE-----") in ${certFile}, or correct ${formatKeyPath(certKey)}`,
          error,
        );
      }
      let privateKey: KeyObject;
      try {
        privateKey = createPrivateKey(privateKeyPem);
      } catch (error) {
        // The key's text is a secret: only the file and Node's reason are named.
        throw unusable(
          keyKey,
          `${keyFile} is not a PEM private key (${(error as { code?: string }).code ?? 'unreadable key'})`,
          `put the PEM private key ("-----BEGIN PRIVATE KEY-----") in ${keyFile}, or correct ${formatKeyPath(keyKey)}`,
          undefined,
        );
      }
      if (!certificate.checkPrivateKey(privateKey)) {
        throw unusable(
          keyKey,
          `the key in ${keyFile} does not belong to the certificate in ${certFile} (${certificate.subject.replaceAll('\n', ', ')})`,
          `give the key the certificate was issued for: the outputs of "openssl x509 -noout -pubkey -in ${certFile}" and "openssl pkey -pubout -in ${keyFile}" must be equal`,
          undefined,
        );
      }
      return { cert: { pem: cert }, key: { pem: privateKeyPem } };
    },
    async readCertificates(path, key) {
      const pem = await readText(path, key);
      try {
        new X509Certificate(pem);
      } catch (error) {
        throw unusable(
          key,
          `${path} is not a PEM certificate (${(error as Error).message})`,
          `put the PEM CA certificate ("-----BEGIN CERTIFICATE-----") in ${path}, or correct ${formatKeyPath(key)}`,
          error,
        );
      }
      return { pem };
    },
    async readSecret(path, key, schema) {
      const secret = (await readText(path, key)).trim();
      if (secret === '') {
        throw new KasAppError(
          'KAS_CONFIG_INVALID',
          `${prefix(key)}: ${path} is empty`,
          'write the secret into the file',
        );
      }
      const result = schema?.safeParse(secret);
      if (result === undefined || result.success) return secret;
      throw invalid(key, path, result.error, schema as z.ZodType, 'write a longer secret into the file');
    },
    async readYaml(path, key, schema, example) {
      let value: unknown;
      const text = await readText(path, key);
      try {
        value = parse(text);
      } catch (error) {
        throw new KasAppError(
          'KAS_CONFIG_SYNTAX',
          `${prefix(key)}: ${path} is not valid YAML: ${(error as Error).message}`,
          `write a YAML list such as:\n${example}`,
        );
      }
      const result = schema.safeParse(value ?? [], { reportInput: true }); // `(got ...)` in messages
      if (result.success) return result.data;
      throw invalid(key, path, result.error, schema, `write a YAML list such as:\n${example}`);
    },
  };
}

/** A few words after the errno code, for the codes an operator meets. */
const ERRNO_WORDS: Readonly<Record<string, string>> = {
  EISDIR: ' (a directory)',
  EACCES: ' (permission denied)',
};

/**
 * What to change when a file the config names cannot be read: a directory (often the folder a Kubernetes
 * Secret is mounted at) is named with the files in it, a permission names the user kas runs as.
 */
async function unreadableFix(
  code: string | undefined,
  absolute: string,
  keyPath: string,
  relativeNote: string,
): Promise<string> {
  if (code === 'EISDIR') {
    const names = await readdir(absolute).then(
      (entries) => entries.filter((name) => !name.startsWith('.')).sort(),
      () => [],
    );
    const holds =
      names.length === 0
        ? 'it is empty'
        : `it holds ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}`;
    return `${keyPath} names a directory: name a file in it (${holds})`;
  }
  if (code === 'EACCES') {
    const user = typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
    return `make the file readable by the user kas runs as${user}, or correct ${keyPath}${relativeNote}`;
  }
  return `create the file or correct ${keyPath}${relativeNote}`;
}
