import { createModuleRef } from '@kas/core';

/** The kube proxy's module name, for other modules' declarations (`stop: { after: [KUBE_PROXY] }`). */
export const KUBE_PROXY = createModuleRef('kube-proxy');

/** The private API's module name, for other modules' declarations. */
export const PRIVATE_API = createModuleRef('private-api');
