import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { UserInfo } from '../authorization/accessReviews.js';
import type { InMemoryObjectStore } from '../objects/InMemoryObjectStore.js';
import type { OpenStreams } from './OpenStreams.js';

/** What every request handler of the fake needs. */
export interface ApiContext {
  readonly store: InMemoryObjectStore;
  readonly streams: OpenStreams;
  readonly log: Logger;
  /** `host:port` the server listens on, for `/api`'s `serverAddressByClientCIDRs`. */
  readonly serverAddress: () => string;
}

/** One request being answered. */
export interface ApiRequest {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  /** Who sent it, as far as the fake knows (one user per token). */
  readonly user: UserInfo;
}
