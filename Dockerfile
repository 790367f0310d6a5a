# One image for both processes of the split mode: `node dist/apps/api/src/main.js --mode=api`
# and `node dist/apps/worker/src/main.js`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps apps
COPY libs libs
COPY bench bench
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
# The heap cap of npm start (docs/operations.md, "Memory"); raise it for a larger container.
ENV NODE_OPTIONS=--max-old-space-size=192
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
# The packed files of a new embedded store (DATA_DIR without DATABASE_URL), found from package.json.
COPY --from=build /app/libs/sql/assets libs/sql/assets
COPY package.json ./
# The audit chain's signed anchors (AUDIT_ANCHORS_PATH), kept outside the database: a volume here.
RUN mkdir -p /app/anchors && chown node:node /app/anchors
USER node
# 3000: the API (PORT); 3001: the worker's health listener (WORKER_HEALTH_PORT)
EXPOSE 3000 3001
CMD ["node", "dist/apps/api/src/main.js", "--mode=api"]
