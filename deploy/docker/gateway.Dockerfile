# syntax=docker/dockerfile:1.7
#
# The gateway (REST + WebSocket API, /healthz, /readyz, /metrics) and the console it serves.
# Build from the repository root (the context needs the workspaces):
#
#   docker build -f deploy/docker/gateway.Dockerfile -t industrial-orchestrator-gateway .
#
# Stages: deps (production dependencies of the gateway workspace) → ui (builds the console with
# the dev toolchain) → runtime (node, the sources, the built console; no devDependencies).
# There is no compile step for the server: it runs TypeScript through tsx, which is a root
# devDependency and so is installed explicitly, at the lockfile's version, in the deps stage.

ARG NODE_VERSION=20.20.2

# ---------------------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
# Only the manifests: this layer (the slow one) is rebuilt when dependencies change, not code.
COPY package.json package-lock.json ./
COPY temporal-config/package.json temporal-config/
COPY workflows/package.json workflows/
COPY activities/package.json activities/
COPY worker/package.json worker/
COPY gateway/package.json gateway/
COPY ui/package.json ui/
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --workspace @orchestrator/gateway --no-audit --no-fund \
    && TSX_VERSION="$(node -p "require('./package-lock.json').packages['node_modules/tsx'].version")" \
    && npm install --no-save --omit=dev --workspace @orchestrator/gateway --no-audit --no-fund \
       "tsx@${TSX_VERSION}"

# ---------------------------------------------------------------------------------------------
# The console is static files, the same for every platform: built once, natively, even when a
# multi-platform build (CD: linux/amd64 and linux/arm64) would otherwise emulate it per platform.
FROM --platform=$BUILDPLATFORM node:${NODE_VERSION}-bookworm-slim AS ui
WORKDIR /app
COPY package.json package-lock.json ./
COPY temporal-config/package.json temporal-config/
COPY workflows/package.json workflows/
COPY activities/package.json activities/
COPY worker/package.json worker/
COPY gateway/package.json gateway/
COPY ui/package.json ui/
# The console build needs the dev toolchain (vite, svelte, and vitest/config from the root).
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY ui/ ui/
RUN npm run build

# ---------------------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    UI_DIR=/app/ui/build \
    DATA_DIR=/var/lib/orchestrator \
    LOG_LEVEL=info
WORKDIR /app
# Code and dependencies stay owned by root: the process (uid 1000) can read but not change them.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY workflows/ workflows/
COPY activities/ activities/
COPY gateway/ gateway/
COPY deploy/scripts/ deploy/scripts/
COPY --from=ui /app/ui/build ui/build
# The only writable paths: the data directory (unused with DATABASE_URL and REDIS_URL set, but
# the process resolves it) and /tmp (tsx's transpile cache). Kubernetes mounts emptyDirs there.
RUN mkdir -p /var/lib/orchestrator && chown 1000:1000 /var/lib/orchestrator
# uid/gid 1000 is the image's `node` user; numeric so Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--import", "tsx", "gateway/src/main.ts"]
