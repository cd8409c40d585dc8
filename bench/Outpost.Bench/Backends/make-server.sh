#!/usr/bin/env bash
# make-server.sh WORKDIR IMAGE: builds P11's server program (bench/hubscale/tinyserver.c, linked statically with
# exit_on_sigterm.c) to WORKDIR/tinyserver for the Local backend, and, when IMAGE is not "-", imports the same file
# as a one-file image for the Container backend (no registry, no base image). CONTAINERS_CONF must already point
# at a configuration that works here (runc, lower ulimits).
set -euo pipefail
W=$1 IMAGE=$2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TINY=${TINYSERVER_C:-$HERE/tinyserver.c}
gcc -O2 -static -o "$W/tinyserver" "$TINY" "$HERE/exit_on_sigterm.c"
[ "$IMAGE" = - ] && exit 0
R=$W/rootfs
rm -rf "$R"
mkdir -p "$R/tmp" "$R/etc"
chmod 1777 "$R/tmp"
cp "$W/tinyserver" "$R/tinyserver"
printf 'root:x:0:0:root:/:/tinyserver\n' > "$R/etc/passwd"
printf 'root:x:0:\n' > "$R/etc/group"
tar -C "$R" -c . | podman import --change 'CMD ["/tinyserver"]' - "$IMAGE" >/dev/null
rm -rf "$R"
