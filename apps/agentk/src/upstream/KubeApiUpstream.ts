import { type ClientRequest, Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { RequestHead } from '@kas/tunnel-protocol';
import { AgentkError } from '../errors/AgentkError.js';
import { AGENTK_VERSION } from '../version.js';
import { checkRequestHead } from './checkRequestHead.js';
import { isHopByHop } from './hopByHop.js';
import { RotatingTokenFile } from './RotatingTokenFile.js';

/** Where and how agentk reaches the Kubernetes API. */
export interface KubeApiUpstreamOptions {
  /** e.g. `https://10.0.0.1:6443` or `http://127.0.0.1:8001/prefix`. */
  readonly url: string;
  /** Sent as `authorization: Bearer <token>` instead of whatever the tunnelled request carried. */
  readonly token?: string;
  /**
   * Like `token`, read from this file and read again when it rotates (a service account token): after
   * `refreshMs` (default 60 s) and at once after a 401. Wins over `token`.
   */
  readonly tokenFile?: { readonly path: string; readonly refreshMs?: number };
  /** PEM CA bundle to trust for an `https` URL. Default: Node's. */
  readonly ca?: string;
}

/**
 * The Kubernetes API as agentk's upstream: one keep-alive connection pool, shared by every tunnel (and,
 * in many-agents mode, by every agent) that uses this object.
 */
export class KubeApiUpstream {
  readonly #url: URL;
  readonly #pathPrefix: string;
  readonly #agent: HttpAgent;
  readonly #request: typeof httpRequest;
  readonly #authorization: string | undefined;
  readonly #tokenFile: RotatingTokenFile | undefined;

  constructor(private readonly options: KubeApiUpstreamOptions) {
    try {
      this.#url = new URL(options.url);
    } catch (error) {
      throw new AgentkError(
        'AGENTK_INVALID_CONFIG',
        `--kube-api ${JSON.stringify(options.url)} is not a URL`,
        'give a URL such as https://10.0.0.1:6443',
        { cause: error },
      );
    }
    if (this.#url.protocol !== 'http:' && this.#url.protocol !== 'https:') {
      throw new AgentkError(
        'AGENTK_INVALID_CONFIG',
        `--kube-api ${options.url} is not http(s)`,
        'give an http:// or https:// URL',
      );
    }
    const isHttps = this.#url.protocol === 'https:';
    this.#pathPrefix = this.#url.pathname.replace(/\/+$/, '');
    this.#agent = isHttps
      ? new HttpsAgent({ keepAlive: true, ca: options.ca })
      : new HttpAgent({ keepAlive: true });
    this.#request = isHttps ? httpsRequest : httpRequest;
    this.#authorization = options.token === undefined ? undefined : `Bearer ${options.token}`;
    this.#tokenFile =
      options.tokenFile === undefined
        ? undefined
        : new RotatingTokenFile(options.tokenFile.path, options.tokenFile.refreshMs);
  }

  /** The base URL, for logs. */
  get url(): string {
    return this.options.url;
  }

  /**
   * Starts the upstream request for a tunnelled request head; the caller writes the body and ends it. A
   * head with `upgrade` asks to switch protocols (`Connection: Upgrade`): the request emits `upgrade`
   * with the switched socket, or `response` for any other answer. Throws `REQUEST_INVALID` for a head
   * that is not a valid request under the `--kube-api` path (see `checkRequestHead`).
   */
  request(head: RequestHead): ClientRequest {
    checkRequestHead(head);
    // Node takes headers as a flat [name, value, ...] list (the `rawHeaders` shape) and writes them as
    // they are: no header object to build, no setHeader per field. It then adds no Host of its own.
    const headers: string[] = ['host', this.#url.host];
    let userAgent: string | undefined;
    for (const header of head.headers) {
      // Names are compared, and sent, lower-case: a hostile `Host` must not reach the API as a second one.
      const name = header.name.toLowerCase();
      const { values } = header;
      if (isHopByHop(name) || name === 'host') continue;
      if (name === 'user-agent') {
        userAgent = values[0];
        continue;
      }
      if (name === 'authorization' && (this.#authorization !== undefined || this.#tokenFile !== undefined))
        continue;
      for (const value of values) headers.push(name, value);
    }
    headers.push(
      'user-agent',
      `${userAgent === undefined ? '' : `${userAgent} `}via-agentk/${AGENTK_VERSION}`,
    );
    const authorization =
      this.#tokenFile === undefined ? this.#authorization : `Bearer ${this.#tokenFile.current()}`;
    if (authorization !== undefined) headers.push('authorization', authorization);
    if (head.upgrade !== '') headers.push('connection', 'Upgrade', 'upgrade', head.upgrade);
    const request = this.#request({
      protocol: this.#url.protocol,
      hostname: this.#url.hostname,
      port: this.#url.port,
      method: head.method,
      path: `${this.#pathPrefix}${head.path}${head.query === '' ? '' : `?${head.query}`}`,
      headers,
      agent: this.#agent,
    });
    const tokenFile = this.#tokenFile;
    if (tokenFile !== undefined) {
      request.once('response', (response) => {
        if (response.statusCode === 401) tokenFile.invalidate();
      });
    }
    return request;
  }

  /** Closes idle upstream connections. */
  close(): void {
    this.#agent.destroy();
  }
}
