// Renders docs/lifecycle-page-mid-stop.png: kas in dev mode with a 2-minute kube proxy drain, a
// `kubectl get pods -w` through it, SIGTERM, and the lifecycle page a moment later (the agent edge
// completed, the kube proxy draining the watch). Then a second signal ends kas.
//
//   npm run build && npm run screenshot:lifecycle-page -w @kas/demo
//
// Needs kubectl on PATH and Chromium at /usr/bin/chromium (or CHROMIUM=<path>).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const output = process.argv[2] ?? join(root, 'docs', 'lifecycle-page-mid-stop.png');
const dir = await mkdtemp(join(tmpdir(), 'kas-screenshot-'));

const kas = spawn(
  process.execPath,
  [join(root, 'apps/kas/dist/main.js'), '--dev', '--dev-dir', join(dir, 'dev'), '--log-format', 'json'],
  { env: { ...process.env, KAS_KUBE_PROXY__DRAIN_BUDGET: '2m' }, stdio: ['ignore', 'pipe', 'inherit'] },
);
const logs = createInterface({ input: kas.stdout });
const waitForLog = (test) =>
  new Promise((resolve, reject) => {
    const onLine = (line) => {
      let log;
      try {
        log = JSON.parse(line);
      } catch {
        return;
      }
      if (!test(log)) return;
      logs.off('line', onLine);
      resolve(log);
    };
    logs.on('line', onLine);
    kas.once('exit', (code) => reject(new Error(`kas exited (${code}) before the expected log line`)));
  });

let watch;
let browser;
try {
  const ready = await waitForLog((log) => log.event === 'dev.ready');
  watch = spawn('kubectl', ['get', 'pods', '-w', '--cache-dir', join(dir, 'cache')], {
    env: { ...process.env, KUBECONFIG: String(ready.kubeconfig) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(watch.stdout, 'data'); // the watch is in flight through kas

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  const page = await browser.newPage({ viewport: { width: 1780, height: 560 } });
  await page.goto(String(ready.lifecyclePage));
  await page.getByText('running', { exact: true }).first().waitFor();

  kas.kill('SIGTERM');
  await waitForLog((log) => log.event === 'module.stopped' && log.module === 'tunnel-tracker');
  await page.getByText('draining').first().waitFor();
  await new Promise((resolve) => setTimeout(resolve, 700)); // let the clocks and bars move a little
  await page.screenshot({ path: output });
  console.log(`wrote ${output}`);
} finally {
  await browser?.close();
  watch?.kill();
  if (kas.exitCode === null) {
    kas.kill('SIGINT'); // the second signal cuts the drain
    await once(kas, 'exit');
  }
  await rm(dir, { recursive: true, force: true });
}
