#!/usr/bin/env bash
# Makes the base images docker-compose.yml and the Dockerfile name, offline from Debian's packages, so the
# real Dockerfile and compose file run with no image registry: node:20-bookworm-slim (the host's Node with
# npm and corepack, a `node` user of uid 1000 and the host's CA bundle, as in the official image),
# redis:7.2-alpine, nats:2.10-alpine and nginx:1.27-alpine (Debian's redis-server, nats-server and nginx,
# with the official images' entrypoints, data directories and stop signals). Each image carries a
# fingerprint of this script and the host's Node; one that matches is kept, so a second run builds nothing.
# Usage: base-images.sh CACHE_DIR      (podman must see the same CONTAINERS_CONF as the tests)
set -euo pipefail
cache=${1:?usage: base-images.sh CACHE_DIR}
mkdir -p "$cache"
node_bin=$(command -v node)
node_root=$(dirname "$(dirname "$(readlink -f "$node_bin")")")
fingerprint=$( { cat "$0"; "$node_bin" --version; } | sha256sum | cut -c1-16)
mirror=$(sed -n 's/^URIs: *\(\S*\/debian\)$/\1/p; s/^deb \(\S*\/debian\) .*/\1/p' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | head -n1 || true)
base=localhost/ssehub-ci/bookworm-minbase:latest

current() { [ "$(podman image inspect --format '{{index .Labels "ssehub.ci.fingerprint"}}' "$1" 2>/dev/null)" = "$fingerprint" ]; }
say() { echo "base-images: $*" >&2; }

# Debian bookworm, minbase, from the mirror apt uses; the tarball stays in the cache for later runs.
if ! current "$base"; then
  tarball="$cache/bookworm-minbase.tar"
  if [ ! -s "$tarball" ]; then
    say "debootstrap bookworm from ${mirror:-http://deb.debian.org/debian}"
    rootfs=$(mktemp -d "$cache/rootfs.XXXXXX")
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase bookworm "$rootfs" "${mirror:-http://deb.debian.org/debian}" >"$cache/debootstrap.log"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
    rm -rf "$rootfs"
    trap - EXIT
  fi
  podman import --quiet --change "LABEL ssehub.ci.fingerprint=$fingerprint" --change 'CMD ["bash"]' "$tarball" "$base" >/dev/null
fi

# Builds image $1 from the Containerfile on stdin, with the context directory $2.
build() {
  local tag=$1 context=$2
  if current "$tag"; then return; fi
  say "building $tag"
  podman build --quiet --network=host --pull=never --label "ssehub.ci.fingerprint=$fingerprint" -t "$tag" -f - "$context" >/dev/null
}

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
mkdir -p "$context/node_modules"
cp "$node_bin" "$context/node"
cp -r "$node_root/lib/node_modules/npm" "$node_root/lib/node_modules/corepack" "$context/node_modules/"
cp /etc/ssl/certs/ca-certificates.crt "$context/ca-certificates.crt"

build docker.io/library/node:20-bookworm-slim "$context" <<CONTAINERFILE
FROM $base
COPY node /usr/local/bin/node
COPY node_modules /usr/local/lib/node_modules
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && ln -s ../lib/node_modules/corepack/dist/corepack.js /usr/local/bin/corepack \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
ENV NODE_VERSION=$("$node_bin" --version | tr -d v) NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
CONTAINERFILE

# Debian packages on the minbase image; wget for the compose health checks, as busybox has it in Alpine.
apt_install() { echo "RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $* >/dev/null && rm -rf /var/lib/apt/lists/*"; }

# The official image turns protected mode off (a password-less Redis refuses other hosts otherwise: here the
# other containers); an option given on the command line still wins.
cat >"$context/redis-entrypoint.sh" <<'SCRIPT'
#!/bin/sh
if [ "$1" = redis-server ]; then shift; set -- redis-server --protected-mode no "$@"; fi
exec "$@"
SCRIPT
build docker.io/library/redis:7.2-alpine "$context" <<CONTAINERFILE
FROM $base
$(apt_install redis-server)
COPY --chmod=755 redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
WORKDIR /data
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]
CONTAINERFILE

build docker.io/library/nats:2.10-alpine "$context" <<CONTAINERFILE
FROM $base
$(apt_install nats-server wget)
ENTRYPOINT ["nats-server"]
CMD ["-js"]
CONTAINERFILE

# The official image renders /etc/nginx/templates/*.template into /etc/nginx/conf.d with envsubst, only
# for variables that are set, then runs nginx in the foreground; SIGQUIT is its graceful stop.
cat >"$context/nginx-entrypoint.sh" <<'SCRIPT'
#!/bin/sh
set -e
defined=$(printf '${%s} ' $(env | cut -d= -f1))
for template in /etc/nginx/templates/*.template; do
  [ -e "$template" ] || continue
  envsubst "$defined" <"$template" >"/etc/nginx/conf.d/$(basename "$template" .template)"
done
exec "$@"
SCRIPT
build docker.io/library/nginx:1.27-alpine "$context" <<CONTAINERFILE
FROM $base
$(apt_install nginx gettext-base wget)
RUN rm -f /etc/nginx/sites-enabled/default && mkdir -p /etc/nginx/templates && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log
COPY --chmod=755 nginx-entrypoint.sh /docker-entrypoint.sh
ENTRYPOINT ["/docker-entrypoint.sh"]
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
CONTAINERFILE
