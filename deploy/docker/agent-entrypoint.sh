#!/bin/bash
# Entrypoint of the fleet-agent container.
#   run [OPTIONS]   (default) enroll once if the data directory has no identity yet and an enrollment token is
#                   given, then exec `fleet-agent run`.
#   anything else  `fleet-agent ARGS` (status, enroll, --version, ...).
# Environment:
#   FLEET_SERVER                  the Api's URL (https://fleet.example.net), needed to enroll
#   FLEET_ENROLLMENT_TOKEN        a fleet_e_... token, or
#   FLEET_ENROLLMENT_TOKEN_FILE   a file holding it (a mounted secret); waited for up to
#                                 FLEET_ENROLLMENT_WAIT_SECONDS (default 120) when it does not exist yet
#   FLEET_AGENT_NAME              display name of this host (default: the hostname)
#   FLEET_AGENT_DATA_DIR          data directory (default /var/lib/fleet-agent: mount a volume there)
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
    "$agent" enroll --server "$FLEET_SERVER" --token "$token" --name "${FLEET_AGENT_NAME:-$(hostname)}" \
      --data-dir "$data_dir"
  fi
  exec "$agent" run --data-dir "$data_dir" "$@"
fi

exec "$agent" "$@"
