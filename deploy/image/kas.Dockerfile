# The kas server. Build from the repository root: docker build -f deploy/image/kas.Dockerfile -t kas .
# deploy/test/image.test.ts runs this file's RUN steps (stage-production.mjs, install-production.sh) in
# an empty folder and starts the result: keep them as they are, or change the test with them.

# Node 22 (LTS, supported until 2027-04-30; Node 20 reached its end of life on 2026-04-30). The code
# runs on Node 20 and 22; the repository's CI runs it on Node 20, and cannot build this image.
FROM node:22-bookworm-slim AS build
ENV TURBO_TELEMETRY_DISABLED=1
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund && npx turbo run build --filter=@kas/kas...
RUN node deploy/image/stage-production.mjs @kas/kas /src /stage

FROM node:22-bookworm-slim
ENV NODE_ENV=production
# glibc's malloc gives freed memory back to the kernel as soon as 128 KiB are free at the top of its heap,
# and Node takes a fresh 64 KiB buffer for every socket read and message it relays: each was paged in
# anew. Kept up to 64 MiB, agentk takes a third of the page faults and less than half the CPU per relayed
# MiB (port-forward, cp, large answers; bench/README.md, port-forward); kas's cost did not move beyond the
# noise between runs, and neither's resident memory. Outside the image, set it in the environment too.
ENV MALLOC_TRIM_THRESHOLD_=67108864
WORKDIR /app
COPY --from=build /stage/ /app/
RUN sh deploy/image/install-production.sh @kas/kas
# The files stay root's and read-only; kas runs as the image's unprivileged user.
USER node
EXPOSE 8150 8443 8155 8151
# node is PID 1 and gets SIGTERM itself (no npm or shell in between): the stop plan starts at once.
STOPSIGNAL SIGTERM
# V8 counts the buffers allocated outside the JavaScript heap since its last full GC against that GC's
# limit, and frees dead young ones only at a young-generation GC, once 32 MB of them have piled up. A
# process that allocates little on the heap itself, as a relay, gets the least room V8 gives above a small
# heap, 8 MB: kas and agentk then ran a full GC every 30-90 ms while relaying bytes, at 2-3 times the CPU
# per MiB, for the rest of their life (one process in two on Node 20, nearly all on Node 22). A limit of
# at least 96 MB gives the room for heaps up to about 45 MB; above that V8's own limits apply. Outside
# the image, pass the flag too (NODE_OPTIONS does not take it). bench/README.md, port-forward.
ENTRYPOINT ["node", "--initial-old-space-size=96", "apps/kas/dist/main.js"]
CMD ["--config", "/etc/kas/config/kas.yaml"]
