import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type Logger, pino } from 'pino';
import { type DemoActivityOptions, startDemoActivity } from '../demo/startDemoActivity.js';
import { FakeKubeApiError } from '../errors/FakeKubeApiError.js';
import { hashToken } from '../http/authenticate.js';
import { createRequestHandler } from '../http/createRequestHandler.js';
import { OpenStreams } from '../http/OpenStreams.js';
import { InMemoryObjectStore } from '../objects/InMemoryObjectStore.js';
import type { ObjectStore } from '../objects/ObjectStore.js';
import { createUpgradeHandler } from '../streaming/createUpgradeHandler.js';
import { PodMainProcesses } from '../streaming/PodMainProcesses.js';
import { PodSandboxes } from '../streaming/PodSandboxes.js';
import { PodServices } from '../streaming/PodServices.js';

/** How long `stop()` lets connections finish their last bytes before cutting them. */
const STOP_GRACE_MS = 1_000;

/** Options of `startFakeKubeApi`. */
export interface FakeKubeApiOptions {
  /** Address to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** Port to listen on; `0` picks a free one. Default `0`. */
  readonly port?: number;
  /** Serve HTTPS with this PEM certificate and key (kubectl sends tokens only over HTTPS). Default: HTTP. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Require `Authorization: Bearer <token>` (401 otherwise). Default: no authentication. */
  readonly token?: string;
  /**
   * Accept any of these tokens (with `token`, that one too): a service account's old and new token
   * while it rotates. `acceptTokens` changes the set later. Default: none.
   */
  readonly tokens?: readonly string[];
  /** Keep the cluster busy: pods come and go, log lines and events appear. Default: off. */
  readonly demoActivity?: DemoActivityOptions;
  /** Where to log (a child with `module: 'fake-kube-api'` is used). Default: silent. */
  readonly log?: Logger;
}

/** A running fake Kubernetes API server. */
export interface FakeKubeApi {
  /** `https://127.0.0.1:<port>` (or `http://`): the `server` of a kubeconfig. */
  readonly url: string;
  readonly port: number;
  /** The cluster's objects: change them and watches see the change. */
  readonly objects: ObjectStore;
  /**
   * Watches and followed logs being answered right now. Drops when a client goes away, so a test can
   * see that a proxy in front of the fake cancelled its upstream request.
   */
  readonly openStreams: number;
  /**
   * Accepts these tokens from now on, and no others (as the real server does once an old service
   * account token has expired). An empty list refuses every credential.
   */
  acceptTokens(tokens: readonly string[]): void;
  /**
   * The loopback port of the small HTTP service a pod runs (what `kubectl port-forward` reaches), started
   * if needed: a bench or test compares a transfer through a port-forward with one straight to it.
   */
  podServicePort(pod: string, namespace?: string): Promise<number>;
  /** Ends every watch and log stream, closes every connection, and resolves when the server has closed. */
  stop(): Promise<void>;
}

/**
 * Starts an in-memory Kubernetes API server that real clients (kubectl, @kubernetes/client-node) talk
 * to: discovery, core/v1 pods, configmaps, events and namespaces with list, get, create, replace,
 * patch, delete and watch, pod logs, OpenAPI v3. Resolves when it listens. The caller stops it.
 */
export async function startFakeKubeApi(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const { host = '127.0.0.1', port = 0, tls, token } = options;
  checkOptions(options);
  const initialTokens = [...(token === undefined ? [] : [token]), ...(options.tokens ?? [])];
  let tokenHashes: readonly Buffer[] | undefined =
    token === undefined && options.tokens === undefined ? undefined : initialTokens.map(hashToken);
  const log = (options.log ?? pino({ level: 'silent' })).child({ module: 'fake-kube-api' });
  const store = new InMemoryObjectStore();
  const streams = new OpenStreams();
  const server: Server =
    tls === undefined ? createHttpServer() : createHttpsServer({ cert: tls.cert, key: tls.key });
  const context = {
    store,
    streams,
    log,
    serverAddress: () => `${host}:${(server.address() as AddressInfo).port}`,
  };
  const podServices = new PodServices();
  const sandboxes = new PodSandboxes();
  const mainProcesses = new PodMainProcesses(store, sandboxes);
  server.on(
    'request',
    createRequestHandler(context, () => tokenHashes),
  );
  server.on(
    'upgrade',
    createUpgradeHandler(context, () => tokenHashes, sandboxes, podServices, mainProcesses),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    throw new FakeKubeApiError(
      'KAS_FAKE_KUBE_LISTEN_FAILED',
      `fake-kube-api could not listen on ${host}:${port}: ${(error as Error).message}`,
      'choose another port (0 picks a free one) or stop what listens there',
      undefined,
      { cause: error },
    );
  }
  const boundPort = (server.address() as AddressInfo).port;
  const url = `${tls === undefined ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  const demo =
    options.demoActivity === undefined ? undefined : startDemoActivity(store, options.demoActivity, log);
  log.info(
    {
      event: 'server.listening',
      url,
      isTls: tls !== undefined,
      hasToken: tokenHashes !== undefined,
      isDemo: demo !== undefined,
    },
    `fake Kubernetes API listening on ${url}`,
  );

  let stopped: Promise<void> | undefined;
  return {
    url,
    port: boundPort,
    objects: store,
    get openStreams() {
      return streams.size;
    },
    acceptTokens(tokens) {
      checkTokens(tokens);
      tokenHashes = tokens.map(hashToken);
      log.info({ event: 'tokens.replaced', tokens: tokens.length }, 'accepting a new set of tokens');
    },
    podServicePort: (pod, namespace = 'default') => podServices.portOf(namespace, pod),
    stop() {
      stopped ??= (async () => {
        demo?.stop();
        mainProcesses.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        const openStreams = streams.size;
        streams.endAll();
        // Ended streams leave their connections idle once the last chunk is out: close those as they go
        // idle, and cut whatever is still open (a request mid-body) after a short grace.
        const closeIdle = setInterval(() => server.closeIdleConnections(), 10);
        const cutAll = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
        server.closeIdleConnections();
        await Promise.all([closed, podServices.stopAll()]);
        clearInterval(closeIdle);
        clearTimeout(cutAll);
        log.info({ event: 'server.stopped', openStreams }, 'fake Kubernetes API stopped');
      })();
      return stopped;
    },
  };
}

function checkTokens(tokens: readonly string[]): void {
  if (tokens.some((token) => !/^\S+$/.test(token))) {
    throw new FakeKubeApiError(
      'KAS_FAKE_KUBE_INVALID_OPTION',
      'a token is empty or contains white space',
      'pass tokens of visible characters',
    );
  }
}

function checkOptions(options: FakeKubeApiOptions): void {
  const problem = (message: string, fix: string) =>
    new FakeKubeApiError('KAS_FAKE_KUBE_INVALID_OPTION', message, fix);
  if (
    options.port !== undefined &&
    (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
  ) {
    throw problem(
      `port ${options.port} is not a TCP port`,
      'pass a whole number from 0 to 65535 (0: a free port)',
    );
  }
  checkTokens([...(options.token === undefined ? [] : [options.token]), ...(options.tokens ?? [])]);
  if (options.tls !== undefined && (options.tls.cert.trim() === '' || options.tls.key.trim() === '')) {
    throw problem('tls needs both a PEM certificate and a PEM key', 'pass tls: { cert, key } (PEM text)');
  }
}
