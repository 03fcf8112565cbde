# lbflow images: the worker (default target) and the provider simulators (`--target simulator`).
#   docker build -t lbflow-worker .
#   docker build --target simulator -t lbflow-simulators .
# Node 20 to match package.json `engines`; an exact version so a rebuild gets the same runtime.

# Compile src/ and bundle the workflows with the dev dependencies (tsc, the SDK's bundler).
FROM node:20.19.5-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm install as locked, not npm ci: the lock cannot list @swc/core's optional platform builds (scripts/bootstrap.mjs).
RUN npm install --no-audit --no-fund
COPY tsconfig*.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# Production dependencies only, installed as locked.
FROM node:20.19.5-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force

# What both images share: compiled code, production node_modules, an unprivileged user.
FROM node:20.19.5-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The lbflow CLI (it runs dist/ where there is no src/): `node bin/lbflow.mjs add …` inside a container.
COPY bin ./bin
USER node

# Both simulators; 0.0.0.0 so other containers on the network reach them.
FROM runtime AS simulator
EXPOSE 7480 7481
CMD ["node", "dist/simulator/main.js", "--host", "0.0.0.0", "--alibaba-port", "7480", "--huawei-port", "7481"]

# The worker (last stage: the default target), by the same command an installed package has: `lbflow worker`
# runs dist/worker/main.js in this process with the prebuilt dist/workflow-bundle.js (no bundling at start).
FROM runtime AS worker
EXPOSE 9464
CMD ["node", "bin/lbflow.mjs", "worker"]
