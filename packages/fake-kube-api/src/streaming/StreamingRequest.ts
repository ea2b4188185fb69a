import { decodeSegment } from '../http/parseResourcePath.js';

/** What an exec, attach or port-forward request asks for. */
export interface StreamingRequest {
  readonly kind: 'exec' | 'attach' | 'portforward';
  readonly namespace: string;
  readonly pod: string;
  /** `container=`; the pod's first container when absent. */
  readonly container: string | undefined;
  /** exec: `command=` repeated. */
  readonly command: readonly string[];
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
  /** port-forward over the channel protocol: `ports=`. */
  readonly ports: readonly number[];
}

const STREAMING_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)\/?$/;

/**
 * Parses `/api/v1/namespaces/<ns>/pods/<pod>/(exec|attach|portforward)?...`; undefined for other paths.
 * Throws `KAS_FAKE_KUBE_BAD_REQUEST` for a namespace or pod name that is not valid percent-encoding.
 */
export function parseStreamingRequest(url: URL): StreamingRequest | undefined {
  const match = STREAMING_PATH.exec(url.pathname);
  if (match === null) return undefined;
  const query = url.searchParams;
  const flag = (name: string) => query.get(name) === 'true' || query.get(name) === '1';
  return {
    kind: match[3] as StreamingRequest['kind'],
    namespace: decodeSegment(match[1] as string, url.pathname),
    pod: decodeSegment(match[2] as string, url.pathname),
    container: query.get('container') ?? undefined,
    command: query.getAll('command'),
    stdin: flag('stdin'),
    stdout: flag('stdout'),
    stderr: flag('stderr'),
    tty: flag('tty'),
    ports: query
      .getAll('ports')
      .flatMap((value) => value.split(','))
      .map(Number)
      .filter((port) => Number.isInteger(port) && port > 0),
  };
}
