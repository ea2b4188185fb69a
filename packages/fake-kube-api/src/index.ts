export type { DemoActivityOptions } from './demo/startDemoActivity.js';
export { FAKE_KUBE_API_ERROR_CODES, type FakeKubeApiErrorCode } from './errors/errorCodes.js';
export { FakeKubeApiError } from './errors/FakeKubeApiError.js';
export { type KubeconfigOptions, writeKubeconfig } from './kubeconfig/writeKubeconfig.js';
export type {
  KubeObject,
  KubeObjectInput,
  KubeStatus,
  ObjectMeta,
  StatusDetails,
  WatchEvent,
} from './objects/KubeObject.js';
export type { ObjectStore } from './objects/ObjectStore.js';
export type { ResourceName } from './resources/ResourceDefinition.js';
export { type FakeKubeApi, type FakeKubeApiOptions, startFakeKubeApi } from './server/startFakeKubeApi.js';
