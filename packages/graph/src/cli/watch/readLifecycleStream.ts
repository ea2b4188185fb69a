import type { LifecycleEvent } from '@kas/core';
import type { LifecycleSnapshot } from '@kas/core/snapshot';
import { createParser } from 'eventsource-parser';
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
 * `KAS_GRAPH_WATCH_FAILED` when the listener cannot be reached or does not serve the stream.
 */
export async function readLifecycleStream(
  url: URL,
  onMessage: (message: LifecycleMessage) => 'done' | undefined,
): Promise<void> {
  const failed = (problem: string, fix: string, cause?: unknown) =>
    new CliError('KAS_GRAPH_WATCH_FAILED', `${url.href}: ${problem}`, fix, { cause });
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'text/event-stream' } });
  } catch (error) {
    throw failed(
      `cannot connect (${(error as Error).cause ?? (error as Error).message})`,
      "give the address of kas's observability listener (observability.listen) and check that kas runs",
      error,
    );
  }
  if (response.status === 404) {
    throw failed(
      'not found: the listener does not serve the lifecycle stream',
      'set observability.debug: true in kas.yaml (or KAS_OBSERVABILITY__DEBUG=true) and restart kas',
    );
  }
  if (!response.ok || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
    throw failed(
      `answered ${response.status} ${response.headers.get('content-type') ?? ''}, not an event stream`,
      "give the address of kas's observability listener (observability.listen)",
    );
  }
  let isDone = false;
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
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (isDone) break; // ends the iteration, which cancels the body and closes the connection
    }
  } catch (error) {
    throw failed('the stream broke', 'run kas-graph watch again', error);
  }
}
