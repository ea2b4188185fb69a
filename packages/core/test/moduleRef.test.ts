import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CoreError,
  createModuleRef,
  createResourceTag,
  defineModule,
  type ModuleRef,
  type ResourceTag,
} from '../src/index.js';

// The package constants a module author imports (as @kas/module-kube-proxy exports KUBE_PROXY).
const KUBE_PROXY = createModuleRef('kube-proxy');
const AGENT_TUNNELS = createResourceTag('agent-tunnels');
const refs = { KUBE_PROXY, AGENT_TUNNELS };
const hooks = () => ({ start: async () => {}, stop: async () => {} });

describe('typed module refs and resource tags', () => {
  it('are the plain strings at run time, typed by their literal', () => {
    expect(KUBE_PROXY).toBe('kube-proxy');
    expect(AGENT_TUNNELS).toBe('agent-tunnels');
    expectTypeOf(KUBE_PROXY).toEqualTypeOf<ModuleRef<'kube-proxy'>>();
    expectTypeOf(AGENT_TUNNELS).toEqualTypeOf<ResourceTag<'agent-tunnels'>>();
    expectTypeOf(KUBE_PROXY).toExtend<string>();
  });

  it('are accepted by every field that names a module or a tag, and plain strings keep working', () => {
    const module = defineModule({
      name: 'audit-sink',
      startAfter: [KUBE_PROXY, 'agent-grpc-server'],
      stop: { after: [KUBE_PROXY], alongside: ['tunnel-tracker'] },
      uses: [AGENT_TUNNELS, 'other-tag'],
      accepts: ['audit-records'],
      create: hooks,
    });
    expect(module.stop?.after).toEqual(['kube-proxy']);
  });

  it('do not compile where the other kind is expected, or when misspelt', () => {
    // `tsc --noEmit` (the package's test script) checks these: each expect-error directive below must meet
    // a compile error on its next line, or tsc fails on the unused directive.
    const declarations = () => [
      defineModule({
        name: 'a',
        // @ts-expect-error a resource tag is not a module name
        stop: { with: [AGENT_TUNNELS] },
        create: hooks,
      }),
      defineModule({
        name: 'b',
        // @ts-expect-error a module ref is not a resource tag
        uses: [KUBE_PROXY],
        create: hooks,
      }),
      defineModule({
        name: 'c',
        // @ts-expect-error a misspelt tag constant does not exist
        uses: [refs.AGENT_TUNNEL],
        create: hooks,
      }),
      defineModule({
        name: 'd',
        // @ts-expect-error a misspelt module constant does not exist
        startAfter: [refs.KUBE_PROXI],
        create: hooks,
      }),
    ];
    expect(typeof declarations).toBe('function');
  });

  it('check their text at once', () => {
    expect(() => createModuleRef('Kube Proxy')).toThrow(CoreError);
    expect(() => createResourceTag('')).toThrow(/is not a valid resource tag/);
  });
});
