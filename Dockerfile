# syntax=docker/dockerfile:1.20
# 1.20 is the first Dockerfile frontend where COPY --parents is generally
# available (it was labs-only before); the deps stage needs it.

# One image for every Node process of the project: the sequencer, the
# projector, the `asp` CLI and the benchmark. docker-compose.yml picks the
# entry file per service. There is no build step: Node 24 strips the
# TypeScript types when it loads the sources.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---------------------------------------------------------------------------
# deps: the workspace's node_modules, from the lockfile and the manifests only,
# so this layer is rebuilt when a dependency changes, not when a source does.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# The version pinned in package.json's devEngines.packageManager; npm is in the
# base image, corepack is on its way out of Node.
RUN npm install --global --no-audit --no-fund pnpm@12.21.0
# --parents keeps each package.json at its path (a plain COPY of a glob
# flattens them into one directory). The globs follow pnpm-workspace.yaml;
# */package.json picks up top-level workspace packages such as bench/ and
# test/ once they exist. test/compose.test.ts checks every workspace package
# is matched here. pnpm applies patches/ (pnpm-workspace.yaml's patchedDependencies) at
# install and fails without them.
COPY --parents package.json pnpm-lock.yaml pnpm-workspace.yaml packages/*/package.json services/*/package.json */package.json patches/*.patch ./
# --prod: the runtime needs no compiler, linter or test runner (Node runs
# the .ts files as they are). The cache mount keeps pnpm's store between
# builds without putting it in a layer. The packages that run install
# scripts (classic-level, msgpackr-extract) load prebuilt binaries, so the
# slim image needs no compiler either.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --prod --store-dir /pnpm/store

# ---------------------------------------------------------------------------
# runtime: node_modules from deps, then the sources.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# node_modules first (from deps, including each workspace package's own
# node_modules of symlinks), then the sources on top; .dockerignore keeps
# the host's node_modules out of the context so they cannot overwrite these.
COPY --from=deps /app ./
COPY . .
# The only places the process writes. The sequencer keeps its WAL and LevelDB
# under /data (ASP_DATA_DIR): a named volume mounted there starts as a copy of
# this directory, owner included, so the non-root process can write to it.
# bench/results is where the benchmark's reports go (gitignored, so not in
# the context).
RUN mkdir -p /data bench/results && chown node:node /data bench/results
# The code stays owned by root and read-only to the process that runs it.
USER node
# Each service in docker-compose.yml sets its own command; without one the
# image runs the `asp` CLI.
CMD ["node", "services/cli/src/main.ts"]
