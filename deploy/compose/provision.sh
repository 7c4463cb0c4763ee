#!/bin/bash
# One-shot provisioning of the docker compose demo through Fleet's REST API (docs/rest-api.md), authenticated with
# the bootstrap admin API key (Fleet:Bootstrap:AdminApiKey).
#
#   provision.sh token FILE
#       creates an enrollment token good for FLEET_DEMO_HOSTS (default 2) enrollments within an hour and writes
#       its secret to FILE (mode 0600), where the agent containers read it.
#   provision.sh striper-link HOST_A HOST_B
#       waits until both hosts have enrolled, then gives each a striper link `str0` over the members `path-a` and
#       `path-b`, peered with the other host, sharing one fresh pre-shared key. A host that already has `str0`
#       keeps it, so running this again changes nothing.
#
# Environment: FLEET_API (http://api:8080), FLEET_API_KEY (the bootstrap key), and for striper-link the hosts'
# path addresses FLEET_DEMO_<HOST>_PATH_A / _PATH_B (HOST upper-cased, - as _), FLEET_DEMO_WAIT_SECONDS (180).
set -euo pipefail

api=${FLEET_API:-http://api:8080}
key=${FLEET_API_KEY:?FLEET_API_KEY must hold the bootstrap admin API key of the Api}

log() { echo "provision: $*" >&2; }

# api METHOD PATH [JSON-BODY]: prints the response body; fails on a non-2xx answer with the ProblemDetails shown.
call() {
  local method=$1 path=$2 body=${3:-} response status
  local args=(--silent --show-error --max-time 15 --request "$method" --header "Authorization: Bearer $key"
    --header "Accept: application/json" --write-out '\n%{http_code}')
  if [[ -n $body ]]; then
    args+=(--header "Content-Type: application/json" --data-binary "$body")
  fi
  response=$(curl "${args[@]}" "$api$path") || return 1
  status=${response##*$'\n'}
  response=${response%$'\n'*}
  if [[ $status != 2* ]]; then
    log "$method $path answered $status: $response"
    return 1
  fi
  printf '%s' "$response"
}

wait_for_api() {
  local deadline=$((SECONDS + ${FLEET_DEMO_WAIT_SECONDS:-180}))
  until curl --silent --fail --max-time 5 "$api/readyz" >/dev/null; do
    ((SECONDS < deadline)) || { log "$api/readyz did not answer 200 in time"; exit 1; }
    sleep 2
  done
}

create_token() {
  local file=$1 body secret
  wait_for_api
  body=$(jq -n --argjson uses "${FLEET_DEMO_HOSTS:-2}" \
    '{description: "docker compose demo agents", maxUses: $uses, expiresInSeconds: 3600}')
  secret=$(call POST /api/v1/enrollment-tokens "$body" | jq -er '.secret')
  umask 077
  printf '%s\n' "$secret" >"$file.tmp"
  mv "$file.tmp" "$file"
  log "enrollment token for ${FLEET_DEMO_HOSTS:-2} hosts written to $file"
}

# host_id NAME: the id of the enrolled host with this name, empty while it has not enrolled.
host_id() {
  call GET "/api/v1/hosts?name=$1" | jq -r --arg name "$1" '[.items[] | select(.name == $name)][0].id // empty'
}

path_address() {
  local variable
  variable="FLEET_DEMO_$(tr '[:lower:]-' '[:upper:]_' <<<"$1")_PATH_$2"
  [[ -n ${!variable:-} ]] || { log "$variable is not set"; exit 2; }
  printf '%s' "${!variable}"
}

striper_link() {
  local host_a=$1 host_b=$2 deadline id_a='' id_b='' psk
  wait_for_api
  deadline=$((SECONDS + ${FLEET_DEMO_WAIT_SECONDS:-180}))
  while [[ -z $id_a || -z $id_b ]]; do
    ((SECONDS < deadline)) || { log "hosts $host_a and $host_b did not both enroll in time"; exit 1; }
    id_a=$(host_id "$host_a") id_b=$(host_id "$host_b")
    [[ -n $id_a && -n $id_b ]] || sleep 2
  done
  psk=$(head -c 32 /dev/urandom | base64)
  add_link "$id_a" "$host_a" "$host_b" 10.99.0.1/30 "$psk"
  add_link "$id_b" "$host_b" "$host_a" 10.99.0.2/30 "$psk"
}

# add_link HOST-ID SELF PEER TUNNEL-ADDRESS KEY
add_link() {
  local id=$1 self=$2 peer=$3 address=$4 psk=$5 existing spec
  existing=$(call GET "/api/v1/links?hostId=$id" | jq -r '[.items[] | select(.name == "str0")] | length')
  if [[ $existing != 0 ]]; then
    log "$self already has str0"
    return 0
  fi
  spec=$(jq -n --arg hostId "$id" --arg address "$address" --arg key "$psk" \
    --arg a_local "$(path_address "$self" A)" --arg a_peer "$(path_address "$peer" A)" \
    --arg b_local "$(path_address "$self" B)" --arg b_peer "$(path_address "$peer" B)" '{
      hostId: $hostId,
      spec: {
        kind: "striper", name: "str0", addresses: [$address], repairDrift: true,
        members: [
          {interface: "path-a", address: $a_local, localPort: 7000, peer: ($a_peer + ":7000")},
          {interface: "path-b", address: $b_local, localPort: 7001, peer: ($b_peer + ":7001")}
        ],
        striper: {scheduler: "weighted", key: $key}
      }
    }')
  call POST /api/v1/links "$spec" >/dev/null
  log "$self: striper link str0 ($address) over path-a and path-b to $peer"
}

case ${1:-} in
  token) [[ $# -eq 2 ]] || { log "usage: provision.sh token FILE"; exit 2; }; create_token "$2" ;;
  striper-link) [[ $# -eq 3 ]] || { log "usage: provision.sh striper-link HOST_A HOST_B"; exit 2; }; striper_link "$2" "$3" ;;
  *) log "usage: provision.sh token FILE | striper-link HOST_A HOST_B"; exit 2 ;;
esac
