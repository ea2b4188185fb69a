import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { coreV1OpenApi } from '../openapi/coreV1OpenApi.js';

const DOCUMENT = JSON.stringify(coreV1OpenApi());
const HASH = createHash('sha512').update(DOCUMENT).digest('hex').toUpperCase();

/** `GET /openapi/v3`: the index of group-version documents (only `api/v1` here), with its hash URL. */
export function serveOpenApiIndex(response: ServerResponse): void {
  const body = JSON.stringify({
    paths: { 'api/v1': { serverRelativeURL: `/openapi/v3/api/v1?hash=${HASH}` } },
  });
  response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

/** `GET /openapi/v3/api/v1`: the document; immutable when asked by its hash, as the real server says. */
export function serveOpenApiDocument(response: ServerResponse, url: URL): void {
  response.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(DOCUMENT),
    ETag: `"${HASH}"`,
    'Cache-Control': url.searchParams.get('hash') === HASH ? 'public, immutable' : 'no-cache, private',
  });
  response.end(DOCUMENT);
}
