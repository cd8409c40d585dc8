#!/bin/sh
# Entrypoint of the Outpost image.
#
#   outpost-entrypoint [all [ARGS...]]   sshd in the background, then `outpost serve ARGS...` (default)
#   outpost-entrypoint sshd              sshd only, in the foreground (its own container in a pod)
#   outpost-entrypoint outpost ARGS...   the Outpost only, e.g. `outpost serve` or `outpost check`
#
# Everything runs as the image's user jhuboutpost (uid 1000) with no capabilities. Started as
# root, the script only makes the state volume that user's, then runs itself again as that user.
#
# Environment (all optional):
#   OUTPOST_SSH_PORT             sshd port (default 2222; above 1023, as sshd is not root)
#   OUTPOST_SSH_LISTEN           sshd listen address (default 0.0.0.0)
#   OUTPOST_SSH_PERMIT_OPEN      where forwards may go: space-separated host:port entries, `*` for
#                                any host or port, or `any` (default 127.0.0.1:*)
#   OUTPOST_SSH_AUTHORIZED_KEYS  authorized_keys file, or a folder whose files are joined
#                                (default /etc/outpost/authorized_keys, e.g. a mounted Secret)
#   OUTPOST_SSH_HOST_KEYS        folder with ssh_host_*_key files to use instead of generated ones
#                                (default /etc/outpost/ssh-host-keys; needed when replicas share a Service)
#   OUTPOST_STATE_DIR            persistent volume: generated host keys in ssh/ (default /var/lib/outpost)
#   OUTPOST_RUN_DIR              scratch folder for sshd's config and keys (default /tmp/outpost)
#
# Values from the environment are checked against strict patterns before they reach sshd_config;
# file contents are copied, never evaluated.
set -eu

SSH_USER=jhuboutpost
STATE_DIR=${OUTPOST_STATE_DIR:-/var/lib/outpost}
RUN_DIR=${OUTPOST_RUN_DIR:-/tmp/outpost}
SSH_PORT=${OUTPOST_SSH_PORT:-2222}
SSH_LISTEN=${OUTPOST_SSH_LISTEN:-0.0.0.0}
SSH_PERMIT_OPEN=${OUTPOST_SSH_PERMIT_OPEN:-127.0.0.1:*}
AUTHORIZED_KEYS=${OUTPOST_SSH_AUTHORIZED_KEYS:-/etc/outpost/authorized_keys}
HOST_KEYS=${OUTPOST_SSH_HOST_KEYS:-/etc/outpost/ssh-host-keys}
OUTPOST=/opt/outpost/Outpost

log() { printf 'outpost-entrypoint: %s\n' "$*" >&2; }
die() { log "$*"; exit 64; }

if [ "$(id -u)" = 0 ]; then
    mkdir -p "$STATE_DIR"
    chown "$SSH_USER:$SSH_USER" "$STATE_DIR"
    chmod 0700 "$STATE_DIR"
    exec setpriv --reuid="$SSH_USER" --regid="$SSH_USER" --init-groups \
        --inh-caps=-all --bounding-set=-all --no-new-privs -- "$0" "$@"
fi

# A non-root sshd can only log in the user it runs as.
if [ "$(id -un 2>/dev/null)" != "$SSH_USER" ]; then
    SSH_USER_CHECK="running as uid $(id -u), not $SSH_USER: sshd cannot log anyone in"
else
    SSH_USER_CHECK=
fi

check_settings() {
    case $SSH_PORT in
        ''|*[!0-9]*|??????*) die "OUTPOST_SSH_PORT must be a number, not '$SSH_PORT'" ;;
    esac
    if [ "$SSH_PORT" -lt 1024 ] || [ "$SSH_PORT" -gt 65535 ]; then
        die "OUTPOST_SSH_PORT must be between 1024 and 65535 (sshd runs without privileges)"
    fi
    case $SSH_LISTEN in
        ''|*[!0-9A-Za-z.:_-]*) die "OUTPOST_SSH_LISTEN must be an address or host name, not '$SSH_LISTEN'" ;;
    esac
    # Whitespace-separated entries, rejoined with single spaces so no line break reaches sshd_config.
    set -f
    permit_open=
    for entry in $SSH_PERMIT_OPEN; do
        case $entry in
            any|none) ;;
            *[!]0-9A-Za-z.:_*[-]*|:*|*:) die "OUTPOST_SSH_PERMIT_OPEN entry '$entry' is not host:port" ;;
            *:*) ;;
            *) die "OUTPOST_SSH_PERMIT_OPEN entry '$entry' is not host:port" ;;
        esac
        permit_open="${permit_open:+$permit_open }$entry"
    done
    set +f
    [ -n "$permit_open" ] || die "OUTPOST_SSH_PERMIT_OPEN is empty (use none to allow no forwards)"
    SSH_PERMIT_OPEN=$permit_open
}

# Host keys: mounted ones if any, else the ones generated at first start in the state volume.
prepare_host_keys() {
    keys=$RUN_DIR/sshd/host-keys
    mkdir -p "$keys"
    found=
    if [ -d "$HOST_KEYS" ]; then
        for key in "$HOST_KEYS"/ssh_host_*_key; do
            [ -f "$key" ] || continue
            install -m 0600 "$key" "$keys/${key##*/}"
            found=1
        done
    fi
    if [ -z "$found" ]; then
        generated=$STATE_DIR/ssh
        mkdir -p "$generated"
        chmod 0700 "$generated"
        if [ ! -s "$generated/ssh_host_ed25519_key" ]; then
            rm -f "$generated/new_ed25519_key" "$generated/new_ed25519_key.pub"
            ssh-keygen -q -t ed25519 -N '' -C "outpost host key" -f "$generated/new_ed25519_key"
            mv "$generated/new_ed25519_key.pub" "$generated/ssh_host_ed25519_key.pub"
            mv "$generated/new_ed25519_key" "$generated/ssh_host_ed25519_key"
            log "generated a new sshd host key in $generated"
        fi
        for key in "$generated"/ssh_host_*_key; do
            install -m 0600 "$key" "$keys/${key##*/}"
        done
    fi
    for key in "$keys"/ssh_host_*_key; do
        log "sshd host key: $(ssh-keygen -l -f "$key")"
    done
}

# authorized_keys: one file, or every visible file of a folder (a mounted Secret), joined.
prepare_authorized_keys() {
    target=$RUN_DIR/sshd/authorized_keys
    : > "$target.new"
    if [ -d "$AUTHORIZED_KEYS" ]; then
        for file in "$AUTHORIZED_KEYS"/*; do
            [ -f "$file" ] || continue
            cat -- "$file" >> "$target.new"
            printf '\n' >> "$target.new"
        done
    elif [ -f "$AUTHORIZED_KEYS" ]; then
        cat -- "$AUTHORIZED_KEYS" >> "$target.new"
    fi
    chmod 0600 "$target.new"
    mv "$target.new" "$target"
    if ! grep -q '[^[:space:]]' "$target"; then
        log "no authorized keys found at $AUTHORIZED_KEYS: sshd runs but accepts nobody"
    fi
}

write_sshd_config() {
    config=$RUN_DIR/sshd/sshd_config
    {
        printf '# Written by outpost-entrypoint at each start.\n'
        printf 'Port %s\nListenAddress %s\n' "$SSH_PORT" "$SSH_LISTEN"
        for key in "$RUN_DIR"/sshd/host-keys/ssh_host_*_key; do
            printf 'HostKey %s\n' "$key"
        done
        printf 'AuthorizedKeysFile %s\n' "$RUN_DIR/sshd/authorized_keys"
        cat <<'EOF'
PidFile none
# The key file is written by this script (0600 in a 0700 folder). sshd's own check would refuse
# it because Kubernetes mounts emptyDir and Secret folders group- or world-writable.
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
HostbasedAuthentication no
PermitEmptyPasswords no
PermitRootLogin no
UseDNS no
PrintMotd no
PrintLastLog no
PermitUserEnvironment no
PermitUserRC no
PermitTTY no
X11Forwarding no
AllowAgentForwarding no
AllowStreamLocalForwarding no
PermitTunnel no
GatewayPorts no
PermitListen none
AllowTcpForwarding no
PermitOpen none
ForceCommand /bin/false
ClientAliveInterval 30
ClientAliveCountMax 4
EOF
        printf 'AllowUsers %s\n' "$SSH_USER"
        printf '# The forward-only account: local (-L) forwards to the allowed addresses, nothing else.\n'
        printf 'Match User %s\n' "$SSH_USER"
        printf '    AllowTcpForwarding local\n'
        printf '    PermitOpen %s\n' "$SSH_PERMIT_OPEN"
    } > "$config.new"
    chmod 0600 "$config.new"
    mv "$config.new" "$config"
    /usr/sbin/sshd -t -f "$config"
}

prepare_sshd() {
    check_settings
    [ -z "$SSH_USER_CHECK" ] || log "$SSH_USER_CHECK"
    umask 077
    mkdir -p "$RUN_DIR/sshd"
    # RUN_DIR may sit in a shared /tmp: use it only if this user owns it.
    { [ -O "$RUN_DIR" ] && [ -O "$RUN_DIR/sshd" ]; } || die "$RUN_DIR belongs to another user"
    chmod 0700 "$RUN_DIR" "$RUN_DIR/sshd"
    prepare_host_keys
    prepare_authorized_keys
    write_sshd_config
    umask 022
    log "sshd on $SSH_LISTEN:$SSH_PORT for $SSH_USER, forwards to: $SSH_PERMIT_OPEN"
}

mode=${1:-all}
[ $# -eq 0 ] || shift
case $mode in
    all)
        prepare_sshd
        /usr/sbin/sshd -D -e -f "$RUN_DIR/sshd/sshd_config" &
        exec "$OUTPOST" serve "$@"
        ;;
    sshd)
        [ $# -eq 0 ] || die "sshd takes no arguments"
        prepare_sshd
        exec /usr/sbin/sshd -D -e -f "$RUN_DIR/sshd/sshd_config"
        ;;
    outpost)
        exec "$OUTPOST" "$@"
        ;;
    *)
        die "unknown mode '$mode' (all, sshd or outpost)"
        ;;
esac
