#!/usr/bin/env bash
# make-test-image.sh WORKDIR IMAGE FAKE_SERVER: imports a tiny image from this host's binaries (dash, coreutils,
# python3 and its standard library, ~50 MB; no registry) with the fake single-user server at /opt/fake_singleuser.py.
# CONTAINERS_CONF must already point at a configuration that works here (runc, lower ulimits).
set -euo pipefail
W=$1 IMAGE=$2 FAKE=$3
R=$W/rootfs
rm -rf "$R"
mkdir -p "$R"/{usr/bin,usr/lib,usr/lib64,usr/sbin,tmp,etc,proc,sys,dev,opt,home}
chmod 1777 "$R/tmp"
for d in bin lib lib64 sbin; do ln -s "usr/$d" "$R/$d"; done
PY=$(readlink -f /usr/bin/python3)
for b in /usr/bin/dash /usr/bin/cat /usr/bin/ls /usr/bin/id /usr/bin/sleep "$PY"; do
    cp -a "$b" "$R/usr/bin/"
    for l in $(ldd "$b" | grep -oE '/[^ ]+'); do
        mkdir -p "$R/usr$(dirname "${l#/usr}")"
        cp -L "$l" "$R/usr${l#/usr}"
    done
done
ln -s dash "$R/usr/bin/sh"
ln -sf "$(basename "$PY")" "$R/usr/bin/python3"
LIB=usr/lib/$(basename "$PY")
tar -C / -cf - --exclude=__pycache__ --exclude="$LIB/test" --exclude="$LIB/dist-packages" --exclude="$LIB/site-packages" "$LIB" | tar -C "$R" -xf -
printf 'root:x:0:0:root:/root:/bin/sh\njovyan:x:1000:1000::/home/jovyan:/bin/sh\n' > "$R/etc/passwd"
printf 'root:x:0:\njovyan:x:1000:\n' > "$R/etc/group"
cp "$FAKE" "$R/opt/fake_singleuser.py"
chmod 0644 "$R/opt/fake_singleuser.py"
tar -C "$R" -c . | podman import --change 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
rm -rf "$R"
