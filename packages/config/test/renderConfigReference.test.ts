import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  duration,
  hostPort,
  listConfigKeys,
  pemSource,
  renderConfigReference,
  tlsFiles,
} from '../src/index.js';

const schema = z.strictObject({
  listen: hostPort().prefault('127.0.0.1:8150').describe('Where agents connect.'),
  tls: tlsFiles().optional().describe('Serve TLS.'),
  keepalive: z.strictObject({ time: duration().prefault('30s').describe('How often to ping.') }).prefault({}),
  level: z.enum(['info', 'debug']).default('info'),
  nodes: z.array(hostPort()).optional(),
  id: z.string().meta({ defaultText: 'the hostname' }).optional(),
  agentsFile: z.string().describe('The agents.'),
});

const variants = z.discriminatedUnion('store', [
  z.strictObject({
    store: z.literal('redis').meta({ typeLabel: "'redis' or 'memory'" }),
    keyPrefix: z.string().optional(),
  }),
  z.strictObject({ store: z.literal('memory'), table: z.string().optional(), cert: pemSource() }),
]);

describe('the configuration reference', () => {
  it('lists the keys of every branch of a union, and a labelled type as one value', () => {
    expect(listConfigKeys(variants).map((key) => [key.path.join('.'), key.typeLabel])).toEqual([
      ['store', "'redis' or 'memory'"],
      ['keyPrefix', 'string'],
      ['table', 'string'],
      ['cert', '{ pem } or { file }'],
    ]);
  });

  it('lists every key with its type, default and description', () => {
    expect(listConfigKeys(schema).map((key) => [key.path.join('.'), key.typeLabel, key.defaultText])).toEqual(
      [
        ['listen', 'host:port', 'Default `127.0.0.1:8150`.'],
        ['tls', 'object', 'Optional.'],
        ['tls.certFile', 'path', 'Required.'],
        ['tls.keyFile', 'path', 'Required.'],
        ['keepalive.time', 'duration', 'Default `30s`.'],
        ['level', 'info | debug', 'Default `info`.'],
        ['nodes', 'list of host:port', 'Default: none.'],
        ['id', 'string', 'Default: the hostname.'],
        ['agentsFile', 'string', 'Required.'],
      ],
    );
  });

  it('renders a heading per key and one paragraph, with the environment variable when the app has them', () => {
    const text = renderConfigReference(schema, {
      headingLevel: 4,
      environmentVariable: (path) => `X_${path.join('__').toUpperCase()}`,
    });
    expect(text).toContain(
      '#### listen (host:port)\n\nDefault `127.0.0.1:8150`. Where agents connect. Environment: `X_LISTEN`.\n',
    );
    expect(text).toContain('#### tls\n\nOptional. Serve TLS.\n');
    expect(text).toContain('#### keepalive.time (duration)\n\nDefault `30s`. How often to ping.');
  });
});
