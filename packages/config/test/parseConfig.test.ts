import { CoreError } from '@kas/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  configIssuesOf,
  duration,
  formatKeyPath,
  hostPort,
  parseConfig,
  toConfigIssues,
} from '../src/index.js';

class ModuleError extends CoreError<'KAS_TEST_CONFIG_INVALID'> {}

const schema = z.strictObject({
  listen: hostPort(),
  drainBudget: duration().prefault('1h'),
  agents: z.array(z.strictObject({ id: z.string().min(1) })),
});

const parse = (input: unknown) =>
  parseConfig(
    schema,
    input,
    (problems, cause) =>
      new ModuleError('KAS_TEST_CONFIG_INVALID', `test config: ${problems}`, 'fix it', { cause }),
  );

describe('parseConfig', () => {
  it('fills in defaults', () => {
    expect(parse({ listen: '127.0.0.1:0', agents: [] })).toEqual({
      listen: '127.0.0.1:0',
      drainBudget: 3_600_000,
      agents: [],
    });
  });

  it("throws the package's error naming every bad key path and what it expects", () => {
    let thrown: unknown;
    try {
      parse({ listen: '8150', agents: [{ id: '' }], drainBudget: 'soon', listenAdress: 'x' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ModuleError);
    const { message } = thrown as Error;
    expect(message).toMatch(/^test config: /);
    expect(message).toContain(`listen: expected host:port, such as '0.0.0.0:8150'`);
    expect(message).toContain('(got "8150")');
    expect(message).toContain('agents[0].id: must not be empty');
    expect(message).toContain('drainBudget: expected a duration');
    expect(message).toContain('listenAdress: unknown key (known here: listen, drainBudget, agents)');
    expect(configIssuesOf(thrown)?.map((issue) => formatKeyPath(issue.path))).toEqual([
      'listen',
      'drainBudget',
      'agents[0].id',
      'listenAdress',
    ]);
  });

  it('suggests the closest known key for an unknown one, and marks the issue as about the key, not its value', () => {
    const app = z.strictObject({ healthz: z.strictObject({ path: z.string() }).optional(), log: z.string() });
    const result = app.safeParse({ healthZ: { path: '/x' }, log: 'info', foo: 1 });
    expect(result.success).toBe(false);
    const issues = result.success ? [] : toConfigIssues(result.error, app);
    expect(issues).toEqual([
      {
        path: ['healthZ'],
        message: 'unknown key (known here: healthz, log), did you mean "healthz"?',
        isAboutKey: true,
      },
      { path: ['foo'], message: 'unknown key (known here: healthz, log)', isAboutKey: true },
    ]);
  });

  it('says what a missing key or section should hold', () => {
    const app = z.strictObject({ kubeProxy: z.strictObject({ listen: hostPort(), usersFile: z.string() }) });
    const invalid = (problems: string) => new Error(problems);
    expect(() => parseConfig(app, {}, invalid)).toThrow(
      /^kubeProxy: missing: expected a section with listen, usersFile$/,
    );
    expect(() => parseConfig(app, { kubeProxy: { listen: ':1' } }, invalid)).toThrow(
      /usersFile: missing: expected string$/,
    );
    // Keys with a default (or optional ones) are named apart: only the others must be written.
    const withDefaults = z.strictObject({
      auditSink: z.strictObject({
        file: z.string(),
        flushIntervalMs: z.number().default(1000),
        tag: z.string().optional(),
      }),
    });
    expect(() => parseConfig(withDefaults, {}, invalid)).toThrow(
      /^auditSink: missing: expected a section with file \(optional: flushIntervalMs, tag\)$/,
    );
    // A missing value says what it is for: the first sentence of its description.
    const described = z.strictObject({
      usersFile: z.string().describe('A YAML list of users. Each has a token hash.'),
    });
    expect(() => parseConfig(described, {}, invalid)).toThrow(
      /^usersFile: missing: expected string: A YAML list of users\.$/,
    );
  });

  it('names the allowed values of an enum and the value given', () => {
    const levels = z.strictObject({ level: z.enum(['info', 'debug']) });
    expect(() => parseConfig(levels, { level: 'loud' }, (problems) => new Error(problems))).toThrow(
      /^level: expected one of "info", "debug" \(got "loud"\)$/,
    );
  });

  it('reports a failed union by the branch that came closest', () => {
    const server = z.strictObject({ url: z.string().optional() });
    const cluster = z.strictObject({ cluster: z.array(z.string()).min(1, { error: 'expected a node' }) });
    const union = z.union([cluster, server]);
    const invalid = (problems: string) => new Error(problems);
    expect(() => parseConfig(union, { cluster: [] }, invalid)).toThrow(/^cluster: expected a node$/);
    expect(() => parseConfig(union, { url: 7 }, invalid)).toThrow(/^url: expected a string \(got 7\)$/);
  });

  it('says a value of the wrong type in the words of the other keys, with the value given (was: zod\'s "Invalid input: expected boolean, received string")', () => {
    const app = z.strictObject({
      debug: z.boolean().default(false),
      maxTunnels: z.number().int().positive().default(5),
      retries: z.number().int().default(3),
      modules: z.array(z.string()).default([]),
      tls: z.strictObject({ certFile: z.string(), keyFile: z.string() }).optional(),
      name: z.string().optional(),
    });
    const problems = (input: unknown) => {
      try {
        parseConfig(app, input, (text) => new Error(text));
      } catch (error) {
        return (error as Error).message.split('; ');
      }
      return [];
    };
    expect(
      problems({
        debug: 'yes please',
        maxTunnels: 'many',
        retries: 1.5,
        modules: 'abc',
        tls: 'yes',
        name: [1],
      }),
    ).toEqual([
      'debug: expected true or false (got "yes please")',
      'maxTunnels: expected a number (got "many")',
      'retries: expected a whole number (got 1.5)',
      'modules: expected a list (got "abc")',
      'tls: expected a section with certFile, keyFile (got "yes")',
      'name: expected a string (got [1])',
    ]);
    // A schema's own message for a wrong type stays as the schema says it.
    const own = z.strictObject({ listen: hostPort() });
    expect(() => parseConfig(own, { listen: 8150 }, (text) => new Error(text))).toThrow(
      /^listen: expected host:port, such as '0\.0\.0\.0:8150'.* \(got 8150\)$/,
    );
  });

  it('names the known keys of an entry of a map from names to entries (a z.record), at any depth', () => {
    const app = z.strictObject({
      overrides: z.record(
        z.string(),
        z.strictObject({
          drainBudget: duration().optional(),
          stop: z.strictObject({ after: z.array(z.string()).optional() }).optional(),
        }),
      ),
    });
    const invalid = (problems: string) => new Error(problems);
    expect(() =>
      parseConfig(app, { overrides: { 'kube-proxy': { drainBugdet: '2h', stop: { befor: [] } } } }, invalid),
    ).toThrow(
      'overrides.kube-proxy.stop.befor: unknown key (known here: after); overrides.kube-proxy.drainBugdet: unknown key (known here: drainBudget, stop)',
    );
    expect(() => parseConfig(app, { overrides: { 'kube-proxy': 5 } }, invalid)).toThrow(
      'overrides.kube-proxy: expected a section (optional keys: drainBudget, stop) (got 5)',
    );
  });

  it('finds no issues in an error that is not about config', () => {
    expect(configIssuesOf(new Error('x', { cause: new Error('y') }))).toBeUndefined();
    expect(formatKeyPath([])).toBe('(top level)');
  });
});
