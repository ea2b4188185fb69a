# The agent. Build from the repository root: docker build -f deploy/image/agentk.Dockerfile -t agentk .
# deploy/test/image.test.ts runs this file's RUN steps in an empty folder: keep them as they are.

FROM node:20-bookworm-slim AS build
ENV TURBO_TELEMETRY_DISABLED=1
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund && npx turbo run build --filter=@kas/agentk...
RUN node deploy/image/stage-production.mjs @kas/agentk /src /stage

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /stage/ /app/
RUN sh deploy/image/install-production.sh @kas/agentk
USER node
# node is PID 1 and gets SIGTERM itself: in-flight requests drain, then it exits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "apps/agentk/dist/cli/main.js"]
