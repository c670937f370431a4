# Shared settings for deploy/local scripts. Sourced, not run.
# Every value can be overridden from the environment.
NM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The state directory must be reachable by the postgres and rabbitmq users: move it with NEWSMONITOR_STATE_DIR
# when the checkout sits under a private home directory.
NM_STATE=${NEWSMONITOR_STATE_DIR:-$NM_ROOT/deploy/local/.state}
NM_LOGS=$NM_STATE/logs
NM_PG_PORT=${NEWSMONITOR_PG_PORT:-55432}
NM_PG_DB=${NEWSMONITOR_PG_DB:-newsmonitor}
NM_PG_USER=newsmonitor
NM_PG_PASSWORD=${NEWSMONITOR_PG_PASSWORD:-newsmonitor}
NM_RABBIT_PORT=${NEWSMONITOR_RABBIT_PORT:-5682}
NM_RABBIT_DIST_PORT=${NEWSMONITOR_RABBIT_DIST_PORT:-25682}
NM_RABBIT_MGMT_PORT=${NEWSMONITOR_RABBIT_MGMT_PORT:-15682}
NM_RABBIT_NODE=${NEWSMONITOR_RABBIT_NODE:-newsmonitor@localhost}
NM_RABBIT_VHOST=${NEWSMONITOR_RABBIT_VHOST:-newsmonitor}
# The node's resource alarms (written to rabbitmq.conf by infra; a running node reads them at its next start).
NM_RABBIT_MEMORY_LIMIT=${NEWSMONITOR_RABBIT_MEMORY_LIMIT:-2GiB}
NM_RABBIT_DISK_FREE_LIMIT=${NEWSMONITOR_RABBIT_DISK_FREE_LIMIT:-2GB}
# RabbitMQ accounts (docs/security.md, "Broker"); `guest` is deleted. Passwords are generated into the state directory
# on first run (mode 600) and reach the node through rabbitmqctl's standard input, never a command line.
#   service:    what the services and the gateway use: configure, write, read on $NM_RABBIT_VHOST only; tag `management`,
#               the narrowest that lets the gateway's operations page read queue depths from the management API.
#   integrator: consume only, for integrators' own consumers (README, "Events for integrators").
#   admin:      tag `administrator`, for people at the management UI. The scripts and the tests administer the node
#               with rabbitmqctl over the Erlang cookie (root only), not with a password.
NM_RABBIT_USER=newsmonitor
NM_RABBIT_INTEGRATOR_USER=integrator
NM_RABBIT_ADMIN_USER=newsmonitor-admin
# The integrator's permissions: configure, write and read its own queues (names starting `integrator.`), read — that is,
# bind its queues to — the article event exchanges. No configure or write on ours (it can neither publish to an event
# exchange nor declare or delete our queues and exchanges); no read on AlertRaised, AlertDigestCompiled or
# IIntegrationEvent, which carry subscribers' tenants and alerts, nor on ArticleAlertsEvaluated, whose alert count would
# tell an integrator (who can post articles) whether any tenant watches a term (the gateway keeps alerts from integrator keys too).
NM_INTEGRATOR_CONFIGURE='^integrator\.'
NM_INTEGRATOR_WRITE='^integrator\.'
NM_INTEGRATOR_READ='^(integrator\..*|NewsMonitor\.Contracts:(ArticleReceived|ArticleClassified|EntitiesExtracted))$'
NM_GATEWAY_PORT=${NEWSMONITOR_GATEWAY_PORT:-8080}
NM_CONFIGURATION=${NEWSMONITOR_CONFIGURATION:-Release}

# name:port of every service; the gateway comes last so it starts after what it routes to.
# The six services take six consecutive ports from NEWSMONITOR_SERVICE_PORT (8081 unless set), so a second checkout can run beside.
NM_SERVICE_PORT=${NEWSMONITOR_SERVICE_PORT:-8081}
NM_SERVICES=(ingestion:$NM_SERVICE_PORT classification:$((NM_SERVICE_PORT + 1)) entities:$((NM_SERVICE_PORT + 2)) alerting:$((NM_SERVICE_PORT + 3)) sources:$((NM_SERVICE_PORT + 4)) events:$((NM_SERVICE_PORT + 5)) gateway:$NM_GATEWAY_PORT)

nm_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
nm_pg_connection() { echo "Host=127.0.0.1;Port=$NM_PG_PORT;Database=${1:-$NM_PG_DB};Username=$NM_PG_USER;Password=$NM_PG_PASSWORD"; }

nm_rabbit_env() {
  export RABBITMQ_NODENAME=$NM_RABBIT_NODE
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT=$NM_RABBIT_PORT
  export RABBITMQ_DIST_PORT=$NM_RABBIT_DIST_PORT
  export RABBITMQ_MNESIA_BASE=$NM_STATE/rabbitmq/mnesia
  export RABBITMQ_LOG_BASE=$NM_STATE/rabbitmq/log
  export RABBITMQ_CONFIG_FILE=$NM_STATE/rabbitmq/rabbitmq
  export RABBITMQ_ENABLED_PLUGINS_FILE=$NM_STATE/rabbitmq/enabled_plugins
  export RABBITMQ_PID_FILE=$NM_STATE/rabbitmq/rabbitmq.pid
  export ERL_EPMD_ADDRESS=127.0.0.1
  # Erlang distribution listens on loopback too.
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
}

nm_rabbitmqctl() { (nm_rabbit_env; rabbitmqctl -n "$NM_RABBIT_NODE" "$@"); }

# A secret kept in the state directory, generated on first use (32 letters and digits, mode 600): prints it.
nm_secret() {
  local file=$NM_STATE/$1
  if [ ! -s "$file" ]; then
    mkdir -p "$NM_STATE"
    (umask 077; head -c 48 /dev/urandom | base64 -w 0 | tr -dc 'A-Za-z0-9' | cut -c 1-32 | tr -d '\n' >"$file")
  fi
  cat "$file"
}
# Passwords of the RabbitMQ accounts; NEWSMONITOR_RABBIT_PASSWORD overrides the service account's.
nm_rabbit_password() { if [ -n "${NEWSMONITOR_RABBIT_PASSWORD:-}" ]; then printf '%s' "$NEWSMONITOR_RABBIT_PASSWORD"; else nm_secret rabbitmq-service.password; fi; }
nm_rabbit_integrator_password() { nm_secret rabbitmq-integrator.password; }
nm_rabbit_admin_password() { nm_secret rabbitmq-admin.password; }

nm_pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

nm_port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
nm_pg_running() { [ -f "$NM_STATE/postgres/data/postmaster.pid" ] && runuser -u postgres -- "$(nm_pg_bin)/pg_ctl" -D "$NM_STATE/postgres/data" status >/dev/null 2>&1; }
nm_rabbit_running() { [ -f "$NM_STATE/rabbitmq/rabbitmq.pid" ] && kill -0 "$(cat "$NM_STATE/rabbitmq/rabbitmq.pid")" 2>/dev/null; }
