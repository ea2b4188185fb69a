/** A zero-length body, shared: frames without a body need no allocation of their own. */
export const EMPTY_BODY: Uint8Array = new Uint8Array(0);
