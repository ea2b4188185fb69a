import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ANONYMOUS_USER, findAccessReview, TOKEN_USER } from '../authorization/accessReviews.js';
import { FakeKubeApiError } from '../errors/FakeKubeApiError.js';
import { badRequest } from '../objects/storeErrors.js';
import type { ApiContext, ApiRequest } from './ApiContext.js';
import { isAuthorized } from './authenticate.js';
import {
  API_GROUP_LIST,
  apiGroup,
  apiVersions,
  coreV1Resources,
  reviewGroupResources,
  VERSION_INFO,
} from './discoveryDocuments.js';
import { isTrueQueryValue } from './isTrueQueryValue.js';
import { negotiateRepresentation } from './negotiateRepresentation.js';
import { parseResourcePath } from './parseResourcePath.js';
import { failureStatus, sendJson, sendStatus, statusForError } from './sendJson.js';
import { serveAccessReview } from './serveAccessReview.js';
import { serveCreate, serveList } from './serveCollection.js';
import { serveLogs } from './serveLogs.js';
import { serveDelete, serveGet, servePatch, serveReplace } from './serveObject.js';
import { serveOpenApiDocument, serveOpenApiIndex } from './serveOpenApi.js';
import { serveWatch } from './serveWatch.js';

/**
 * The fake's `node:http` request listener: authenticates, routes, and answers every failure as a
 * Kubernetes `Status`. A failure after a streaming answer has begun cuts the connection instead.
 */
export function createRequestHandler(
  context: ApiContext,
  /** The hashes of the tokens accepted right now; undefined: no authentication. */
  tokenHashes: () => readonly Buffer[] | undefined,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake-kube-api');
    const startedAt = performance.now();
    response.setHeader('Audit-Id', randomUUID());
    response.once('close', () => {
      context.log.debug(
        {
          event: 'request.served',
          method: request.method,
          path: url.pathname,
          code: response.statusCode,
          durationMs: Math.round(performance.now() - startedAt),
        },
        `${request.method} ${url.pathname} ${response.statusCode}`,
      );
    });
    const accepted = tokenHashes();
    if (!isAuthorized(request, url.pathname, accepted)) {
      sendStatus(response, failureStatus(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    const user =
      accepted !== undefined && request.headers.authorization !== undefined ? TOKEN_USER : ANONYMOUS_USER;
    route(context, { request, response, url, user }).catch((error: unknown) => {
      if (response.headersSent) {
        context.log.warn(
          { event: 'request.cut', err: error, path: url.pathname },
          'cut a response already begun',
        );
        response.destroy();
      } else if (error instanceof FakeKubeApiError) {
        sendStatus(response, statusForError(error));
      } else {
        context.log.error({ event: 'request.failed', err: error, path: url.pathname }, 'request failed');
        sendStatus(
          response,
          failureStatus(500, 'InternalError', `Internal error occurred: ${String(error)}`),
        );
      }
    });
  };
}

async function route(context: ApiContext, api: ApiRequest): Promise<void> {
  const { request, response, url } = api;
  const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  const method = request.method ?? 'GET';
  const fixed = fixedDocument(pathname, context);
  if (fixed !== undefined) {
    if (method !== 'GET') sendStatus(response, methodNotAllowed());
    else fixed(api);
    return;
  }
  const review = findAccessReview(pathname);
  if (review !== undefined) {
    if (method === 'POST') await serveAccessReview(api, review);
    else sendStatus(response, methodNotAllowed());
    return;
  }
  const path = parseResourcePath(pathname);
  if (path === undefined) {
    sendStatus(response, notServed());
    return;
  }
  const representation = negotiateRepresentation(request.headers.accept);
  if (representation === undefined) {
    sendStatus(response, failureStatus(406, 'NotAcceptable', 'only application/json and Table are served'));
    return;
  }
  if (method !== 'GET' && url.searchParams.has('dryRun')) {
    // Persisting a dry run would be worse than refusing it.
    throw badRequest('dryRun is not served by the fake Kubernetes API', 'send the request without dryRun');
  }
  const { name } = path;
  if (name === undefined) {
    if (method === 'GET' && isTrueQueryValue(url.searchParams.get('watch'))) {
      serveWatch(context, api, path, representation);
    } else if (method === 'GET') serveList(context, api, path, representation);
    else if (method === 'POST' && (path.namespace !== undefined || !path.resource.namespaced)) {
      await serveCreate(context, api, path);
    } else sendStatus(response, methodNotAllowed());
    return;
  }
  const named = { ...path, name };
  if (path.subresource === 'log') {
    if (method === 'GET' && path.namespace !== undefined)
      serveLogs(context, api, { ...named, namespace: path.namespace });
    else sendStatus(response, methodNotAllowed());
    return;
  }
  if (method === 'GET' && isTrueQueryValue(url.searchParams.get('watch'))) {
    serveWatch(context, api, named, representation);
  } else if (method === 'GET') serveGet(context, api, named, representation);
  else if (method === 'PUT') await serveReplace(context, api, named);
  else if (method === 'PATCH') await servePatch(context, api, named);
  else if (method === 'DELETE' && path.subresource === undefined) await serveDelete(context, api, named);
  else sendStatus(response, methodNotAllowed());
}

/** The answers that do not depend on the store: version, discovery, OpenAPI, health. */
function fixedDocument(pathname: string, context: ApiContext): ((api: ApiRequest) => void) | undefined {
  switch (pathname) {
    case '/version':
      return ({ response }) => sendJson(response, 200, VERSION_INFO);
    case '/api':
      return ({ response }) => sendJson(response, 200, apiVersions(context.serverAddress()));
    case '/apis':
      return ({ response }) => sendJson(response, 200, API_GROUP_LIST);
    case '/api/v1':
      return ({ response }) => sendJson(response, 200, coreV1Resources());
    case '/openapi/v3':
      return ({ response }) => serveOpenApiIndex(response);
    case '/openapi/v3/api/v1':
      return ({ response, url }) => serveOpenApiDocument(response, url);
  }
  const group = /^\/apis\/([^/]+)(\/v1)?$/.exec(pathname);
  const groupDocument =
    group === null
      ? undefined
      : group[2] === undefined
        ? apiGroup(group[1] ?? '')
        : reviewGroupResources(`${group[1]}/v1`);
  if (groupDocument !== undefined) return ({ response }) => sendJson(response, 200, groupDocument);
  if (/^\/(healthz|livez|readyz)(\/.*)?$/.test(pathname)) {
    return ({ response }) => {
      response.writeHead(200, {
        'Content-Type': 'text/plain; charset=utf-8',
        'X-Content-Type-Options': 'nosniff',
      });
      response.end('ok');
    };
  }
  return undefined;
}

function methodNotAllowed() {
  return failureStatus(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}

function notServed() {
  return failureStatus(404, 'NotFound', 'the server could not find the requested resource', {
    causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }],
  });
}
