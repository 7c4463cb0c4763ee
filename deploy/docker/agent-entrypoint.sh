#!/bin/bash
# Entrypoint of the fleet-agent container.
#   run [OPTIONS]   (default) enroll once if the data directory has no identity yet and an enrollment token is
#                   given, then exec `fleet-agent run`.
#   health          the image's HEALTHCHECK: `fleet-agent status` of this data directory; exit 0 only while the
#                   agent runs and is connected to the Api, otherwise 1 with the reason and the status printed
#   anything else  `fleet-agent ARGS` (status, enroll, --version, ...).
# Environment:
#   FLEET_SERVER                  the Api's URL (https://fleet.example.net), needed to enroll
#   FLEET_ENROLLMENT_TOKEN        a fleet_e_... token, or
#   FLEET_ENROLLMENT_TOKEN_FILE   a file holding it (a mounted secret); waited for up to
#                                 FLEET_ENROLLMENT_WAIT_SECONDS (default 120) when it does not exist yet
#   FLEET_AGENT_NAME              display name of this host (default: the hostname)
#   FLEET_AGENT_DATA_DIR          data directory (default /var/lib/fleet-agent: mount a volume there)
#   FLEET_ALLOW_INSECURE_HTTP     true: pass --allow-insecure-http to enroll and run (if this agent knows it), for an
#                                 http:// FLEET_SERVER (a test bed, a demo); the agent refuses plain HTTP without it
# Without an identity and without a token it exits with 78 (EX_CONFIG) and says what is missing, so a container
# never runs an agent that is not enrolled.
set -euo pipefail

data_dir=${FLEET_AGENT_DATA_DIR:-/var/lib/fleet-agent}
agent=${FLEET_AGENT_BIN:-fleet-agent}

read_token() {
  if [[ -n ${FLEET_ENROLLMENT_TOKEN:-} ]]; then
    printf '%s' "$FLEET_ENROLLMENT_TOKEN"
    return 0
  fi
  local file=${FLEET_ENROLLMENT_TOKEN_FILE:-}
  [[ -n $file ]] || return 1
  local deadline=$((SECONDS + ${FLEET_ENROLLMENT_WAIT_SECONDS:-120}))
  until [[ -s $file ]]; do
    if ((SECONDS >= deadline)); then
      echo "fleet-agent-entrypoint: $file did not appear" >&2
      return 1
    fi
    sleep 1
  done
  tr -d '[:space:]' <"$file"
}

case ${FLEET_ALLOW_INSECURE_HTTP:-false} in
  true | false) ;;
  *)
    echo "fleet-agent-entrypoint: FLEET_ALLOW_INSECURE_HTTP must be true or false, not '$FLEET_ALLOW_INSECURE_HTTP'" >&2
    exit 78
    ;;
esac

# insecure_http COMMAND: the option that lets COMMAND use an http:// server, when FLEET_ALLOW_INSECURE_HTTP=true.
# Agents from before --allow-insecure-http accept plain HTTP unasked and do not know the option: it is given only to
# an agent whose help lists it.
insecure_http() {
  if [[ ${FLEET_ALLOW_INSECURE_HTTP:-false} == true ]] && "$agent" "$1" --help 2>/dev/null | grep -q -- '--allow-insecure-http'; then
    echo --allow-insecure-http
  fi
}

if [[ ${1:-} == health ]]; then
  # The exit codes of `fleet-agent status` (docs/agent.md) say which; Docker and podman keep this output.
  code=0
  report=$("$agent" status --data-dir "$data_dir" 2>&1) || code=$?
  case $code in
    0) exit 0 ;;
    5) echo "unhealthy: the agent runs but is not connected to the Api" ;;
    6) echo "unhealthy: the agent is not enrolled" ;;
    8) echo "unhealthy: the agent is not running" ;;
    *) echo "unhealthy: fleet-agent status exited $code" ;;
  esac
  printf '%s\n' "$report"
  exit 1
fi

if [[ $# -eq 0 || $1 == run ]]; then
  [[ $# -gt 0 ]] && shift
  if [[ ! -s $data_dir/identity.json ]]; then
    if [[ -z ${FLEET_SERVER:-} ]] || ! token=$(read_token); then
      echo "fleet-agent-entrypoint: this agent is not enrolled ($data_dir/identity.json does not exist)." >&2
      echo "Set FLEET_SERVER and FLEET_ENROLLMENT_TOKEN (or FLEET_ENROLLMENT_TOKEN_FILE), or run" >&2
      echo "'fleet-agent enroll --server URL --token TOKEN' in this container once." >&2
      exit 78
    fi
    echo "fleet-agent-entrypoint: enrolling at $FLEET_SERVER as ${FLEET_AGENT_NAME:-$(hostname)}"
    mapfile -t insecure < <(insecure_http enroll)
    "$agent" enroll --server "$FLEET_SERVER" --token "$token" --name "${FLEET_AGENT_NAME:-$(hostname)}" \
      --data-dir "$data_dir" "${insecure[@]}"
  fi
  mapfile -t insecure < <(insecure_http run)
  exec "$agent" run --data-dir "$data_dir" "${insecure[@]}" "$@"
fi

exec "$agent" "$@"
