import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDevCertificates } from '@kas/dev-certificates';
import { eventually, type RunningProcess, startProcess } from '@kas/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendRequest } from './support/sendRequest.js';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

describe('the fake-kube-api command', () => {
  let dir: string;
  let child: RunningProcess | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-kube-api-cli-'));
  });
  afterEach(async () => {
    await child?.stop();
    child = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('prints its URL as a JSON log line, serves HTTPS with the token, and exits 0 on SIGTERM', async () => {
    const certificates = await createDevCertificates();
    const files = {
      cert: join(dir, 'server.pem'),
      key: join(dir, 'server-key.pem'),
      token: join(dir, 'token'),
    };
    await writeFile(files.cert, certificates.server.cert);
    await writeFile(files.key, certificates.server.key);
    await writeFile(files.token, 'cli-token\n');
    child = startProcess(process.execPath, [
      cli,
      '--port',
      '0',
      '--tls-cert-file',
      files.cert,
      '--tls-key-file',
      files.key,
      '--token-file',
      files.token,
    ]);
    const listening = await child.waitForLog({ event: 'server.listening' });
    expect(listening).toMatchObject({ module: 'fake-kube-api', isTls: true, hasToken: true });
    const url = String(listening.url);
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(JSON.stringify(child.logs())).not.toContain('cli-token');

    const get = (token: string) =>
      sendRequest(`${url}/api/v1/namespaces`, { ca: certificates.ca.cert, token });
    const answered = await get('cli-token');
    expect(answered.status).toBe(200);
    expect(answered.json()).toMatchObject({ kind: 'NamespaceList' });
    expect((await get('wrong')).status).toBe(401);

    child.signal('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.logs().at(-1)).toMatchObject({ event: 'server.stopped' });
  });

  it('keeps the cluster changing with --demo-activity', async () => {
    child = startProcess(process.execPath, [cli, '--demo-activity', '--demo-interval-ms', '50']);
    const { url } = await child.waitForLog({ event: 'server.listening' });
    const seen = new Set<string>();
    await eventually(async () => {
      const list = (await sendRequest(`${String(url)}/api/v1/namespaces/default/pods`)).json() as {
        items: { metadata: { name: string } }[];
      };
      for (const item of list.items) seen.add(item.metadata.name);
      return [...seen].some((name) => name.startsWith('worker-'));
    });
    expect([...seen]).toEqual(expect.arrayContaining(['web-0', 'web-1']));
  });

  it('says which file it cannot read, and exits 1', async () => {
    child = startProcess(process.execPath, [cli, '--token-file', join(dir, 'missing')]);
    expect(await child.exited).toEqual({ code: 1, signal: null });
    expect(child.logs().at(-1)).toMatchObject({
      event: 'server.startFailed',
      code: 'KAS_FAKE_KUBE_INVALID_OPTION',
      msg: expect.stringContaining(`cannot read --token-file ${join(dir, 'missing')}`),
    });
  });
});
