import type { StatusAnswer } from './kubeStatus.js';

/**
 * The answer to a request Node's HTTP parser refused before kas saw it, as a Kubernetes `Status`: headers
 * over Node's limit (16 KiB) are `431`, headers or a body that did not arrive in time `408`, any other
 * malformed request `400`. Undefined for what is not an HTTP request kas could answer (a TLS handshake that
 * failed or timed out, a client that went away): that connection is closed at once.
 */
export function statusForClientError(error: Error & { readonly code?: string }): StatusAnswer | undefined {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        code: 431,
        reason: 'RequestHeaderFieldsTooLarge',
        message:
          "the request's headers are larger than the 16 KiB kas reads: send fewer or smaller headers (large Impersonate-Extra-* or cookie headers, for example)",
      };
    case 'HPE_HEADERS_TIMEOUT':
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        code: 408,
        reason: 'Timeout',
        message:
          'the request did not arrive in time (kubeProxy.headersTimeout or kubeProxy.requestTimeout): send it again',
      };
    default:
      if (error.code?.startsWith('HPE_') !== true) return undefined;
      return {
        code: 400,
        reason: 'BadRequest',
        message: `the request is not valid HTTP/1.1 (${error.code ?? error.message})`,
      };
  }
}
