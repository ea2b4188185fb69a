import { credentials } from '@grpc/grpc-js';
import { eventually } from '@kas/testkit';
import type { RequestHead } from '@kas/tunnel-protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, KubeApiUpstream } from '../src/index.js';
import { type FakeKubeApi, startFakeKubeApi } from './support/fakeKubeApi.js';
import { type FakeKas, startFakeKas } from './support/startFakeKas.js';

const POST: RequestHead = {
  method: 'POST',
  path: '/api/v1/namespaces/default/configmaps',
  query: '',
  headers: [],
  upgrade: '',
};

/** The Kubernetes API as agentk reaches it, noting every request agentk starts. */
class RecordingUpstream extends KubeApiUpstream {
  readonly started: RequestHead[] = [];

  override request(head: RequestHead) {
    this.started.push(head);
    return super.request(head);
  }
}

describe('an agent that is stopping', () => {
  let kubeApi: FakeKubeApi | undefined;
  let kas: FakeKas | undefined;
  afterEach(async () => {
    await kas?.close();
    await kubeApi?.close();
  });

  // agentk closes its idle tunnels as it stops; kas may have sent a request on one of them at that very
  // moment. The agent never takes it: it half-closed the tunnel, so it could not answer, and kas tells the
  // client the request was not served (a GET is sent again on another tunnel). It used to send the request
  // to the Kubernetes API anyway, so a POST could be carried out while its client was told it failed.
  it('does not send the API server a request that reached a tunnel it had already closed', async () => {
    kubeApi = await startFakeKubeApi();
    kas = await startFakeKas({ endsWhenAgentEnds: false });
    const upstream = new RecordingUpstream({ url: kubeApi.url });
    const agent = new Agent({
      name: 'agent-1',
      token: 'token-of-agent-1',
      kasAddresses: [kas.address],
      kasCredentials: credentials.createInsecure(),
      upstream,
      minIdleTunnels: 1,
      maxTunnels: 4,
      log: pino({ level: 'silent' }),
    });
    agent.start();
    const tunnel = await kas.take();
    await eventually(() => agent.stats().idle === 1); // registered, as the agent sees it
    const stopped = agent.stop(new AbortController().signal);
    await tunnel.agentEnded;
    // The request crosses the agent's close; then kas ends the call, after the request.
    tunnel.send({ head: POST, body: Buffer.from('{}'), end: true });
    tunnel.end();
    await stopped;
    expect(upstream.started).toEqual([]);
    expect(kubeApi.requests).toEqual([]);
    upstream.close();
  });
});
