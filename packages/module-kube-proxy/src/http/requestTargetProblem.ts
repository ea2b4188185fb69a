/** A `.` or `..` segment, spelled out or percent-encoded (`%2e`), or an empty one (`//`). */
const UNCLEAN_PATH = /\/(?:\.|%2e){1,2}(?:\/|$)|\/\//i;

/**
 * What is wrong with a request's target for kas to forward it, or undefined: it must be a path (origin
 * form, not an absolute URL or `*`) without `.`, `..` or empty segments. A Kubernetes API path has none;
 * an upstream that resolved them could serve a path outside the API (agentk's API URL may have a prefix).
 */
export function requestTargetProblem(url: string, path: string): string | undefined {
  if (!url.startsWith('/'))
    return 'the request target must be a path (origin-form), not an absolute URL or "*"';
  if (UNCLEAN_PATH.test(path))
    return `the request path ${JSON.stringify(path.slice(0, 200))} has a "." or ".." segment or an empty one ("//"): Kubernetes API paths have none; send the path as the API names it`;
  return undefined;
}
