/** Agent `i` of the idle-agents benchmark authenticates with the token `idle-agent-<i>`. */
export const KAS_TOKEN_PREFIX = 'idle-agent-';
