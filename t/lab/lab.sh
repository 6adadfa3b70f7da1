#!/bin/bash
# t/lab/lab.sh - a throwaway lab of three real X2Go servers for the test
# suite: network namespaces xgblab1..3 (10.200.0.11..13) on bridge xgblab0
# (10.200.0.1), each with its own hostname, PID namespace, /tmp, session DB
# (sqlite) or the shared PostgreSQL session DB (pg), its own sshd, and the
# broker agent under test reachable over SSH with the broker's keys.
#
# Usage (as root; W = scratch directory shared by all calls):
#   lab.sh up sqlite|pg          build the lab (prints W=... if W was unset)
#   lab.sh down                  remove everything, including $W
#   lab.sh session I USER DISPLAY R|S   fake session on server I; prints its id
#   lab.sh status SID            status letter of a session in the DB
#   lab.sh info SID              KEY=VALUE facts about a session made here,
#                                incl. its agent's STATE file, HUPS, ALIVE
#   lab.sh reset                 remove all sessions and their agents
#   lab.sh exec I CMD...         run CMD as root inside server I
#   lab.sh ssh I 'COMMAND'       ssh to server I as the broker does
#   lab.sh link I up|down        connect/black-hole server I
#   lab.sh rekey I               new host key for server I (known_hosts stays)
#   lab.sh agentkey I on|off     (de)authorise the broker's keys on server I
# Env: X2GOB_LAB_AGENT = perl (the installed agent, default) or the path of
# a built C agent, bind-mounted over the agent inside the servers only;
# X2GOB_LAB_PGPORT = PostgreSQL port on 10.200.0.1 (default 15439);
# X2GOB_LAB_LOCK_WAIT = seconds `up` waits for another lab to go down (0).
#
# $W: lab.env (facts for the tests: LAB_* variables), broker/ (id_ed25519,
# id_ecdsa, known_hosts by address), client/ (hosts and known_hosts by name
# and address, for X2Go clients: a site's DNS and the users' known_hosts),
# homes/<user> = ~<user> on every server (one home for all servers, as NFS
# gives them: the users' own ~/.ssh, what sessions write), sessions/<sid>
# (sessions made by
# `session`), brokers/*.pid (brokers for `down` to stop), pg/ + x2gosql/ (pg),
# agent/ (C agent), and per server srvN/: anchor.pid, ssh/ (sshd_config,
# host_ed25519, sshd.pid holding the PID inside the server, sshd.log),
# lib/ = /var/lib/x2go, tmp/ = /tmp, brokerhome/ = ~x2gobroker,
# x2go/<user>/ = ~<user>/.x2go, hosts = /etc/hosts.
#
# Only one lab at a time per machine: the anchor processes hold $LOCKFILE.
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin:/usr/local/bin
umask 022

readonly NSERV=3
readonly NET=10.200.0
readonly BRIDGE=xgblab0
readonly BRIDGE_IP=$NET.1
readonly LOCKFILE=/tmp/xgblab.lock
readonly TEST_USERS="x2gotest x2gotest2"
readonly AGENT_PATH=/usr/lib/x2go/x2gobroker-agent
readonly BROKER_USER=x2gobroker
readonly PGBIN=/usr/lib/postgresql/15/bin
PGPORT=${X2GOB_LAB_PGPORT:-15439}

PROG=lab.sh
log() { echo "$PROG: $*" >&2; }
die() { log "$*"; exit 1; }

srv_name() { echo "xgblab$1"; }
srv_ip()   { echo "$NET.$((10 + $1))"; }
srv_veth() { echo "xgblabv$1"; }
srv_dir()  { echo "$W/srv$1"; }
user_home() { getent passwd "$1" | cut -d: -f6; }

# wait_until TENTHS CMD...: poll CMD for at most TENTHS/10 seconds
wait_until() {
    local n=$1 i
    shift
    for ((i = 0; i < n; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

pid_gone() { ! kill -0 "$1" 2>/dev/null; }

# kill_wait PID: TERM, up to 5 s for the exit, then KILL
kill_wait() {
    local pid=$1
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    wait_until 50 pid_gone "$pid" && return 0
    kill -9 "$pid" 2>/dev/null || true
    wait_until 30 pid_gone "$pid" || true
}

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

need_w() {
    [ -n "${W:-}" ] || die "set W to the directory used by 'lab.sh up'"
    [ -f "$W/.xgblab" ] || die "$W is not a lab directory"
}

load_env() {
    need_w
    [ -f "$W/lab.env" ] || die "the lab in $W is not up"
    # shellcheck disable=SC1091
    . "$W/lab.env"
    PGPORT=${LAB_PG_PORT:-$PGPORT}
}

check_index() {
    [[ $1 =~ ^[1-9][0-9]*$ ]] && [ "$1" -le $NSERV ] ||
        die "server index must be 1..$NSERV, not '$1'"
}

anchor_pid() {
    local f
    f="$(srv_dir "$1")/anchor.pid"
    [ -s "$f" ] || die "server $1 has no anchor"
    cat "$f"
}

# Run as root inside server I: its mount, UTS, net and PID namespaces.
in_srv() {
    local a
    a=$(anchor_pid "$1")
    shift
    nsenter -t "$a" -m -u -n -p -- "$@"
}

# Run as USER inside server I with a clean login-like environment.
as_user() {
    local i=$1 u=$2 home
    shift 2
    home=$(user_home "$u")
    in_srv "$i" setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups -- \
        env -i HOME="$home" USER="$u" LOGNAME="$u" SHELL=/bin/bash \
        LANG=C.UTF-8 PATH=/usr/local/bin:/usr/bin:/bin "$@"
}

# --------------------------------------------------------------- up ------

preflight() {
    local t
    [ "$(id -u)" = 0 ] || die "must run as root"
    for t in ip nsenter unshare setpriv ssh ssh-keygen sshd sqlite3 perl \
             flock timeout /usr/lib/x2go/x2goinsertsession x2gosuspend-session; do
        command -v "$t" >/dev/null 2>&1 || die "missing tool: $t"
    done
    getent passwd "$BROKER_USER" >/dev/null ||
        die "user $BROKER_USER is missing (install x2gobroker-agent)"
    command -v sudo >/dev/null || die "missing tool: sudo (the agent needs it)"
    if [ "$MODE" = pg ]; then
        for t in "$PGBIN/initdb" "$PGBIN/pg_ctl" psql x2godbadmin pwgen; do
            command -v "$t" >/dev/null 2>&1 || die "missing tool: $t"
        done
        id postgres >/dev/null 2>&1 || die "user postgres is missing"
    fi
    case "$AGENT" in
        perl) [ -x "$AGENT_PATH" ] || die "no agent at $AGENT_PATH" ;;
        /*) [ -f "$AGENT" ] && [ -x "$AGENT" ] || die "X2GOB_LAB_AGENT: no executable $AGENT" ;;
        *) die "X2GOB_LAB_AGENT must be 'perl' or an absolute path, not '$AGENT'" ;;
    esac
}

# The lock is held by the anchors, so it lasts from `up` to `down`.
take_lock() {
    local wait=${X2GOB_LAB_LOCK_WAIT:-0}
    exec 9>>"$LOCKFILE"
    flock -n 9 && return 0
    if [[ $wait =~ ^[0-9]+$ ]] && [ "$wait" -gt 0 ]; then
        log "waiting up to ${wait}s for the lab in $(head -n1 "$LOCKFILE" 2>/dev/null) to go down"
        flock -w "$wait" 9 && return 0
    fi
    die "another lab is up (W=$(head -n1 "$LOCKFILE" 2>/dev/null)); run 'W=... lab.sh down' for it first"
}

# A lab whose anchors died (reboot of the test, kill -9) leaves namespaces
# and maybe PostgreSQL behind; the lock being free proves nobody uses them.
clean_stale() {
    local old i stale=
    old=$(head -n1 "$LOCKFILE" 2>/dev/null || true)
    for i in $(seq 1 $NSERV); do
        [ -e "/run/netns/$(srv_name "$i")" ] && stale=1
    done
    ip link show "$BRIDGE" >/dev/null 2>&1 && stale=1
    [ -n "$old" ] && [ "$old" != "$W" ] && [ -f "$old/.xgblab" ] && stale=1
    [ -n "$stale" ] || return 0
    log "removing leftovers of an earlier lab (W=${old:-unknown})"
    if [ -n "$old" ] && [ "$old" != "$W" ] && [ -f "$old/.xgblab" ]; then
        ( W=$old teardown ) || true
    else
        ( W=/nonexistent teardown ) || true
    fi
}

ensure_users() {
    local u uid home
    for u in $TEST_USERS; do
        if ! id "$u" >/dev/null 2>&1; then
            useradd -m -s /bin/bash "$u" || die "useradd $u failed"
        fi
        # a locked account ('!') is refused by sshd; '*' only disables passwords
        [ "$(getent shadow "$u" | cut -d: -f2)" = '*' ] || usermod -p '*' "$u"
        uid=$(id -u "$u")
        [ "$uid" -ge 1000 ] || die "$u has uid $uid; the agent refuses uids below 1000"
        home=$(user_home "$u")
        [ -d "$home" ] || die "$u has no home directory $home"
    done
}

make_keys() {
    mkdir -p "$W/broker"
    ssh-keygen -q -t ed25519 -N '' -C xgblab-broker -f "$W/broker/id_ed25519"
    # the reference broker only loads id_rsa, id_dsa or id_ecdsa
    ssh-keygen -q -t ecdsa -b 256 -N '' -C xgblab-broker -f "$W/broker/id_ecdsa"
}

make_bridge() {
    if ip -o -4 addr show | grep -q " $NET\."; then
        die "$NET.0/24 is already in use on this machine: $(ip -o -4 addr show | grep " $NET\." | awk '{print $2}' | tr '\n' ' ')"
    fi
    ip link add "$BRIDGE" type bridge
    ip addr add "$BRIDGE_IP/24" dev "$BRIDGE"
    ip link set "$BRIDGE" up
}

# Files each server gets instead of the root namespace's own.
make_server_tree() {
    local i=$1 d name u j k
    d=$(srv_dir "$i")
    name=$(srv_name "$i")
    mkdir -p "$d/ssh"
    install -d -m 770 -o x2gouser -g x2gouser "$d/lib"
    cp -p /var/lib/x2go/x2go_sessions "$d/lib/x2go_sessions"
    sqlite3 "$d/lib/x2go_sessions" \
        'DELETE FROM sessions; DELETE FROM used_ports; DELETE FROM mounts;'
    install -d -m 1777 "$d/tmp"
    {
        grep -v -E '(^|[[:space:]])xgblab[0-9]' /etc/hosts || true
        for j in $(seq 1 $NSERV); do
            echo "$(srv_ip "$j") $(srv_name "$j")"
        done
    } > "$d/hosts"
    # the broker account's home: sshd's default AuthorizedKeysFile and
    # x2gobroker-pubkeyauthorizer both work on this server's own copy
    install -d -m 755 -o "$BROKER_USER" -g "$BROKER_USER" "$d/brokerhome"
    install -d -m 700 -o "$BROKER_USER" -g "$BROKER_USER" "$d/brokerhome/.ssh"
    {
        for k in id_ed25519 id_ecdsa; do
            echo "command=\"$AGENT_PATH\",no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-pty $(cat "$W/broker/$k.pub")"
        done
    } > "$d/brokerhome/.ssh/authorized_keys"
    chown "$BROKER_USER:$BROKER_USER" "$d/brokerhome/.ssh/authorized_keys"
    chmod 600 "$d/brokerhome/.ssh/authorized_keys"
    for u in $TEST_USERS; do
        install -d -m 700 -o "$u" -g "$(id -g "$u")" "$d/x2go/$u"
    done
    chmod 755 "$d/x2go"
    ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$d/ssh/host_ed25519"
    cat > "$d/ssh/sshd_config" <<EOF
ListenAddress $(srv_ip "$i")
Port 22
HostKey $d/ssh/host_ed25519
PidFile $d/ssh/sshd.pid
UsePAM yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
AuthorizedKeysFile .ssh/authorized_keys .x2go/authorized_keys
# python-x2go writes the session's files over sftp
Subsystem sftp internal-sftp
AllowUsers $BROKER_USER $TEST_USERS
MaxStartups 100:30:200
UseDNS no
LogLevel VERBOSE
EOF
}

make_netns() {
    local i=$1 name veth
    name=$(srv_name "$i")
    veth=$(srv_veth "$i")
    ip netns add "$name"
    ip link add "$veth" type veth peer name eth0 netns "$name"
    ip link set "$veth" master "$BRIDGE" up
    ip -n "$name" addr add "$(srv_ip "$i")/24" dev eth0
    ip -n "$name" link set eth0 up
    ip -n "$name" link set lo up
}

anchor_started() {
    local child
    child=$(pgrep -P "$1" 2>/dev/null | head -n1) || return 1
    # comm changes when the anchor has set its name, i.e. is in its loop
    [ -n "$child" ] && [ "$(cat "/proc/$child/comm" 2>/dev/null)" = xgblab-anchor ] || return 1
    echo "$child" > "$2"
}

# The anchor is PID 1 of the server's PID namespace and keeps its
# namespaces alive, so sshd can be restarted without losing them.  It reaps
# orphans (a dead sshd must not linger as a zombie that kill -0 still sees),
# and its exit makes the kernel kill everything else in the server.
start_anchor() {
    local i=$1 d unshare_pid
    d=$(srv_dir "$i")
    # fd 9 (the lock) is inherited on purpose: the lab holds it until down
    ip netns exec "$(srv_name "$i")" \
        unshare --uts --mount --propagation private --pid --fork --mount-proc -- \
        perl -e '$0 = "xgblab-anchor"; $SIG{TERM} = sub { exit 0 };
                 while (1) { sleep 1 if waitpid(-1, 0) <= 0 }' \
        </dev/null >/dev/null 2>&1 &
    unshare_pid=$!
    wait_until 50 anchor_started "$unshare_pid" "$d/anchor.pid" ||
        die "the anchor of $(srv_name "$i") did not start"
}

# Mounts that make server I look like a machine of its own.  Only the
# anchor's mount namespace sees them; the root namespace stays untouched.
setup_server_mounts() {
    local i=$1 d u home rel
    d=$(srv_dir "$i")
    in_srv "$i" hostname "$(srv_name "$i")"
    in_srv "$i" mount --bind "$d/lib" /var/lib/x2go
    # sudo prints "unable to resolve host" unless the name resolves inside
    in_srv "$i" mount --bind "$d/hosts" /etc/hosts
    in_srv "$i" mount --bind "$d/brokerhome" "$(user_home "$BROKER_USER")"
    for u in $TEST_USERS; do
        home=$(user_home "$u")
        in_srv "$i" mount --bind "$W/homes/$u" "$home"
        in_srv "$i" mount --bind "$d/x2go/$u" "$home/.x2go"
    done
    if [ "$MODE" = pg ]; then
        in_srv "$i" mount --bind "$W/x2gosql" /etc/x2go/x2gosql
    fi
    if [ "$AGENT" != perl ]; then
        in_srv "$i" mount --bind "$W/agent/x2gobroker-agent" "$AGENT_PATH"
    fi
    # A private /tmp holds the sessions' state files (as on a real server).
    # $W itself usually lives in /tmp, so it is mounted into the new /tmp
    # at the same path first.
    case "$W" in
        /tmp/*)
            rel=${W#/tmp/}
            mkdir -p "$d/tmp/$rel"
            in_srv "$i" mount --bind "$W" "$d/tmp/$rel"
            in_srv "$i" mount --rbind "$d/tmp" /tmp
            ;;
        *)
            in_srv "$i" mount --bind "$d/tmp" /tmp
            ;;
    esac
}

sshd_pid() {
    local f
    f="$(srv_dir "$1")/ssh/sshd.pid"
    [ -s "$f" ] && cat "$f"
}

start_sshd() {
    local i=$1 d ip
    d=$(srv_dir "$i")
    ip=$(srv_ip "$i")
    rm -f "$d/ssh/sshd.pid"
    in_srv "$i" /usr/sbin/sshd -t -f "$d/ssh/sshd_config" ||
        die "sshd config of $(srv_name "$i") is invalid"
    in_srv "$i" /usr/sbin/sshd -f "$d/ssh/sshd_config" -E "$d/ssh/sshd.log" 9>&-
    wait_until 50 test -s "$d/ssh/sshd.pid" ||
        die "sshd of $(srv_name "$i") wrote no pid file (see $d/ssh/sshd.log)"
    wait_until 50 port_open "$ip" 22 ||
        die "sshd of $(srv_name "$i") does not listen on $ip:22"
}

# The pid file holds the PID inside the server's PID namespace.
stop_sshd() {
    local i=$1 pid n
    pid=$(sshd_pid "$i") || return 0
    in_srv "$i" kill "$pid" 2>/dev/null || return 0
    for n in $(seq 50); do
        in_srv "$i" kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    in_srv "$i" kill -9 "$pid" 2>/dev/null || true
}

install_agent() {
    [ "$AGENT" = perl ] && return 0
    install -d -m 755 "$W/agent"
    cp "$AGENT" "$W/agent/x2gobroker-agent"
    chown "root:$BROKER_USER" "$W/agent/x2gobroker-agent"
    chmod 4750 "$W/agent/x2gobroker-agent"
}

start_pg() {
    local pw
    install -d -m 755 -o postgres -g postgres "$W/pg"
    ( cd / && runuser -u postgres -- "$PGBIN/initdb" -D "$W/pg/data" -U postgres \
        -A trust --auth-host=scram-sha-256 --no-sync -E UTF8 --locale=C.UTF-8 ) \
        >"$W/pg/initdb.log" 2>&1 || { cat "$W/pg/initdb.log" >&2; die "initdb failed"; }
    echo "host all all $NET.0/24 scram-sha-256" >> "$W/pg/data/pg_hba.conf"
    ( cd / && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$W/pg/data" -l "$W/pg/server.log" \
        -w -t 30 -o "-c listen_addresses=$BRIDGE_IP -p $PGPORT -k $W/pg -c fsync=off -c max_connections=200" \
        start ) >/dev/null 9>&- || { cat "$W/pg/server.log" >&2; die "PostgreSQL did not start"; }
    pw=$(pwgen -s 24 1)
    psql -h "$W/pg" -p "$PGPORT" -U postgres -qAtX -v ON_ERROR_STOP=1 \
        -c "ALTER ROLE postgres PASSWORD '$pw'" >/dev/null
    # becomes /etc/x2go/x2gosql inside every server
    install -d -m 755 "$W/x2gosql"
    install -d -m 700 "$W/x2gosql/passwords"
    printf '%s\n' backend=postgres '' '[postgres]' "host=$BRIDGE_IP" "port=$PGPORT" \
        dbadmin=postgres ssl=disable > "$W/x2gosql/sql"
    printf '%s' "$pw" > "$W/x2gosql/passwords/pgadmin"
    chmod 600 "$W/x2gosql/passwords/pgadmin"
}

# x2godbadmin runs once (inside server 1); every server gets each user's
# pgsqlpass, as NFS homes would give them on a real farm.
setup_pg_db() {
    local u i
    in_srv 1 x2godbadmin --createdb >"$W/pg/createdb.log" 2>&1 ||
        { cat "$W/pg/createdb.log" >&2; die "x2godbadmin --createdb failed"; }
    for u in $TEST_USERS; do
        in_srv 1 x2godbadmin --adduser "$u" >>"$W/pg/createdb.log" 2>&1 ||
            { cat "$W/pg/createdb.log" >&2; die "x2godbadmin --adduser $u failed"; }
        [ -s "$(srv_dir 1)/x2go/$u/pgsqlpass" ] || die "no pgsqlpass for $u"
        for i in $(seq 2 $NSERV); do
            cp -p "$(srv_dir 1)/x2go/$u/pgsqlpass" "$(srv_dir "$i")/x2go/$u/pgsqlpass"
        done
    done
}

write_known_hosts() {
    local i
    for i in $(seq 1 $NSERV); do
        echo "$(srv_ip "$i") $(cut -d' ' -f1,2 "$(srv_dir "$i")/ssh/host_ed25519.pub")"
    done > "$W/broker/known_hosts"
    # x2goclient checks the session's server name, python-x2go the address
    for i in $(seq 1 $NSERV); do
        echo "$(srv_name "$i"),$(srv_ip "$i") $(cut -d' ' -f1,2 "$(srv_dir "$i")/ssh/host_ed25519.pub")"
    done > "$W/client/known_hosts"
}

# The test users' home shared by all servers (~/.x2go is each server's
# own), and what X2Go clients of the lab need: the servers' names resolve
# (clients connect to the name in the broker's session line).
make_homes_and_client_side() {
    local u j g
    mkdir -p "$W/client"
    {
        grep -v -E '(^|[[:space:]])xgblab[0-9]' /etc/hosts || true
        for j in $(seq 1 $NSERV); do
            echo "$(srv_ip "$j") $(srv_name "$j")"
        done
    } > "$W/client/hosts"
    for u in $TEST_USERS; do
        g=$(id -g "$u")
        install -d -m 755 -o "$u" -g "$g" "$W/homes/$u"
        install -d -m 700 -o "$u" -g "$g" "$W/homes/$u/.ssh" "$W/homes/$u/.x2go"
    done
}

write_env() {
    local i
    {
        echo "LAB_MODE='$MODE'"
        echo "LAB_W='$W'"
        echo "LAB_N='$NSERV'"
        echo "LAB_AGENT='$AGENT'"
        echo "LAB_AGENT_PATH='$AGENT_PATH'"
        echo "LAB_BRIDGE='$BRIDGE'"
        echo "LAB_BRIDGE_IP='$BRIDGE_IP'"
        echo "LAB_USERS='$TEST_USERS'"
        echo "LAB_BROKER_USER='$BROKER_USER'"
        echo "LAB_BROKER_KEY='$W/broker/id_ed25519'"
        echo "LAB_BROKER_ECDSA_KEY='$W/broker/id_ecdsa'"
        echo "LAB_KNOWN_HOSTS='$W/broker/known_hosts'"
        echo "LAB_CLIENT_HOSTS='$W/client/hosts'"
        echo "LAB_CLIENT_KNOWN_HOSTS='$W/client/known_hosts'"
        echo "LAB_HOMES='$W/homes'"
        echo "LAB_SERVERS='$(for i in $(seq 1 $NSERV); do printf '%s ' "$(srv_name "$i")"; done | sed 's/ $//')'"
        echo "LAB_IPS='$(for i in $(seq 1 $NSERV); do printf '%s ' "$(srv_ip "$i")"; done | sed 's/ $//')'"
        for i in $(seq 1 $NSERV); do
            echo "LAB_NAME_$i='$(srv_name "$i")'"
            echo "LAB_IP_$i='$(srv_ip "$i")'"
            echo "LAB_VETH_$i='$(srv_veth "$i")'"
            echo "LAB_DIR_$i='$(srv_dir "$i")'"
            echo "LAB_ANCHOR_$i='$(anchor_pid "$i")'"
            echo "LAB_SSHD_PIDFILE_$i='$(srv_dir "$i")/ssh/sshd.pid'"
            echo "LAB_SSHD_LOG_$i='$(srv_dir "$i")/ssh/sshd.log'"
            echo "LAB_HOSTKEY_$i='$(srv_dir "$i")/ssh/host_ed25519'"
            echo "LAB_TMP_$i='$(srv_dir "$i")/tmp'"
            if [ "$MODE" = sqlite ]; then
                echo "LAB_DB_$i='$(srv_dir "$i")/lib/x2go_sessions'"
            fi
        done
        if [ "$MODE" = pg ]; then
            echo "LAB_PG_PORT='$PGPORT'"
            echo "LAB_PG_HOST='$BRIDGE_IP'"
            echo "LAB_PG_SOCKDIR='$W/pg'"
            echo "LAB_PG_DATA='$W/pg/data'"
        fi
    } > "$W/lab.env.tmp"
    mv "$W/lab.env.tmp" "$W/lab.env"
}

# A smoke test of the finished lab: every agent answers over SSH.
check_agents() {
    local i out
    for i in $(seq 1 $NSERV); do
        out=$(broker_ssh "$i" "sh -c '$AGENT_PATH foo ping'" 2>"$W/ping.err") ||
            die "agent ping on $(srv_name "$i") failed (status $?): $(cat "$W/ping.err")"
        [ "$out" = OK ] || die "agent on $(srv_name "$i") answered '$out' to ping"
        [ -s "$W/ping.err" ] && die "agent on $(srv_name "$i") wrote to stderr: $(cat "$W/ping.err")"
    done
    rm -f "$W/ping.err"
}

UP_DONE=
up_exit() {
    local rc=$?
    [ -n "$UP_DONE" ] && return 0
    trap - EXIT
    log "up failed (status $rc); tearing down"
    teardown || true
    exit 1
}

cmd_up() {
    local i
    MODE=${1:-}
    case "$MODE" in sqlite|pg) ;; *) die "usage: lab.sh up sqlite|pg" ;; esac
    AGENT=${X2GOB_LAB_AGENT:-perl}
    preflight
    take_lock
    if [ -z "${W:-}" ]; then
        W=$(mktemp -d /tmp/xgblab.XXXXXX)
        echo "W=$W"
    fi
    mkdir -p "$W"
    W=$(cd "$W" && pwd -P)
    [ -f "$W/lab.env" ] && die "a dead lab is in $W: run 'W=$W lab.sh down' first"
    clean_stale
    printf '%s\n' "$W" > "$LOCKFILE"
    trap up_exit EXIT
    # www-data, x2gobroker, postgres and the test users traverse it
    chmod 755 "$W"
    : > "$W/.xgblab"
    mkdir -p "$W/sessions" "$W/brokers"
    ensure_users
    mkdir -p /run/sshd && chmod 755 /run/sshd
    make_keys
    install_agent
    make_bridge
    make_homes_and_client_side
    if [ "$MODE" = pg ]; then start_pg; fi
    for i in $(seq 1 $NSERV); do
        make_server_tree "$i"
        make_netns "$i"
        start_anchor "$i"
        setup_server_mounts "$i"
        start_sshd "$i"
    done
    if [ "$MODE" = pg ]; then setup_pg_db; fi
    write_known_hosts
    check_agents
    write_env
    UP_DONE=1
    trap - EXIT
}

# ------------------------------------------------------------- down ------

# Works on whatever part of the lab exists; never fails.
teardown() {
    set +e
    local i f pid ns
    if [ -d "$W/brokers" ]; then
        for f in "$W"/brokers/*.pid; do
            [ -f "$f" ] && kill_wait "$(cat "$f")"
        done
    fi
    # the anchor is PID 1 of its server: when it exits the kernel kills
    # every process of that server (sshd, sessions' agents, agent calls)
    for i in $(seq 1 $NSERV); do
        f="$W/srv$i/anchor.pid"
        [ -s "$f" ] && kill_wait "$(cat "$f")"
    done
    for i in $(seq 1 $NSERV); do
        ns=$(srv_name "$i")
        [ -e "/run/netns/$ns" ] || continue
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            kill -9 "$pid" 2>/dev/null
        done
    done
    if [ -f "$W/pg/data/postmaster.pid" ]; then
        ( cd / && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$W/pg/data" -m fast -w -t 20 stop ) \
            >/dev/null 2>&1
        if [ -f "$W/pg/data/postmaster.pid" ]; then
            kill_wait "$(head -n1 "$W/pg/data/postmaster.pid")"
        fi
    fi
    for i in $(seq 1 $NSERV); do
        ns=$(srv_name "$i")
        [ -e "/run/netns/$ns" ] && ip netns del "$ns"
        # normally gone with the namespace, but the kernel removes it lazily
        ip link del "$(srv_veth "$i")" 2>/dev/null
    done
    ip link del "$BRIDGE" 2>/dev/null
    if [ -f "$W/.xgblab" ]; then
        rm -rf "$W"
    fi
    return 0
}

cmd_down() {
    if [ -z "${W:-}" ]; then
        W=$(head -n1 "$LOCKFILE" 2>/dev/null || true)
        [ -n "$W" ] || die "set W to the directory used by 'lab.sh up'"
    fi
    [ -d "$W" ] && W=$(cd "$W" && pwd -P)
    [ ! -d "$W" ] || [ -f "$W/.xgblab" ] || die "$W is not a lab directory"
    teardown
}

# --------------------------------------------------------- sessions ------

valid_sid() {
    [[ $1 =~ ^[A-Za-z0-9_.-]+$ ]] || die "malformed session id '$1'"
}

# The fake x2goagent: a real process of the user inside the server that
# behaves like nxagent towards x2gosuspend-session: SIGHUP -> SUSPENDED in
# its state file (no newline: X2Go::Server::Agent::NX compares the whole
# file).  Every HUP is counted in hup.log.  It prints its PID (inside the
# server's PID namespace, as the DB must hold it) and goes to background;
# it ends on TERM or when the lab is gone.
# shellcheck disable=SC2016
readonly FAKE_AGENT='
use strict; use POSIX ();
my ($sid, $dir, $labenv) = @ARGV;
sub put { open my $f, ">", "$dir/state" or return; print $f $_[0]; close $f }
$SIG{HUP} = sub {
    put("SUSPENDED");
    open my $f, ">>", "$dir/hup.log" or return; print $f "HUP\n"; close $f;
};
$SIG{TERM} = sub { put("TERMINATED"); exit 0 };
my $pid = fork;
die "fork: $!\n" unless defined $pid;
if ($pid) { print "$pid\n"; exit 0 }
POSIX::setsid();
open STDIN, "<", "/dev/null"; open STDOUT, ">", "/dev/null"; open STDERR, ">", "/dev/null";
$0 = "x2goagent-fake $sid";
while (-e $labenv) { sleep 5 }
'

cmd_session() {
    local i=${1:-} u=${2:-} disp=${3:-} st=${4:-} sid cookie pid dir gr host f state
    [ $# -eq 4 ] || die "usage: lab.sh session <server-index> <user> <display> <R|S>"
    load_env
    check_index "$i"
    id "$u" >/dev/null 2>&1 || die "no such user $u"
    [[ $disp =~ ^[1-9][0-9]+$ ]] || die "display must be a number >= 10, not '$disp'"
    case "$st" in R|S) ;; *) die "status must be R or S, not '$st'" ;; esac
    # sessions.display is UNIQUE over the whole PG DB, i.e. over all servers
    for f in "$W"/sessions/*; do
        [ -f "$f" ] || continue
        grep -qx "DISPLAY=$disp" "$f" && die "display $disp is already used by $(basename "$f")"
    done
    sid="$u-$disp-$(date +%s)_stDxterm_dp24"
    cookie=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    dir="/tmp/.x2go-$u/C-$sid"
    [ "$st" = R ] && state=RUNNING || state=SUSPENDED
    as_user "$i" "$u" sh -c 'umask 077; mkdir -p "$1" && printf %s "$2" > "$1/state"' sh "$dir" "$state" ||
        die "cannot create $dir on $(srv_name "$i")"
    pid=$(as_user "$i" "$u" perl -e "$FAKE_AGENT" "$sid" "$dir" "$W/lab.env") ||
        die "cannot start the fake agent on $(srv_name "$i")"
    [[ $pid =~ ^[0-9]+$ ]] || die "fake agent printed '$pid'"
    # distinct ports per display, as x2gostartagent would pick them
    gr=$((20000 + disp * 5))
    host=$(srv_name "$i")
    # written before the DB rows, so reset/down also find a half-made one
    printf 'SERVER=%s\nUSER=%s\nDISPLAY=%s\nPID=%s\nDIR=%s\nCOOKIE=%s\nGR_PORT=%s\n' \
        "$i" "$u" "$disp" "$pid" "$dir" "$cookie" "$gr" > "$W/sessions/$sid"
    as_user "$i" "$u" sh -c '
        /usr/lib/x2go/x2goinsertsession "$2" "$3" "$1" >/dev/null &&
        /usr/lib/x2go/x2gocreatesession "$1" "$4" "$5" '"$BRIDGE_IP"' \
            "$6" $(($6 + 1)) $(($6 + 2)) $(($6 + 3)) $(($6 + 4)) &&
        if [ "$7" = S ]; then /usr/lib/x2go/x2gochangestatus S "$1" >/dev/null; fi' \
        sh "$sid" "$disp" "$host" "$cookie" "$pid" "$gr" "$st" ||
        die "x2go tools could not register $sid on $host"
    echo "$sid"
}

session_field() { sed -n "s/^$2=//p" "$W/sessions/$1"; }

db_status() {
    local sid=$1 i db
    if [ "$LAB_MODE" = pg ]; then
        psql -h "$W/pg" -p "$PGPORT" -U postgres -d x2go_sessions -qAtX \
            -c "SELECT status FROM sessions WHERE session_id = '$sid'"
        return
    fi
    for i in $(seq 1 $NSERV); do
        db=$(srv_dir "$i")/lib/x2go_sessions
        sqlite3 "$db" "SELECT status FROM sessions WHERE session_id = '$sid'"
    done
}

cmd_status() {
    local sid=${1:-} st
    [ $# -eq 1 ] || die "usage: lab.sh status <session-id>"
    load_env
    valid_sid "$sid"
    st=$(db_status "$sid" | tr -d ' ')
    [ -n "$st" ] || die "no session $sid in the DB"
    echo "$st"
}

cmd_info() {
    local sid=${1:-} i dir pid top state='' hups=0 alive=0
    [ $# -eq 1 ] || die "usage: lab.sh info <session-id>"
    load_env
    valid_sid "$sid"
    [ -f "$W/sessions/$sid" ] || die "no session $sid was made by lab.sh"
    i=$(session_field "$sid" SERVER)
    dir=$(session_field "$sid" DIR)
    pid=$(session_field "$sid" PID)
    # $dir is inside the server's private /tmp
    top="$(srv_dir "$i")/tmp/${dir#/tmp/}"
    [ -f "$top/state" ] && state=$(cat "$top/state")
    [ -f "$top/hup.log" ] && hups=$(wc -l < "$top/hup.log" | tr -d ' ')
    in_srv "$i" kill -0 "$pid" 2>/dev/null && alive=1
    cat "$W/sessions/$sid"
    printf 'STATE=%s\nHUPS=%s\nALIVE=%s\n' "$state" "$hups" "$alive"
}

cmd_reset() {
    local f sid i pid
    load_env
    for f in "$W"/sessions/*; do
        [ -f "$f" ] || continue
        sid=$(basename "$f")
        i=$(session_field "$sid" SERVER)
        pid=$(session_field "$sid" PID)
        in_srv "$i" kill "$pid" 2>/dev/null || true
        rm -f "$f"
    done
    for i in $(seq 1 $NSERV); do
        rm -rf "$(srv_dir "$i")"/tmp/.x2go-*
    done
    if [ "$LAB_MODE" = pg ]; then
        # superuser DELETEs hit x2godbadmin's DO INSTEAD NOTHING rules
        psql -h "$W/pg" -p "$PGPORT" -U postgres -d x2go_sessions -qAtX -v ON_ERROR_STOP=1 \
            -c 'TRUNCATE used_ports, mounts, sessions' >/dev/null
    else
        for i in $(seq 1 $NSERV); do
            sqlite3 "$(srv_dir "$i")/lib/x2go_sessions" \
                'DELETE FROM sessions; DELETE FROM used_ports; DELETE FROM mounts;'
        done
    fi
}

# ------------------------------------------------------------ access ------

broker_ssh() {
    local i=$1
    ssh -F /dev/null -i "$W/broker/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes \
        -o UserKnownHostsFile="$W/broker/known_hosts" -o GlobalKnownHostsFile=/dev/null \
        -o StrictHostKeyChecking=yes -o ConnectTimeout=3 \
        -o ServerAliveInterval=5 -o ServerAliveCountMax=2 -o LogLevel=ERROR \
        "$BROKER_USER@$(srv_ip "$i")" "$2" </dev/null
}

cmd_exec() {
    local i=${1:-}
    [ $# -ge 2 ] || die "usage: lab.sh exec <server-index> <command...>"
    load_env
    check_index "$i"
    shift
    in_srv "$i" "$@"
}

cmd_ssh() {
    [ $# -eq 2 ] || die "usage: lab.sh ssh <server-index> '<remote command>'"
    load_env
    check_index "$1"
    broker_ssh "$1" "$2"
}

cmd_link() {
    [ $# -eq 2 ] || die "usage: lab.sh link <server-index> up|down"
    load_env
    check_index "$1"
    case "$2" in up|down) ;; *) die "link state must be up or down" ;; esac
    ip link set "$(srv_veth "$1")" "$2"
}

cmd_rekey() {
    local i=${1:-} d
    [ $# -eq 1 ] || die "usage: lab.sh rekey <server-index>"
    load_env
    check_index "$i"
    d=$(srv_dir "$i")
    stop_sshd "$i"
    rm -f "$d/ssh/host_ed25519" "$d/ssh/host_ed25519.pub"
    ssh-keygen -q -t ed25519 -N '' -C "$(srv_name "$i")" -f "$d/ssh/host_ed25519"
    start_sshd "$i"
}

# Makes server I refuse the broker (authentication fails, the port stays
# open), e.g. to leave a broker only one usable agent.
cmd_agentkey() {
    local keys
    [ $# -eq 2 ] || die "usage: lab.sh agentkey <server-index> on|off"
    load_env
    check_index "$1"
    keys="$(srv_dir "$1")/brokerhome/.ssh/authorized_keys"
    case "$2" in
        off) [ -f "$keys" ] && mv "$keys" "$keys.off" ;;
        on) [ -f "$keys.off" ] && mv "$keys.off" "$keys" ;;
        *) die "agentkey state must be on or off" ;;
    esac
    return 0
}

main() {
    local cmd=${1:-}
    [ $# -gt 0 ] && shift
    case "$cmd" in
        up) cmd_up "$@" ;;
        down) cmd_down ;;
        session) cmd_session "$@" ;;
        status) cmd_status "$@" ;;
        info) cmd_info "$@" ;;
        agentkey) cmd_agentkey "$@" ;;
        reset) cmd_reset ;;
        exec) cmd_exec "$@" ;;
        ssh) cmd_ssh "$@" ;;
        link) cmd_link "$@" ;;
        rekey) cmd_rekey "$@" ;;
        *) sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2; exit 2 ;;
    esac
}

main "$@"
