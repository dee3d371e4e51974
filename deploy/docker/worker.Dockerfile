# syntax=docker/dockerfile:1.7
#
# The worker: polls the `orchestrator` and `agent-<name>` task queues, runs agent steps in git
# workspaces. Build from the repository root (the context needs the workspaces):
#
#   docker build -f deploy/docker/worker.Dockerfile -t industrial-orchestrator-worker .
#
# Agent CLIs (issue 4: OpenCode, Claude Code, Codex, …) are not in the default image. Add them
# at build time, without editing this file:
#
#   docker build -f deploy/docker/worker.Dockerfile \
#     --build-arg AGENT_NPM_PACKAGES="opencode-ai@1.2.3 @anthropic-ai/claude-code@2.0.0" \
#     --build-arg EXTRA_APT_PACKAGES="ripgrep python3" \
#     -t industrial-orchestrator-worker:with-agents .
#
# or build FROM this image and install them as root, then switch back to `USER 1000:1000`.
# Pin the versions you install; the AGENTS_FILE then names the binaries in `command`.
#
# Stages: deps (production dependencies of the worker workspace) → runtime (node, git, tini,
# the sources). The server code runs through tsx (a root devDependency, installed explicitly at
# the lockfile's version); the worker bundles the workflow code at start.

ARG NODE_VERSION=20.20.2

# ---------------------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS deps
ARG TARGETARCH
WORKDIR /app
COPY package.json package-lock.json ./
COPY temporal-config/package.json temporal-config/
COPY workflows/package.json workflows/
COPY activities/package.json activities/
COPY worker/package.json worker/
COPY gateway/package.json gateway/
COPY ui/package.json ui/
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --workspace @orchestrator/worker --no-audit --no-fund \
    && TSX_VERSION="$(node -p "require('./package-lock.json').packages['node_modules/tsx'].version")" \
    && npm install --no-save --omit=dev --workspace @orchestrator/worker --no-audit --no-fund \
       "tsx@${TSX_VERSION}"
# The Temporal core bridge ships prebuilt binaries for five platforms (~30 MB each); keep the
# one this image runs on.
RUN case "${TARGETARCH:-amd64}" in \
      amd64) keep=x86_64-unknown-linux-gnu ;; \
      arm64) keep=aarch64-unknown-linux-gnu ;; \
      *) keep= ;; \
    esac \
    && if [ -n "$keep" ]; then \
         find node_modules/@temporalio/core-bridge/releases -mindepth 1 -maxdepth 1 \
           ! -name "$keep" -exec rm -rf {} +; \
       fi

# ---------------------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ARG EXTRA_APT_PACKAGES=""
ARG AGENT_NPM_PACKAGES=""
# git: workspaces are git worktrees; tini: PID 1 that reaps the agents' orphaned processes and
# forwards SIGTERM so the worker can drain; openssh-client: ssh:// repository URLs.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates git openssh-client tini \
       ${EXTRA_APT_PACKAGES} \
    && rm -rf /var/lib/apt/lists/*
# The hook for agent CLIs (see the top of this file); nothing is installed by default.
RUN if [ -n "${AGENT_NPM_PACKAGES}" ]; then \
      npm install --global --omit=dev --no-audit --no-fund ${AGENT_NPM_PACKAGES} \
      && npm cache clean --force; \
    fi
ENV NODE_ENV=production \
    HOME=/home/node \
    DATA_DIR=/var/lib/orchestrator \
    WORKSPACES_DIR=/var/lib/orchestrator/workspaces \
    WORKER_METRICS_PORT=9091 \
    LOG_LEVEL=info
WORKDIR /app
# Code and dependencies stay owned by root: the process (uid 1000) can read but not change them.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY workflows/ workflows/
COPY activities/ activities/
COPY worker/ worker/
COPY deploy/scripts/ deploy/scripts/
# Writable: workspaces and data, and $HOME (git and agent CLIs keep config there). Kubernetes
# mounts emptyDirs (or a PVC) over these and /tmp, with a read-only root filesystem.
RUN mkdir -p /var/lib/orchestrator/workspaces && chown -R 1000:1000 /var/lib/orchestrator
# uid/gid 1000 is the image's `node` user; numeric so Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 9091
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.WORKER_METRICS_PORT||9091)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "worker/src/main.ts"]
