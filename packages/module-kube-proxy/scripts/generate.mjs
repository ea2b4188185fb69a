// Generates src/proto/generated from proto/. buf only reads modules inside one directory, and this
// package's .proto files import kas/http/v1/http.proto of @kas/module-agent-grpc: so both are copied
// into a temporary buf workspace, linted there, and only this package's files are generated.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTO_DIRECTORY } from '@kas/module-agent-grpc';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const workspace = mkdtempSync(join(tmpdir(), 'kube-proxy-proto-'));
try {
  cpSync(join(packageDir, 'proto'), join(workspace, 'proto'), { recursive: true });
  cpSync(PROTO_DIRECTORY, join(workspace, 'deps'), { recursive: true });
  writeFileSync(
    join(workspace, 'buf.yaml'),
    [
      'version: v2',
      'modules:',
      '  - path: proto',
      '    lint:',
      '      use: [STANDARD]',
      '      except: [RPC_REQUEST_STANDARD_NAME, RPC_RESPONSE_STANDARD_NAME, RPC_REQUEST_RESPONSE_UNIQUE]',
      '  - path: deps',
      '',
    ].join('\n'),
  );
  const buf = (...args) => execFileSync('buf', args, { cwd: workspace, stdio: 'inherit' });
  buf('lint', 'proto');
  buf('generate', 'proto', '--template', join(packageDir, 'buf.gen.yaml'), '--output', packageDir);
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
