# Multi-stage build: compile TypeScript in one stage, run the compiled JS with production dependencies only.
# Node.js 24 LTS (Node 20 reached end of life in April 2026); pinned, so a rebuild runs the Node the tests ran.
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build

FROM node:24.22.3-bookworm-slim AS runtime
ENV NODE_ENV=production
# A small old generation: V8 otherwise sizes it from the host's memory and lets a process grow to hundreds of MB
# before collecting. A young generation large enough that a request's short-lived objects die there: with 4 MB
# semi-spaces they outlived their scavenge and were promoted, and full collections of the old generation took
# 10-15 % of the CPU. Measured by `npm run bench` (which starts the portal with these options): 16 MB gave
# (b) 1.69 and (d) 2.98 ms CPU per request against 2.44 and 4.98 with 4 MB, peak RSS 163 MB with a 5 000-row
# CSV upload included; 32 MB came to 196 MB, 64 MB crowded the old generation (4x slower).
# Rechecked on Node 24.22 (docs/operations.md): 1 200 requests over four pages peaked at 157 MB RSS against 143 MB
# on Node 20 with the same options, so the same settings keep the process under 200 MB.
# 8 MB on Node 24 (issue 18, a 5 000-row upload and its Bevestigen): peak RSS (f) 179, (h) 199 MB against 205
# and 235 MB with 16 MB (docs/performance.md, "Bevestigen and memory"); its CPU cost awaits a quiet-machine run.
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=8"
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# scripts/run.mjs runs `npm run cli` and `npm run migrate` from dist/ when tsx is not installed (here).
COPY scripts ./scripts
COPY views ./views
COPY public ./public
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD node -e "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# node itself is PID 1 (no npm, no shell in between): `docker stop`'s SIGTERM reaches the portal, which drains.
CMD ["node", "dist/src/server.js"]
