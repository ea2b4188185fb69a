/** grpc-js's "Resolution note: " with nothing after it, and the period before it. */
const EMPTY_RESOLUTION_NOTE = /\.?\s*Resolution note:\s*$/;

/**
 * A gRPC status's details as kas and agentk tell them in their logs and errors: grpc-js ends a refused
 * connection's details with `. Resolution note: ` even when it has no note; that empty note is dropped,
 * a note with words kept.
 */
export function cleanGrpcDetails(details: string): string {
  return details.replace(EMPTY_RESOLUTION_NOTE, '');
}
