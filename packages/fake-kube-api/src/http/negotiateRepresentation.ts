/** How to answer a list, get or watch: the object itself, or the `Table` that `kubectl get` prints. */
export type Representation =
  | { readonly kind: 'object' }
  | { readonly kind: 'table'; readonly version: 'v1' | 'v1beta1' };

/**
 * Picks the first representation of the `Accept` header that the fake serves: a
 * `application/json;as=Table;g=meta.k8s.io;v=v1|v1beta1` entry means a Table, plain JSON (or any
 * wildcard) the object. Protobuf and other `as=` kinds are skipped, so a client that lists JSON after
 * them gets JSON; undefined when nothing acceptable is listed (the server answers 406).
 */
export function negotiateRepresentation(accept: string | undefined): Representation | undefined {
  if (accept === undefined || accept.trim() === '') return { kind: 'object' };
  for (const entry of accept.split(',')) {
    const [mediaType = '', ...parameterTexts] = entry.split(';').map((part) => part.trim());
    const parameters = new Map(
      parameterTexts.map((text) => {
        const [key = '', value = ''] = text.split('=');
        return [key.trim(), value.trim()] as const;
      }),
    );
    const type = mediaType.toLowerCase();
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    const as = parameters.get('as');
    if (as === undefined) return { kind: 'object' };
    const version = parameters.get('v');
    if (
      as === 'Table' &&
      parameters.get('g') === 'meta.k8s.io' &&
      (version === 'v1' || version === 'v1beta1')
    ) {
      return { kind: 'table', version };
    }
  }
  return undefined;
}
