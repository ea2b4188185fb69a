import { eventually, type OpenStream, openStream, send } from '@kas/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aliceToken, userTokenOf } from './support/identities.js';
import { type PodReplica, startPodReplica } from './support/startPodReplica.js';

const WATCH = '/api/v1/namespaces/default/configmaps?watch=true';
const FOLLOWED_LOG = '/api/v1/namespaces/default/pods/web-0/log?follow=true';

describe('maxLongRunningPerUser', () => {
  let setup: PodReplica;
  const streams: OpenStream[] = [];

  beforeEach(async () => {
    setup = await startPodReplica({ maxLongRunningPerUser: 2 });
  });
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    await setup.stop();
  });

  const ca = () => setup.cluster.certificates.ca.cert;
  const open = async (path: string, token: string) => {
    const stream = await openStream(`${setup.replica.proxy.url}${path}`, { ca: ca(), token });
    streams.push(stream);
    return stream;
  };

  it("refuses a user's watch or followed log over the limit with 429 naming the key, while their plain requests and other users' watches go through, and gives the slot back when one ends", async () => {
    const first = await open(WATCH, aliceToken('agent-1'));
    const followed = await open(FOLLOWED_LOG, aliceToken('agent-1'));
    expect([first.status, followed.status]).toEqual([200, 200]);

    const from = setup.replica.logs.lines.length;
    for (const path of [WATCH, FOLLOWED_LOG]) {
      const refused = await send(`${setup.replica.proxy.url}${path}`, {
        ca: ca(),
        token: aliceToken('agent-1'),
      });
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('1');
      expect(JSON.parse(refused.body)).toMatchObject({
        kind: 'Status',
        reason: 'TooManyRequests',
        code: 429,
        message:
          'user "alice" already has 2 watches or followed logs in flight to agent "agent-1" through this kas replica (kubeProxy.maxLongRunningPerUser); end one and retry',
      });
    }
    expect(setup.replica.logs.lines.slice(from)).toEqual([
      expect.objectContaining({
        event: 'request.unrouted',
        code: 'KAS_LONG_RUNNING_LIMIT_REACHED',
        status: 429,
      }),
      expect.objectContaining({
        event: 'request.unrouted',
        code: 'KAS_LONG_RUNNING_LIMIT_REACHED',
        status: 429,
      }),
    ]);

    // A request that ends by itself takes no slot for long, and another user has slots of their own.
    const plain = await send(`${setup.replica.proxy.url}/api/v1/namespaces/default/pods/web-0`, {
      ca: ca(),
      token: aliceToken('agent-1'),
    });
    expect(plain.status).toBe(200);
    const carols = await open(WATCH, userTokenOf('carol', 'agent-1'));
    expect(carols.status).toBe(200);

    // The slot of a watch that ended is free again.
    first.close();
    await eventually(async () => {
      const again = await send(`${setup.replica.proxy.url}${WATCH}&timeoutSeconds=1`, {
        ca: ca(),
        token: aliceToken('agent-1'),
      });
      return again.status === 200;
    });
  });
});
