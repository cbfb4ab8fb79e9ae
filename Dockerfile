# syntax=docker/dockerfile:1
# One multi-stage build for every ssehub app. The workspace is installed and compiled once (stage
# `build`); each app then gets a small image of its own with only its production dependencies:
#   docker build --target gateway -t ssehub/gateway .      (also: ingest, web, standalone)
# docker-compose.yml builds these targets.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS pnpm
# The same pnpm as package.json's packageManager field, so the lockfile is read exactly as in development.
RUN npm install -g pnpm@12.4.2 && npm cache clean --force
WORKDIR /repo

FROM pnpm AS build
# The lockfile alone decides what gets downloaded: this layer stays cached until pnpm-lock.yaml changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
RUN pnpm install --offline --frozen-lockfile
RUN pnpm turbo run build --output-logs=errors-only \
      --filter=@ssehub/gateway... --filter=@ssehub/ingest... --filter=@ssehub/web... --filter=@ssehub/standalone...
# pnpm deploy copies one app with its production dependencies (workspace packages as built copies), but
# also the sources, tests and build config of the app and of workspace packages without a `files` list
# (the apps standalone bundles); an image keeps only what runs: package.json (the module type), the built
# dist*/ and node_modules.
RUN for app in gateway ingest web standalone; do \
      pnpm --filter="@ssehub/${app}" deploy --prod "/deploy/${app}" && mkdir -p "/out/${app}" \
        && mv "/deploy/${app}/package.json" "/deploy/${app}/node_modules" "/deploy/${app}"/dist* "/out/${app}/" || exit 1; \
    done \
 && for pkg in /out/*/node_modules/.pnpm/@ssehub+*/node_modules/@ssehub/*; do \
      find "$pkg" -mindepth 1 -maxdepth 1 ! -name package.json ! -name 'dist*' ! -name README.md ! -name LICENSE \
        -exec rm -rf {} + || exit 1; \
    done \
 && rm -rf /deploy

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production PORT=8080
WORKDIR /app
EXPOSE 8080
# The apps drain on SIGTERM (gateways ask their clients to reconnect elsewhere), then exit 0.
STOPSIGNAL SIGTERM
# Every app answers GET /readyz (web: /healthz too); fetch is built into Node 20.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
USER node

FROM runtime AS gateway
COPY --from=build --chown=node:node /out/gateway /app
# GATEWAY_V8_FLAGS (apps/gateway/src/v8-flags.ts): a young generation capped for many idle streams.
CMD ["node", "--max-semi-space-size=4", "dist/main.js"]

FROM runtime AS ingest
COPY --from=build --chown=node:node /out/ingest /app
CMD ["node", "dist/main.js"]

FROM runtime AS web
COPY --from=build --chown=node:node /out/web /app
CMD ["node", "dist-node/main.js"]

FROM runtime AS standalone
COPY --from=build --chown=node:node /out/standalone /app
# The demo listens on loopback by default, which nothing outside a container reaches (`-p 8080:8080`).
ENV HOST=0.0.0.0
CMD ["node", "dist/main.js"]
