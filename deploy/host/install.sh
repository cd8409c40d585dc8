#!/bin/sh
# Installs this release of the Outpost into a prefix (default /opt/outpost):
#   PREFIX/bin/outpost                          the command (a link into lib/outpost)
#   PREFIX/lib/outpost/                         the Native AOT executable, its native libraries, the spawner host
#   PREFIX/lib/systemd/system/outpost.service   the unit, with PREFIX in its paths
#   PREFIX/share/outpost/                       example configuration and env file, sshd snippet, unit drop-in,
#                                               the outpostspawner wheel for the hub
#   PREFIX/share/doc/outpost/                   README.md, install-hpc.md
# It writes nothing outside PREFIX: the system user, /etc/outpost, the unit in /etc/systemd/system and
# the sshd snippet are separate steps (share/doc/outpost/install-hpc.md). Running it again over an
# installed release upgrades it; a running Outpost keeps its old executable until it is restarted.
#
#   ./install.sh [--prefix DIR]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=/opt/outpost
while [ $# -gt 0 ]; do
    case $1 in
        --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }; prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#--prefix=}; shift ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
case $prefix in
    /*) ;;
    *) prefix=$(pwd)/$prefix ;;
esac
case $prefix in
    *[!A-Za-z0-9/._+-]*) echo "install.sh: use a prefix of letters, digits and / . _ + - only, not '$prefix'" >&2; exit 2 ;;
esac
prefix=${prefix%/}
[ -n "$prefix" ] || { echo "install.sh: the prefix must not be /" >&2; exit 2; }

umask 022
mkdir -p "$prefix/bin" "$prefix/lib" "$prefix/lib/systemd/system" "$prefix/share"

# The executable and what it loads, staged beside the old copy and then swapped in: the running
# executable is never written to, and a failed copy leaves the old release in place.
rm -rf "$prefix/lib/.outpost.new" "$prefix/lib/.outpost.old"
cp -R "$here/lib/outpost" "$prefix/lib/.outpost.new"
if [ -e "$prefix/lib/outpost" ]; then
    mv "$prefix/lib/outpost" "$prefix/lib/.outpost.old"
fi
mv "$prefix/lib/.outpost.new" "$prefix/lib/outpost"
rm -rf "$prefix/lib/.outpost.old"
ln -sfn ../lib/outpost/outpost "$prefix/bin/outpost"

rm -rf "$prefix/share/outpost" "$prefix/share/doc/outpost"
mkdir -p "$prefix/share/doc"
cp -R "$here/share/outpost" "$prefix/share/outpost"
cp -R "$here/share/doc/outpost" "$prefix/share/doc/outpost"

# The unit names /opt/outpost; point it at this prefix.
sed "s|/opt/outpost/|$prefix/|g" "$here/lib/systemd/system/outpost.service" > "$prefix/lib/systemd/system/outpost.service.new"
chmod 0644 "$prefix/lib/systemd/system/outpost.service.new"
mv "$prefix/lib/systemd/system/outpost.service.new" "$prefix/lib/systemd/system/outpost.service"

echo "Outpost $(cat "$here/VERSION") installed in $prefix"
echo "Next steps: $prefix/share/doc/outpost/install-hpc.md"
