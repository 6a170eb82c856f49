# One image for the three services, the `outband` command and the SMSC simulator; compose picks
# the command.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN npm install -g pnpm@12.4.2
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY packages/errors/package.json packages/errors/
COPY packages/sms-codec/package.json packages/sms-codec/
COPY packages/otp/package.json packages/otp/
COPY packages/ocra-token/package.json packages/ocra-token/
COPY packages/config/package.json packages/config/
COPY packages/contracts/package.json packages/contracts/
COPY packages/observability/package.json packages/observability/
COPY packages/bus/package.json packages/bus/
COPY packages/db/package.json packages/db/
COPY packages/redis-limits/package.json packages/redis-limits/
COPY packages/smsc-simulator/package.json packages/smsc-simulator/
COPY packages/bank-simulator/package.json packages/bank-simulator/
COPY packages/network-simulator/package.json packages/network-simulator/
COPY packages/launcher/package.json packages/launcher/
COPY packages/cli/package.json packages/cli/
COPY packages/sdk/package.json packages/sdk/
COPY packages/demo-shop/package.json packages/demo-shop/
COPY services/data-server/package.json services/data-server/
COPY services/message-server/package.json services/message-server/
COPY services/information-server/package.json services/information-server/
RUN pnpm install --frozen-lockfile
COPY tsconfig.base.json tsconfig.json ./
COPY types types
COPY packages packages
COPY services services
# packages/cli is the `outband` command operators run in a pod (e.g. `migrate --unlock`).
RUN pnpm exec tsc -b packages/smsc-simulator packages/network-simulator packages/launcher packages/cli services/data-server services/message-server services/information-server \
 && pnpm install --frozen-lockfile --prod

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
# The operators' command ships in the image only: it needs the services' own code and migrations.
COPY --chmod=755 infra/docker/outband /usr/local/bin/outband
USER node
# Overridden per service in docker-compose.yml.
CMD ["node", "services/information-server/dist/cli.js"]
