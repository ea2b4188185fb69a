import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { LifecycleEvent } from '@kas/core';
import type { LifecycleSnapshot } from '@kas/core/snapshot';
import { CliError } from '../CliError.js';

/** What a replica's lifecycle stream sends: its snapshot first, then lifecycle events. */
export type LifecycleMessage =
  | { readonly kind: 'snapshot'; readonly snapshot: LifecycleSnapshot }
  | { readonly kind: 'event'; readonly event: LifecycleEvent };

/** `http://host:port` (an observability listener) or the stream's own URL, as the stream's URL. */
export function lifecycleStreamUrl(address: string): URL {
  let url: URL;
  try {
    url = new URL(address);
  } catch (error) {
    throw new CliError(
      'KAS_GRAPH_USAGE',
      `${address} is not a URL`,
      "give the observability listener's address, e.g. http://127.0.0.1:8151",
      { cause: error },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError('KAS_GRAPH_USAGE', `${address} is not an http(s) URL`, 'give http://host:port');
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/debug/lifecycle/events';
  return url;
}

/**
 * Reads the Server-Sent Events stream at `url` (`/debug/lifecycle/events`) and calls `onMessage` for
 * each message, until the stream ends or `onMessage` returns `'done'`. Fails with
 * `KAS_GRAPH_WATCH_FAILED` when the listener cannot be reached or does not serve the stream, and with
 * the error `onMessage` throws.
 *
 * node:http, not fetch: fetch refuses the ports on its blocked list (6000, 6665-6669, 10080, ...) with
 * "bad port", and a replica's observability listener may be on any port.
 */
export async function readLifecycleStream(
  url: URL,
  onMessage: (message: LifecycleMessage) => 'done' | undefined,
): Promise<void> {
  const failed = (problem: string, fix: string, cause?: unknown) =>
    new CliError('KAS_GRAPH_WATCH_FAILED', `${url.href}: ${problem}`, fix, { cause });
  let response: IncomingMessage;
  try {
    response = await openStream(url);
  } catch (error) {
    throw failed(
      `cannot connect (${(error as Error).message})`,
      "give the address of kas's observability listener (observability.listen) and check that kas runs",
      error,
    );
  }
  const contentType = response.headers['content-type'];
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299 || !contentType?.startsWith('text/event-stream')) {
    response.destroy();
    if (status === 404) {
      throw failed(
        'not found: the listener does not serve the lifecycle stream',
        'kas: set observability.debug: true in kas.yaml (or KAS_OBSERVABILITY__DEBUG=true) and restart kas; an app of your own: mount createLifecycleDebug(app) of @kas/lifecycle-view on its listener',
      );
    }
    throw failed(
      `answered ${status} ${contentType ?? ''}, not an event stream`,
      "give the address of kas's observability listener (observability.listen), or of the listener your app mounts createLifecycleDebug on",
    );
  }
  let isDone = false;
  // Loaded here, not at import: every kas-graph command imports this module, only watch reads a stream.
  const { createParser } = await import('eventsource-parser');
  const parser = createParser({
    onEvent(message) {
      if (isDone) return;
      const data = JSON.parse(message.data) as unknown;
      if (message.event === 'snapshot') {
        isDone = onMessage({ kind: 'snapshot', snapshot: data as LifecycleSnapshot }) === 'done';
      } else if (message.event === 'lifecycle') {
        isDone = onMessage({ kind: 'event', event: data as LifecycleEvent }) === 'done';
      }
    },
  });
  response.setEncoding('utf8');
  try {
    for await (const chunk of response as AsyncIterable<string>) {
      parser.feed(chunk);
      if (isDone) break; // ends the iteration, which destroys the response and closes the connection
    }
  } catch (error) {
    if (error instanceof CliError) throw error; // onMessage's own (a --record file that cannot be written)
    throw failed('the stream broke', 'run kas-graph watch again', error);
  }
}

/** Sends the GET and resolves with the response once its head has arrived. */
function openStream(url: URL): Promise<IncomingMessage> {
  const get = url.protocol === 'https:' ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    get(url, { headers: { accept: 'text/event-stream' } }, resolve).once('error', reject);
  });
}
