#!/usr/bin/env bash
# deploy/provision.sh - provision and run AdScale's infrastructure without Docker.
#
#   bash deploy/provision.sh up      install what is missing, start what is not running,
#                                    write $ADSCALE_HOME/infra.env
#   bash deploy/provision.sh down    stop what `up` started (never what it found running)
#   bash deploy/provision.sh status  one line per component (exit 3 if one is not up)
#   bash deploy/provision.sh env     print $ADSCALE_HOME/infra.env
#   bash deploy/provision.sh check   run deploy/lib/kafka_check.py against the broker
#
# Components: PostgreSQL 15 (Debian cluster 15/main), Redis, Apache Kafka (KRaft,
# jars from Maven Central), stripe-mock and Mailpit (go install). A component is
# skipped when its URL is already in the environment: ADSCALE_DATABASE_URL,
# ADSCALE_REDIS_URL, ADSCALE_KAFKA_BOOTSTRAP, ADSCALE_STRIPE_API_BASE,
# IDENTITY_SMTP_HOST (a real mail server instead of Mailpit).
# Idempotent; see deploy/README.md.
set -Eeuo pipefail

# ---------------------------------------------------------------- versions ---
# Override for one run with ADSCALE_KAFKA_VERSION (e.g. 3.9.2, the fallback).
KAFKA_VERSION="${ADSCALE_KAFKA_VERSION:-4.4.0}"  # deploy/README.md says why.
STRIPE_MOCK_VERSION="v0.203.0"     # newest release on the Go module proxy.
MAILPIT_VERSION="v1.33.1"          # deploy/README.md says what go install gives.
PROMETHEUS_VERSION="v0.316.0"      # `make observe` only; deploy/README.md says what it lacks.
PG_VERSION="15"
PG_CLUSTER="main"

# ------------------------------------------------------------------- ports ---
PG_PORT=5432
REDIS_PORT=6379
KAFKA_PORT=9092
STRIPE_MOCK_PORT=12111
MAILPIT_SMTP_PORT=1025
MAILPIT_HTTP_PORT=8025
PROMETHEUS_PORT="${ADSCALE_PROMETHEUS_PORT:-9090}"

# ------------------------------------------------------------------- paths ---
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
ADSCALE_HOME="${ADSCALE_HOME:-$REPO_ROOT/.adscale}"
mkdir -p "$ADSCALE_HOME"
ADSCALE_HOME="$(cd "$ADSCALE_HOME" && pwd)"
RUN_DIR="$ADSCALE_HOME/run"
LOG_DIR="$ADSCALE_HOME/logs"
BIN_DIR="$ADSCALE_HOME/bin"
KAFKA_HOME="$ADSCALE_HOME/kafka"
KAFKA_LIBS="$KAFKA_HOME/libs-$KAFKA_VERSION"
KAFKA_DATA="$KAFKA_HOME/data"
SECRETS_FILE="$ADSCALE_HOME/secrets.env"
INFRA_ENV="$ADSCALE_HOME/infra.env"
PG_MARKER="$RUN_DIR/postgres.started-by-provision"

PG_ADMIN_ROLE="adscale_admin"
PG_BIN="/usr/lib/postgresql/$PG_VERSION/bin/postgres"
APT_UPDATED=0

# ----------------------------------------------------------------- helpers ---
say() { printf '[provision] %-11s %s\n' "$1" "$2"; }
die() { printf '[provision] ERROR: %s\n' "$*" >&2; exit 1; }
on_err() {
    local rc=$? line=$1 cmd=$2
    printf '[provision] ERROR: exit %s at provision.sh:%s: %s\n' "$rc" "$line" "$cmd" >&2
}
trap 'on_err "$LINENO" "$BASH_COMMAND"' ERR

as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        die "need root (or passwordless sudo) for: $*"
    fi
}

# Run a noisy command with its output in a log file; show the tail on failure.
# fd 9 (the provision lock) is closed so daemons it spawns do not hold the lock.
run_logged() {
    local log=$1
    shift
    if ! "$@" >>"$log" 2>&1 9>&-; then
        printf '[provision] ERROR: failed: %s\n--- last lines of %s ---\n' "$*" "$log" >&2
        tail -n 30 "$log" >&2
        exit 1
    fi
}

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# apt_install PKG...: installs the missing ones; `apt-get update` only when needed.
apt_install() {
    local missing=() p
    for p in "$@"; do pkg_installed "$p" || missing+=("$p"); done
    ((${#missing[@]})) || return 0
    if ((!APT_UPDATED)); then
        say apt "apt-get update"
        run_logged "$LOG_DIR/apt.log" as_root env DEBIAN_FRONTEND=noninteractive apt-get update
        APT_UPDATED=1
    fi
    say apt "installing ${missing[*]} (log: $LOG_DIR/apt.log)"
    run_logged "$LOG_DIR/apt.log" as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${missing[@]}"
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# http_status PORT PATH: HTTP status code of a GET on 127.0.0.1 (no curl needed).
# shellcheck disable=SC2016  # the inner bash expands them
http_status() {
    timeout 5 bash -c '
        exec 3<>/dev/tcp/127.0.0.1/$0
        printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk_test_provision\r\n\r\n" "$1" >&3
        IFS=" " read -r _ code _ <&3
        printf "%s" "$code"' "$1" "$2" 2>/dev/null || true
}

# shellcheck disable=SC2016
redis_ping() {
    timeout 2 bash -c '
        exec 3<>/dev/tcp/127.0.0.1/$0
        printf "PING\r\n" >&3
        IFS= read -r reply <&3
        [[ $reply == "+PONG"* ]]' "$REDIS_PORT" 2>/dev/null
}

# alive PID: the process exists and is not a zombie.
alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

# pid_of NAME PATTERN: prints the pid from $RUN_DIR/NAME.pid if that process is
# alive and its command line contains PATTERN (guards against reused pids).
pid_of() {
    local file="$RUN_DIR/$1.pid" pid
    [[ -s $file ]] || return 1
    pid=$(tr -dc '0-9' <"$file")
    [[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2" || return 1
    printf '%s' "$pid"
}

# stop_pid NAME PATTERN SECONDS: TERM, wait, then KILL. Only our own pid files.
# Prints the pid it stopped (messages go to stderr).
stop_pid() {
    local name=$1 pattern=$2 wait_s=$3 pid i
    if ! pid=$(pid_of "$name" "$pattern"); then
        rm -f "$RUN_DIR/$name.pid"
        return 1
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < wait_s * 10; i++)); do
        alive "$pid" || break
        sleep 0.1
    done
    if alive "$pid"; then
        say "$name" "did not stop in ${wait_s}s, sending KILL to pid $pid" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$RUN_DIR/$name.pid"
    printf '%s' "$pid"
}

# start_bg NAME LOGFILE CMD...: start CMD detached (own session), record its pid.
start_bg() {
    local name=$1 log=$2 pid
    shift 2
    # In a non-interactive shell the background child is not a process-group
    # leader, so setsid does not fork and $! is the daemon's own pid.
    setsid "$@" >>"$log" 2>&1 </dev/null 9>&- &
    pid=$!
    printf '%s\n' "$pid" >"$RUN_DIR/$name.pid"
    printf '%s' "$pid"
}

# wait_for SECONDS PID CMD...: poll CMD until it succeeds; fail if PID dies.
wait_for() {
    local secs=$1 pid=$2 i
    shift 2
    for ((i = 0; i < secs * 5; i++)); do
        "$@" && return 0
        [[ -z $pid ]] || alive "$pid" || return 2
        sleep 0.2
    done
    return 1
}

# Python with aiokafka: the workspace venv (uv sync), else `uv run`.
python_env() {
    if [[ -x $REPO_ROOT/.venv/bin/python ]]; then
        "$REPO_ROOT/.venv/bin/python" "$@"
    elif command -v uv >/dev/null 2>&1; then
        (cd "$REPO_ROOT" && uv run --frozen python "$@")
    else
        die "no Python environment: run 'uv sync' in $REPO_ROOT first"
    fi
}

urlencode() {
    local LC_ALL=C s=$1 out="" c i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
            [A-Za-z0-9._~-]) out+=$c ;;
            *) printf -v c '%%%02X' "'$c" && out+=$c ;;
        esac
    done
    printf '%s' "$out"
}

# write_if_changed FILE MODE: stdin -> FILE, only when the content differs.
# Returns 0 if written, 1 if unchanged.
write_if_changed() {
    local file=$1 mode=$2 tmp
    tmp=$(mktemp "$file.XXXXXX")
    cat >"$tmp"
    chmod "$mode" "$tmp"
    if [[ -f $file ]] && cmp -s "$tmp" "$file"; then
        rm -f "$tmp"
        return 1
    fi
    mv -f "$tmp" "$file"
}

# ----------------------------------------------------------------- secrets ---
# secret_from_file KEY: value of KEY in secrets.env (last wins), quotes stripped.
secret_from_file() {
    [[ -f $SECRETS_FILE ]] || return 1
    local line value
    line=$(grep -E "^[[:space:]]*(export[[:space:]]+)?$1=" "$SECRETS_FILE" | tail -n 1) || return 1
    value=${line#*=}
    value=${value%$'\r'}
    if [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]]; then value=${BASH_REMATCH[1]}; fi
    [[ -n $value ]] || return 1
    printf '%s' "$value"
}

# Sets PG_ADMIN_PASSWORD: environment > secrets.env > newly generated (appended).
load_pg_password() {
    if [[ -n ${ADSCALE_PG_ADMIN_PASSWORD:-} ]]; then
        PG_ADMIN_PASSWORD=$ADSCALE_PG_ADMIN_PASSWORD
        say secrets "ADSCALE_PG_ADMIN_PASSWORD from the environment"
    elif PG_ADMIN_PASSWORD=$(secret_from_file ADSCALE_PG_ADMIN_PASSWORD); then
        say secrets "ADSCALE_PG_ADMIN_PASSWORD from $SECRETS_FILE"
    else
        if command -v python3 >/dev/null 2>&1; then
            PG_ADMIN_PASSWORD=$(python3 -c 'import secrets;print(secrets.token_urlsafe(24))')
        else
            PG_ADMIN_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
        fi
        [[ -n $PG_ADMIN_PASSWORD ]] || die "could not generate a password"
        # Keep the file line-terminated before appending.
        if [[ -s $SECRETS_FILE && -n $(tail -c 1 "$SECRETS_FILE") ]]; then
            echo >>"$SECRETS_FILE"
        fi
        printf 'ADSCALE_PG_ADMIN_PASSWORD=%s\n' "$PG_ADMIN_PASSWORD" >>"$SECRETS_FILE"
        say secrets "generated ADSCALE_PG_ADMIN_PASSWORD, appended to $SECRETS_FILE"
    fi
    [[ ! -f $SECRETS_FILE ]] || chmod 600 "$SECRETS_FILE"
}

# ---------------------------------------------------------------- postgres ---
pg_cluster_field() {
    # pg_lsclusters -h: version cluster port status owner datadir logfile
    pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" -v f="$1" \
        '$1 == v && $2 == c { print $f }'
}

pg_tcp_login_ok() {
    local out
    out=$(PGPASSWORD=$PG_ADMIN_PASSWORD PGCONNECT_TIMEOUT=5 psql -X -q -t -A \
        -h 127.0.0.1 -p "$PG_PORT" -U "$PG_ADMIN_ROLE" -d postgres \
        -c "SELECT rolcanlogin AND rolcreatedb AND rolcreaterole FROM pg_roles
            WHERE rolname = current_user" 2>/dev/null) || return 1
    [[ $out == t ]]
}

pg_ensure_role() {
    (
        cd /
        export ADSCALE_PROVISION_PW=$PG_ADMIN_PASSWORD
        runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d postgres <<SQL
\\getenv pw ADSCALE_PROVISION_PW
SELECT 'CREATE ROLE $PG_ADMIN_ROLE' WHERE NOT EXISTS (
    SELECT FROM pg_roles WHERE rolname = '$PG_ADMIN_ROLE')\\gexec
ALTER ROLE $PG_ADMIN_ROLE WITH LOGIN CREATEDB CREATEROLE PASSWORD :'pw';
SQL
    )
    pg_grant_signal
}

# DROP DATABASE ... WITH (FORCE) of a scratch test database must be able to end an
# autovacuum worker that is still in it (those run as no role a member could own).
pg_grant_signal() {
    (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d postgres \
        -c "SET client_min_messages TO warning" -c "GRANT pg_signal_backend TO $PG_ADMIN_ROLE") >/dev/null
}

postgres_up() {
    if [[ -n ${ADSCALE_DATABASE_URL:-} ]]; then
        say postgres "ADSCALE_DATABASE_URL is set: using it, nothing provisioned"
        return
    fi
    load_pg_password
    if [[ ! -x $PG_BIN ]]; then
        apt_install postgresql
        [[ -x $PG_BIN ]] || die "postgresql installed but $PG_BIN is missing (not PostgreSQL $PG_VERSION?)"
    fi
    if [[ -z $(pg_cluster_field 1) ]]; then
        say postgres "creating cluster $PG_VERSION/$PG_CLUSTER"
        run_logged "$LOG_DIR/postgres-setup.log" as_root \
            pg_createcluster "$PG_VERSION" "$PG_CLUSTER" --port "$PG_PORT"
    fi
    local port status
    port=$(pg_cluster_field 3)
    [[ $port == "$PG_PORT" ]] ||
        die "cluster $PG_VERSION/$PG_CLUSTER is configured for port $port, expected $PG_PORT"
    status=$(pg_cluster_field 4)
    if [[ $status == online* ]]; then
        if [[ -f $PG_MARKER ]]; then
            say postgres "cluster $PG_VERSION/$PG_CLUSTER running (started by provision.sh)"
        else
            say postgres "cluster $PG_VERSION/$PG_CLUSTER already running (not ours; down leaves it)"
        fi
    else
        if port_open "$PG_PORT"; then
            die "port $PG_PORT is taken by something other than cluster $PG_VERSION/$PG_CLUSTER"
        fi
        run_logged "$LOG_DIR/postgres-setup.log" as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
        date -u +%FT%TZ >"$PG_MARKER"
        say postgres "started cluster $PG_VERSION/$PG_CLUSTER"
    fi
    wait_for 30 "" pg_isready -q -h 127.0.0.1 -p "$PG_PORT" ||
        die "PostgreSQL does not accept connections on 127.0.0.1:$PG_PORT (see /var/log/postgresql/)"

    if pg_tcp_login_ok; then
        pg_grant_signal
        say postgres "role $PG_ADMIN_ROLE ok (password login over TCP on 127.0.0.1:$PG_PORT)"
        return
    fi
    pg_ensure_role
    pg_tcp_login_ok || die "role $PG_ADMIN_ROLE was set up but password login on 127.0.0.1:$PG_PORT" \
        "fails: check /etc/postgresql/$PG_VERSION/$PG_CLUSTER/pg_hba.conf allows scram-sha-256 there"
    say postgres "role $PG_ADMIN_ROLE created/updated (LOGIN CREATEDB CREATEROLE, password set; TCP login ok)"
}

postgres_down() {
    if [[ -n ${ADSCALE_DATABASE_URL:-} ]]; then
        say postgres "external (ADSCALE_DATABASE_URL), nothing to stop"
    elif [[ -f $PG_MARKER ]]; then
        if [[ $(pg_cluster_field 4) == online* ]]; then
            run_logged "$LOG_DIR/postgres-setup.log" as_root \
                pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop -m fast
            say postgres "stopped cluster $PG_VERSION/$PG_CLUSTER"
        else
            say postgres "cluster $PG_VERSION/$PG_CLUSTER already stopped"
        fi
        rm -f "$PG_MARKER"
    else
        say postgres "not started by provision.sh, left as it is"
    fi
}

postgres_status() {
    if [[ -n ${ADSCALE_DATABASE_URL:-} ]]; then
        say postgres "external (ADSCALE_DATABASE_URL)"
        return 0
    fi
    local status owner="found running, not ours"
    status=$(pg_cluster_field 4 || true)
    [[ -f $PG_MARKER ]] && owner="started by provision.sh"
    if [[ -z $status ]]; then
        say postgres "not installed / no cluster $PG_VERSION/$PG_CLUSTER"
        return 1
    elif [[ $status == online* ]] && pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then
        say postgres "running on 127.0.0.1:$PG_PORT (cluster $PG_VERSION/$PG_CLUSTER, $owner)"
    else
        say postgres "stopped (cluster $PG_VERSION/$PG_CLUSTER $status)"
        return 1
    fi
}

# ------------------------------------------------------------------- redis ---
redis_up() {
    if [[ -n ${ADSCALE_REDIS_URL:-} ]]; then
        say redis "ADSCALE_REDIS_URL is set: using it, nothing provisioned"
        return
    fi
    local pid
    if redis_ping; then
        if pid=$(pid_of redis redis-server); then
            say redis "running on 127.0.0.1:$REDIS_PORT (ours, pid $pid)"
        else
            say redis "something already answers PING on 127.0.0.1:$REDIS_PORT: using it (not ours)"
        fi
        return
    fi
    if [[ ! -x /usr/bin/redis-server ]]; then
        apt_install redis-server
        # The package's init script may have started its own server.
        if wait_for 3 "" redis_ping; then
            say redis "the redis-server package started a server on $REDIS_PORT: using it (not ours)"
            return
        fi
    fi
    if port_open "$REDIS_PORT"; then
        die "port $REDIS_PORT is taken by something that does not answer Redis PING"
    fi
    rm -f "$RUN_DIR/redis.pid"
    run_logged "$LOG_DIR/redis.log" /usr/bin/redis-server --daemonize yes \
        --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
        --dir "$RUN_DIR" --pidfile "$RUN_DIR/redis.pid" --logfile "$LOG_DIR/redis.log"
    wait_for 10 "" redis_ping || die "redis-server did not answer PING (see $LOG_DIR/redis.log)"
    wait_for 5 "" pid_of redis redis-server >/dev/null || die "redis-server wrote no pid file"
    say redis "started redis-server on 127.0.0.1:$REDIS_PORT (pid $(pid_of redis redis-server))"
}

redis_down() {
    local pid
    if [[ -n ${ADSCALE_REDIS_URL:-} ]]; then
        say redis "external (ADSCALE_REDIS_URL), nothing to stop"
    elif pid=$(stop_pid redis redis-server 10); then
        say redis "stopped redis-server (pid $pid)"
    else
        say redis "no redis-server started by provision.sh is running"
    fi
}

redis_status() {
    local pid owner="not ours"
    if [[ -n ${ADSCALE_REDIS_URL:-} ]]; then
        say redis "external (ADSCALE_REDIS_URL)"
        return 0
    fi
    pid=$(pid_of redis redis-server) && owner="ours, pid $pid"
    if redis_ping; then
        say redis "running on 127.0.0.1:$REDIS_PORT ($owner)"
    else
        say redis "stopped"
        return 1
    fi
}

# ------------------------------------------------------------------- kafka ---
KAFKA_MAJOR=${KAFKA_VERSION%%.*}

java_bin() {
    local java=${JAVA_HOME:+$JAVA_HOME/bin/java}
    java=${java:-$(command -v java || true)}
    if [[ -n $java ]]; then
        local major
        major=$("$java" -XshowSettings:properties -version 2>&1 |
            awk -F'= ' '/java.specification.version/ { print $2 }')
        if [[ ${major%%.*} -ge 17 ]]; then
            printf '%s' "$java"
            return
        fi
    fi
    return 1
}

ensure_java_maven() {
    if ! java_bin >/dev/null; then
        apt_install openjdk-17-jre-headless
        JAVA_HOME="/usr/lib/jvm/java-17-openjdk-$(dpkg --print-architecture)"
        java_bin >/dev/null || die "no Java 17+ after installing openjdk-17-jre-headless"
    fi
    command -v mvn >/dev/null 2>&1 || apt_install maven
}

kafka_fetch_jars() {
    if [[ -d $KAFKA_LIBS ]]; then
        say kafka "jars for $KAFKA_VERSION cached in $KAFKA_LIBS"
        return
    fi
    local profile=log4j2
    [[ $KAFKA_MAJOR -ge 4 ]] || profile=reload4j
    say kafka "downloading kafka_2.13 $KAFKA_VERSION + $profile from Maven Central (log: $LOG_DIR/maven.log)"
    rm -rf "$KAFKA_LIBS.tmp"
    run_logged "$LOG_DIR/maven.log" mvn -B -q -f "$SCRIPT_DIR/kafka/pom.xml" \
        dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory="$KAFKA_LIBS.tmp" -Dkafka.version="$KAFKA_VERSION" -P"$profile"
    compgen -G "$KAFKA_LIBS.tmp/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null ||
        die "maven finished but kafka_2.13-$KAFKA_VERSION.jar is missing"
    mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
    say kafka "$(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars in $KAFKA_LIBS"
}

# kafka_java_cmd: sets KAFKA_CMD, the java command line before the main class.
kafka_java_cmd() {
    local java logging
    java=$(java_bin) || die "no Java 17+"
    if [[ $KAFKA_MAJOR -ge 4 ]]; then
        logging="-Dlog4j2.configurationFile=$SCRIPT_DIR/kafka/log4j2.properties"
    else
        logging="-Dlog4j.configuration=file:$SCRIPT_DIR/kafka/log4j.properties"
    fi
    KAFKA_CMD=("$java" -Xmx512m -Xms256m -XX:+UseG1GC -XX:MaxGCPauseMillis=20
        -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true "$logging"
        -cp "$KAFKA_LIBS/*")
}

kafka_wait() { python_env "$SCRIPT_DIR/lib/kafka_wait.py" "127.0.0.1:$KAFKA_PORT" "$@"; }

kafka_prepare() {
    kafka_java_cmd
    mkdir -p "$KAFKA_DATA"
    if sed "s#@KAFKA_DATA_DIR@#$KAFKA_DATA#g" "$SCRIPT_DIR/kafka/server.properties" |
        write_if_changed "$KAFKA_HOME/server.properties" 644; then
        say kafka "wrote $KAFKA_HOME/server.properties"
    fi
    if [[ ! -s $KAFKA_HOME/cluster.id ]]; then
        local id
        id=$("${KAFKA_CMD[@]}" kafka.tools.StorageTool random-uuid 2>>"$LOG_DIR/kafka.log" | tail -n 1)
        [[ $id =~ ^[A-Za-z0-9_-]{22}$ ]] || die "StorageTool random-uuid gave '$id'"
        printf '%s\n' "$id" >"$KAFKA_HOME/cluster.id"
        say kafka "new cluster id $id"
    fi
    if [[ ! -f $KAFKA_DATA/meta.properties ]]; then
        run_logged "$LOG_DIR/kafka.log" "${KAFKA_CMD[@]}" kafka.tools.StorageTool format \
            -t "$(cat "$KAFKA_HOME/cluster.id")" -c "$KAFKA_HOME/server.properties" -g
        printf '%s\n' "$KAFKA_VERSION" >"$KAFKA_HOME/formatted-with"
        say kafka "formatted storage in $KAFKA_DATA (cluster $(cat "$KAFKA_HOME/cluster.id"))"
    fi
}

kafka_up() {
    if [[ -n ${ADSCALE_KAFKA_BOOTSTRAP:-} ]]; then
        say kafka "ADSCALE_KAFKA_BOOTSTRAP is set: using it, nothing provisioned"
        return
    fi
    local pid
    if pid=$(pid_of kafka kafka.Kafka); then
        kafka_wait --timeout 90 --pid "$pid" >/dev/null ||
            die "our Kafka (pid $pid) does not answer metadata requests (see $LOG_DIR/kafka.log)"
        say kafka "running on 127.0.0.1:$KAFKA_PORT (ours, pid $pid)"
        return
    fi
    if port_open "$KAFKA_PORT"; then
        kafka_wait --timeout 15 >/dev/null ||
            die "port $KAFKA_PORT is taken by something that does not answer Kafka metadata requests"
        say kafka "a broker already answers on 127.0.0.1:$KAFKA_PORT: using it (not ours)"
        return
    fi
    ensure_java_maven
    kafka_fetch_jars
    kafka_prepare
    local log="$LOG_DIR/kafka.log"
    if [[ -f $log ]] && (($(stat -c %s "$log") > 50 * 1024 * 1024)); then
        mv -f "$log" "$log.1"
    fi
    pid=$(start_bg kafka "$log" "${KAFKA_CMD[@]}" kafka.Kafka "$KAFKA_HOME/server.properties")
    say kafka "starting Kafka $KAFKA_VERSION (pid $pid, log $log)"
    if ! kafka_wait --timeout 120 --pid "$pid" >/dev/null; then
        tail -n 40 "$log" >&2
        local formatted
        formatted=$(cat "$KAFKA_HOME/formatted-with" 2>/dev/null || true)
        if [[ -n $formatted && $formatted != "$KAFKA_VERSION" ]]; then
            printf '[provision] hint: %s was formatted by Kafka %s; remove it to start fresh\n' \
                "$KAFKA_DATA" "$formatted" >&2
        fi
        die "Kafka did not come up (see $log)"
    fi
    say kafka "Kafka $KAFKA_VERSION up on 127.0.0.1:$KAFKA_PORT (pid $pid)"
}

kafka_down() {
    local pid
    if [[ -n ${ADSCALE_KAFKA_BOOTSTRAP:-} ]]; then
        say kafka "external (ADSCALE_KAFKA_BOOTSTRAP), nothing to stop"
    elif pid=$(stop_pid kafka kafka.Kafka 60); then
        say kafka "stopped Kafka (pid $pid)"
    else
        say kafka "no Kafka started by provision.sh is running"
    fi
}

kafka_status() {
    local pid
    if [[ -n ${ADSCALE_KAFKA_BOOTSTRAP:-} ]]; then
        say kafka "external (ADSCALE_KAFKA_BOOTSTRAP=$ADSCALE_KAFKA_BOOTSTRAP)"
    elif pid=$(pid_of kafka kafka.Kafka) && port_open "$KAFKA_PORT"; then
        say kafka "running on 127.0.0.1:$KAFKA_PORT (Kafka $KAFKA_VERSION, ours, pid $pid)"
    elif [[ -n ${pid:-} ]]; then
        say kafka "starting (pid $pid, port $KAFKA_PORT not open yet)"
        return 1
    elif port_open "$KAFKA_PORT"; then
        say kafka "something listens on 127.0.0.1:$KAFKA_PORT (not ours)"
    else
        say kafka "stopped"
        return 1
    fi
}

# ------------------------------------------------------------- stripe-mock ---
GO_BIN=""

# go_install NAME MODULE VERSION: $BIN_DIR/NAME built by `go install MODULE@VERSION`,
# rebuilt only when the pinned version changes (stamp file NAME.version).
go_install() {
    local name=$1 module=$2 version=$3
    local bin="$BIN_DIR/$name" stamp="$BIN_DIR/$name.version"
    if [[ -x $bin && $(cat "$stamp" 2>/dev/null) == "$version" ]]; then return 0; fi
    GO_BIN=$(command -v go || true)
    [[ -n $GO_BIN || ! -x /usr/local/go/bin/go ]] || GO_BIN=/usr/local/go/bin/go
    [[ -n $GO_BIN ]] || die "Go is needed to build $name (go install); none on PATH"
    say "$name" "go install $module@$version (log: $LOG_DIR/go-install.log)"
    run_logged "$LOG_DIR/go-install.log" env GOBIN="$BIN_DIR" "$GO_BIN" install "$module@$version"
    [[ -x $bin ]] || die "go install finished but $bin is missing"
    printf '%s\n' "$version" >"$stamp"
}

# bin_down NAME SKIP_VAR: stop $BIN_DIR/NAME if provision.sh started it; nothing to do
# when SKIP_VAR (the variable naming an external replacement) is set.
bin_down() {
    local name=$1 skip=$2 pid
    if [[ -n ${!skip:-} ]]; then
        say "$name" "external ($skip), nothing to stop"
    elif pid=$(stop_pid "$name" "$BIN_DIR/$name" 10); then
        say "$name" "stopped $name (pid $pid)"
    else
        say "$name" "no $name started by provision.sh is running"
    fi
}

# bin_status NAME SKIP_VAR PORT WHERE: one line for a go-installed server (exit 1 if down).
bin_status() {
    local name=$1 skip=$2 port=$3 where=$4 pid owner="not ours"
    if [[ -n ${!skip:-} ]]; then
        say "$name" "external ($skip=${!skip})"
        return 0
    fi
    pid=$(pid_of "$name" "$BIN_DIR/$name") && owner="ours, pid $pid"
    if port_open "$port"; then
        say "$name" "running $where ($owner)"
    else
        say "$name" "stopped"
        return 1
    fi
}

stripe_mock_up() {
    if [[ -n ${ADSCALE_STRIPE_API_BASE:-} ]]; then
        say stripe-mock "ADSCALE_STRIPE_API_BASE is set: using it, nothing provisioned"
        return
    fi
    local bin="$BIN_DIR/stripe-mock" pid
    go_install stripe-mock github.com/stripe/stripe-mock "$STRIPE_MOCK_VERSION"
    if pid=$(pid_of stripe-mock "$bin"); then
        say stripe-mock "running on 127.0.0.1:$STRIPE_MOCK_PORT (ours, pid $pid)"
        return
    fi
    if port_open "$STRIPE_MOCK_PORT"; then
        say stripe-mock "something already answers on $STRIPE_MOCK_PORT: using it (not ours)"
        return
    fi
    # -http-port only: serves plain HTTP (on all interfaces) and no HTTPS; with
    # -http-addr, stripe-mock would also open HTTPS on 12112.
    pid=$(start_bg stripe-mock "$LOG_DIR/stripe-mock.log" "$bin" -http-port "$STRIPE_MOCK_PORT")
    wait_for 30 "$pid" port_open "$STRIPE_MOCK_PORT" ||
        die "stripe-mock did not open port $STRIPE_MOCK_PORT (see $LOG_DIR/stripe-mock.log)"
    local code
    code=$(http_status "$STRIPE_MOCK_PORT" /v1/customers)
    [[ $code == 200 ]] || die "stripe-mock answered GET /v1/customers with '$code', expected 200"
    say stripe-mock "started stripe-mock $STRIPE_MOCK_VERSION on 127.0.0.1:$STRIPE_MOCK_PORT (pid $pid)"
}

stripe_mock_down() { bin_down stripe-mock ADSCALE_STRIPE_API_BASE; }

stripe_mock_status() {
    bin_status stripe-mock ADSCALE_STRIPE_API_BASE "$STRIPE_MOCK_PORT" "on 127.0.0.1:$STRIPE_MOCK_PORT"
}

# ----------------------------------------------------------------- mailpit ---
# Development mail server: identity's reset mails land here (SMTP 1025), read them
# in the web UI / REST API on 8025. Messages persist in $ADSCALE_HOME/mailpit/.
mailpit_up() {
    if [[ -n ${IDENTITY_SMTP_HOST:-} ]]; then
        say mailpit "IDENTITY_SMTP_HOST is set: mail goes there, nothing provisioned"
        return
    fi
    local bin="$BIN_DIR/mailpit" pid code
    go_install mailpit github.com/axllent/mailpit "$MAILPIT_VERSION"
    if pid=$(pid_of mailpit "$bin"); then
        say mailpit "running: SMTP 127.0.0.1:$MAILPIT_SMTP_PORT, web UI http://127.0.0.1:$MAILPIT_HTTP_PORT (ours, pid $pid)"
        return
    fi
    if port_open "$MAILPIT_SMTP_PORT"; then
        say mailpit "something already answers on $MAILPIT_SMTP_PORT: using it (not ours)"
        return
    fi
    if port_open "$MAILPIT_HTTP_PORT"; then
        die "port $MAILPIT_HTTP_PORT (Mailpit web UI) is taken by something else"
    fi
    mkdir -p "$ADSCALE_HOME/mailpit"
    pid=$(start_bg mailpit "$LOG_DIR/mailpit.log" "$bin" \
        --smtp "127.0.0.1:$MAILPIT_SMTP_PORT" --listen "127.0.0.1:$MAILPIT_HTTP_PORT" \
        --database "$ADSCALE_HOME/mailpit/mailpit.db" --disable-version-check)
    wait_for 30 "$pid" port_open "$MAILPIT_SMTP_PORT" ||
        die "Mailpit did not open port $MAILPIT_SMTP_PORT (see $LOG_DIR/mailpit.log)"
    wait_for 10 "$pid" port_open "$MAILPIT_HTTP_PORT" ||
        die "Mailpit did not open port $MAILPIT_HTTP_PORT (see $LOG_DIR/mailpit.log)"
    code=$(http_status "$MAILPIT_HTTP_PORT" /api/v1/info)
    [[ $code == 200 ]] || die "Mailpit answered GET /api/v1/info with '$code', expected 200"
    say mailpit "started Mailpit $MAILPIT_VERSION: SMTP 127.0.0.1:$MAILPIT_SMTP_PORT, web UI http://127.0.0.1:$MAILPIT_HTTP_PORT (pid $pid)"
}

mailpit_down() { bin_down mailpit IDENTITY_SMTP_HOST; }

mailpit_status() {
    bin_status mailpit IDENTITY_SMTP_HOST "$MAILPIT_SMTP_PORT" \
        "on 127.0.0.1:$MAILPIT_SMTP_PORT (SMTP), web UI http://127.0.0.1:$MAILPIT_HTTP_PORT"
}

# --------------------------------------------------------------- infra.env ---
write_infra_env() {
    local db_url
    if [[ -n ${ADSCALE_DATABASE_URL:-} ]]; then
        db_url=$ADSCALE_DATABASE_URL
    else
        db_url="postgresql://$PG_ADMIN_ROLE:$(urlencode "$PG_ADMIN_PASSWORD")@127.0.0.1:$PG_PORT/postgres"
    fi
    if write_if_changed "$INFRA_ENV" 600 <<EOF; then
ADSCALE_DATABASE_URL=$db_url
ADSCALE_KAFKA_BOOTSTRAP=${ADSCALE_KAFKA_BOOTSTRAP:-127.0.0.1:$KAFKA_PORT}
ADSCALE_REDIS_URL=${ADSCALE_REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/0}
ADSCALE_STRIPE_API_BASE=${ADSCALE_STRIPE_API_BASE:-http://127.0.0.1:$STRIPE_MOCK_PORT}
EOF
        say infra.env "wrote $INFRA_ENV"
    else
        say infra.env "$INFRA_ENV unchanged"
    fi
}

# ---------------------------------------------------------------- commands ---
lock() {
    exec 9>"$RUN_DIR/provision.lock"
    flock -w 600 9 || die "another provision.sh is running (lock $RUN_DIR/provision.lock)"
}

cmd_up() {
    local t0=$SECONDS
    lock
    postgres_up
    redis_up
    kafka_up
    stripe_mock_up
    mailpit_up
    write_infra_env
    say "done" "infrastructure up in $((SECONDS - t0))s"
}

cmd_down() {
    lock
    mailpit_down
    stripe_mock_down
    kafka_down
    redis_down
    postgres_down
}

cmd_status() {
    local rc=0
    postgres_status || rc=3
    redis_status || rc=3
    kafka_status || rc=3
    stripe_mock_status || rc=3
    mailpit_status || rc=3
    return $rc
}

# Prometheus in the foreground against the local stack (Ctrl-C stops it): built once by
# go install (~10 min on 2 cores), data in $ADSCALE_HOME/prometheus.
cmd_observe() {
    go_install prometheus github.com/prometheus/prometheus/cmd/prometheus "$PROMETHEUS_VERSION"
    say prometheus "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/ (query, targets, rules, alerts)"
    say prometheus "no web UI: the go-installed binary carries no built UI assets"
    exec "$BIN_DIR/prometheus" --config.file="$REPO_ROOT/deploy/observability/prometheus.yml" \
        --storage.tsdb.path="$ADSCALE_HOME/prometheus" \
        --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"
}

cmd_env() {
    [[ -f $INFRA_ENV ]] || die "$INFRA_ENV does not exist yet: run 'bash deploy/provision.sh up'"
    cat "$INFRA_ENV"
}

cmd_check() {
    python_env "$SCRIPT_DIR/lib/kafka_check.py" "${ADSCALE_KAFKA_BOOTSTRAP:-127.0.0.1:$KAFKA_PORT}"
}

main() {
    mkdir -p "$RUN_DIR" "$LOG_DIR" "$BIN_DIR" "$KAFKA_HOME"
    case ${1:-} in
        up) cmd_up ;;
        down) cmd_down ;;
        status) cmd_status || exit $? ;;
        env) cmd_env ;;
        check) cmd_check ;;
        observe) cmd_observe ;;
        *)
            echo "usage: $0 up|down|status|env|check|observe" >&2
            exit 2
            ;;
    esac
}

main "$@"
