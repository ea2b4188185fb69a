import { fileURLToPath } from 'node:url';

/**
 * The folder holding this package's .proto files (`kas/http/v1`, `kas/tunnel/v1`, `kas/privateapi/v2`),
 * as an import root for protoc or buf. The package also exports them as `@kas/tunnel-protocol/proto/*`.
 */
export const PROTO_DIRECTORY: string = fileURLToPath(new URL('../proto', import.meta.url));
