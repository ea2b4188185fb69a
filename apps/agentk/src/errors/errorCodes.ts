/**
 * Every error code agentk uses, with what it means. The README lists the same table; a test keeps the
 * two in step. `REQUEST_INVALID` and the `UPSTREAM_*` codes travel to kas in error frames.
 */
export const AGENTK_ERROR_CODES = {
  AGENTK_INVALID_CONFIG: 'a flag or environment variable is missing or malformed',
  AGENTK_FILE_UNREADABLE: 'a token or CA file cannot be read, or is empty',
  REQUEST_INVALID:
    'kas sent a request head agentk refuses: a method, path, query or header HTTP does not allow, or a path that would leave the --kube-api path',
  UPSTREAM_UNREACHABLE: 'the Kubernetes API could not be reached: no response head came',
  UPSTREAM_ABORTED: 'the Kubernetes API response broke off mid-body',
} as const;

/** A stable error code of agentk. */
export type AgentkErrorCode = keyof typeof AGENTK_ERROR_CODES;
