#!/bin/bash
# Health probe of the fleet-api container (Dockerfile HEALTHCHECK): exit 0 when GET <url> answers 200.
# The .NET base image has neither curl nor wget, so this speaks HTTP/1.1 over bash's /dev/tcp.
#   fleet-healthcheck [http://127.0.0.1:8080/healthz]
set -euo pipefail

url=${1:-http://127.0.0.1:8080/healthz}
if [[ ! $url =~ ^http://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:([0-9]{1,5}))?(/[^[:space:]]*)?$ ]]; then
  echo "fleet-healthcheck: unsupported URL '$url' (plain http://host[:port]/path only)" >&2
  exit 2
fi
host=${BASH_REMATCH[1]}
port=${BASH_REMATCH[3]:-80}
path=${BASH_REMATCH[4]:-/}
connect_host=${host#[}
connect_host=${connect_host%]}

if ! exec 3<>"/dev/tcp/$connect_host/$port"; then
  echo "fleet-healthcheck: cannot connect to $host:$port" >&2
  exit 1
fi
printf 'GET %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "$path" "$host" "$port" >&3
status_line=
IFS= read -r -t 5 status_line <&3 || true
exec 3<&-
status_line=${status_line%$'\r'}
if [[ $status_line =~ ^HTTP/1\.[01]\ 200(\ |$) ]]; then
  exit 0
fi
echo "fleet-healthcheck: $url answered '${status_line:-nothing}'" >&2
exit 1
