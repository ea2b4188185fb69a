import { fileURLToPath } from 'node:url';

/**
 * The folder holding this package's .proto files (`kas/http/v1/http.proto`, `kas/tunnel/v1/tunnel.proto`),
 * as an import root for protoc or buf. The package also exports them as `@kas/module-agent-grpc/proto/*`.
 */
export const PROTO_DIRECTORY: string = fileURLToPath(new URL('../../proto', import.meta.url));
