import { agentGrpcSection } from './sections/agentGrpcSection.js';
import { kubeProxySection } from './sections/kubeProxySection.js';
import { privateApiSection } from './sections/privateApiSection.js';
import { redisSection } from './sections/redisSection.js';
import { tunnelTrackerSection } from './sections/tunnelTrackerSection.js';

/** kas's own sections, in the order of kas.yaml and of the README's reference. */
export const BUILT_IN_SECTIONS = [
  agentGrpcSection,
  tunnelTrackerSection,
  redisSection,
  kubeProxySection,
  privateApiSection,
] as const;
