#!/bin/bash
# Gives the compose demo's path interfaces stable names. Docker does not promise which ethN a network becomes
# inside a container, but the link specs name member interfaces, so each interface that holds an IPv4 address in
# a given subnet is renamed:   name-paths.sh path-a=10.231.1.0/24 path-b=10.231.2.0/24
# Idempotent: an interface that already has its name is left alone. Needs CAP_NET_ADMIN in the container.
set -euo pipefail

for pair in "$@"; do
  name=${pair%%=*}
  subnet=${pair#*=}
  if [[ ! $name =~ ^[A-Za-z0-9_-]{1,15}$ || ! $subnet =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$ ]]; then
    echo "name-paths: '$pair' is not NAME=IPV4-SUBNET (NAME: 1-15 of A-Z a-z 0-9 _ -)" >&2
    exit 2
  fi
  # `ip -o -4 addr show to PREFIX` lists the addresses inside PREFIX, one line each: "3: eth1    inet ...".
  mapfile -t matches < <(ip -o -4 addr show to "$subnet" | awk '{ sub(/@.*/, "", $2); print $2 }' | sort -u)
  if [[ ${#matches[@]} -ne 1 ]]; then
    echo "name-paths: expected one interface with an address in $subnet, found ${#matches[@]}: ${matches[*]:-none}" >&2
    exit 1
  fi
  current=${matches[0]}
  if [[ $current == "$name" ]]; then
    continue
  fi
  # A link must be down to be renamed; its IPv4 addresses stay, its connected route returns when it is up again.
  ip link set dev "$current" down
  ip link set dev "$current" name "$name"
  ip link set dev "$name" up
  echo "name-paths: $current -> $name ($subnet)"
done
