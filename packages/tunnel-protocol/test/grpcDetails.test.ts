import { describe, expect, it } from 'vitest';
import { cleanGrpcDetails } from '../src/connections/cleanGrpcDetails.js';

describe("grpc-js's status details, as kas and agentk log them", () => {
  it('drop the empty "Resolution note: " grpc-js appends after the last error', () => {
    expect(
      cleanGrpcDetails(
        'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:18150. Resolution note: ',
      ),
    ).toBe('No connection established. Last error: connect ECONNREFUSED 127.0.0.1:18150');
    expect(cleanGrpcDetails('No addresses resolved. Resolution note:')).toBe('No addresses resolved');
  });

  it('keep a resolution note that says something, and details without one as they are', () => {
    const withNote =
      'No connection established. Last error: connect ECONNREFUSED 10.0.0.7:8150. Resolution note: DNS resolution failed for kas.example';
    expect(cleanGrpcDetails(withNote)).toBe(withNote);
    expect(cleanGrpcDetails('KAS_UNAUTHENTICATED: unknown token; check the token file')).toBe(
      'KAS_UNAUTHENTICATED: unknown token; check the token file',
    );
  });
});
