export { AgentPresence } from './AgentPresence.js';
