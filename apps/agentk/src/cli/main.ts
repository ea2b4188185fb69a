#!/usr/bin/env node
// Stack frames point at the TypeScript sources (dist/x.js -> src/x.ts, through the maps the build emits and
// dist/ ships). Only files loaded after this line are mapped, hence no static import here. A map is read
// when its file loads; a stack is mapped only when it is formatted (an error logged with its stack), so
// the tunnels' work pays nothing for it.
process.setSourceMapsEnabled(true);

const { runAgentk } = await import('./runAgentk.js');
await runAgentk(process.argv);
