# syntax=docker/dockerfile:1
# The image of the validation-gate Job (`flink-cutover verify`, rendered by the VerifyJob construct;
# default tag ghcr.io/flink-cutover/flink-cutover:<package version>; set yours in flink-cutover.yaml,
# verify.image). Node.js 22, an LTS release (Node 20 reached its end of life in April 2026). Build:
#   docker build -t ghcr.io/flink-cutover/flink-cutover:0.1.0 .
# The install steps are the ones .ci/pack-check runs without Docker: npm pack, then
# `npm install --omit=dev <tarball>` into an empty folder.

FROM node:22-bookworm-slim AS pack
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json README.md ./
COPY bin ./bin
COPY lib ./lib
COPY schemas ./schemas
# npm ci installs the dev dependencies needed to build; `prepare` compiles lib/ into build/.
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && npm run build \
 && mkdir /pack \
 && npm pack --ignore-scripts --pack-destination /pack

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    npm_config_update_notifier=false
WORKDIR /opt/flink-cutover
COPY --from=pack /pack/ /tmp/pack/
RUN printf '{"name":"flink-cutover-image","version":"0.0.0","private":true}\n' > package.json \
 && npm install --omit=dev --no-audit --no-fund --no-package-lock /tmp/pack/flink-cutover-*.tgz \
 && rm -rf /tmp/pack /root/.npm \
 && ln -s /opt/flink-cutover/node_modules/.bin/flink-cutover /usr/local/bin/flink-cutover \
 && flink-cutover verify --help >/dev/null
# Non-root (the Job also enforces runAsNonRoot with uid 10001 and a read-only root filesystem:
# nothing is written at run time).
USER 10001:10001
ENTRYPOINT ["flink-cutover"]
CMD ["verify", "--help"]
