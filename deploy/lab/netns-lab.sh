#!/usr/bin/env bash
# A Fleet lab on one machine (docs/operations.md, "A lab on one machine"): N hosts as network namespaces, each joined
# to a middle namespace by M paths (veth pairs, optionally shaped and lossy), each running a real fleet-agent enrolled
# with a running Api. Root only.
#
#   deploy/lab/netns-lab.sh up (--token TOKEN | --key KEY) [--api-port PORT] [--hosts N] [--paths M]
#                              [--rate MBIT[,MBIT...]] [--loss PERCENT[,PERCENT...]] [--delay MS[,MS...]]
#                              [--prefix NAME] [--agent PATH]
#   deploy/lab/netns-lab.sh down [--prefix NAME]
#   deploy/lab/netns-lab.sh status [--prefix NAME]
#
# --token   a multi-use enrollment token (fleet_e_…, at least N uses); or
# --key     an admin API key (fleet_k_…): the script creates a token for N hosts itself
# --api-port  the port the Api listens on in this (the root) namespace, on any address incl. 127.0.0.1 (default 5080)
# --hosts   hosts (namespaces NAME-h1 … NAME-hN; default 2); --paths: paths per host (interfaces p1 … pM; default 2)
# --rate, --loss, --delay  per path (one value for all, or one per path): tbf rate in Mbit/s, random loss in percent
#           (nftables in the middle namespace), delay in ms (netem: not in every kernel; refused when missing)
# --prefix  names of everything the lab creates (default lab; at most 8 characters); several labs can coexist
# --agent   the fleet-agent to run (default: fleet-agent on PATH, else the repository's Release build via dotnet)
#
# Addresses: host h's path p is 10.(100+p).h.2/24 (the middle namespace is .1), with a route to 10.(100+p).0.0/16
# over that path, so path p of every host reaches path p of every other. Each host reaches the Api at
# http://10.(200+K).h.1:PORT (K derived from the prefix), forwarded to the Api's port in the root namespace.
# State (agent data directories, logs, pids) lives in /run/fleet-lab/NAME.
set -euo pipefail

die() { echo "netns-lab: $*" >&2; exit 2; }

command=${1:-}
[[ $command == up || $command == down || $command == status ]] || die "usage: $0 up|down|status [options] (see the header of $0)"
shift

token="" key="" port=5080 hosts=2 paths=2 rate="" loss="" delay="" prefix=lab agent=""
while [[ $# -gt 0 ]]; do
  [[ $# -ge 2 ]] || die "$1 needs a value"
  case $1 in
    --token) token=$2 ;;
    --key) key=$2 ;;
    --api-port) port=$2 ;;
    --hosts) hosts=$2 ;;
    --paths) paths=$2 ;;
    --rate) rate=$2 ;;
    --loss) loss=$2 ;;
    --delay) delay=$2 ;;
    --prefix) prefix=$2 ;;
    --agent) agent=$2 ;;
    *) die "unknown option $1" ;;
  esac
  shift 2
done

[[ $prefix =~ ^[a-z][a-z0-9]{0,7}$ ]] || die "--prefix must be 1 to 8 lower-case letters or digits, starting with a letter"
[[ $hosts =~ ^[0-9]+$ && $hosts -ge 1 && $hosts -le 50 ]] || die "--hosts must be 1 to 50"
[[ $paths =~ ^[0-9]+$ && $paths -ge 1 && $paths -le 8 ]] || die "--paths must be 1 to 8"
[[ $port =~ ^[0-9]+$ && $port -ge 1 && $port -le 65535 ]] || die "--api-port must be a port number"
[[ $(id -u) -eq 0 ]] || die "run as root (it creates network namespaces)"

state=/run/fleet-lab/$prefix
mid=$prefix-mid
# The management subnet's second octet, from the prefix, so that labs with different prefixes do not overlap.
octet=$((200 + $(cksum <<<"$prefix" | cut -d' ' -f1) % 50))
table=fleet_lab_$prefix

# The value of a per-path list for path $2 (1-based): one value for all paths, or one per path.
per_path() {
  local list=$1 index=$2 values
  [[ -n $list ]] || return 0
  IFS=, read -r -a values <<<"$list"
  if [[ ${#values[@]} -eq 1 ]]; then echo "${values[0]}"; else echo "${values[index - 1]:-}"; fi
}

check_list() {
  local name=$1 list=$2 pattern=$3 values
  [[ -n $list ]] || return 0
  IFS=, read -r -a values <<<"$list"
  [[ ${#values[@]} -eq 1 || ${#values[@]} -eq $paths ]] || die "$name needs one value or one per path ($paths)"
  for v in "${values[@]}"; do [[ $v =~ $pattern ]] || die "$name: '$v' is not a number"; done
}

lab_down() {
  if [[ -d $state ]]; then
    for pidfile in "$state"/h*/agent.pid; do
      [[ -e $pidfile ]] || continue
      kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    # The agents stop on SIGTERM within their stop timeout; the namespaces go either way.
    for _ in $(seq 50); do
      alive=0
      for pidfile in "$state"/h*/agent.pid; do
        [[ -e $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null && alive=1
      done
      [[ $alive -eq 0 ]] && break
      sleep 0.2
    done
  fi
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^$prefix-(mid|h[0-9]+)$" || true); do
    ip netns delete "$ns"
  done
  nft delete table ip "$table" 2>/dev/null || true
  rm -rf "$state"
}

lab_status() {
  [[ -d $state ]] || { echo "no lab '$prefix'"; return 0; }
  for dir in "$state"/h*; do
    local h=${dir##*/h} pid
    pid=$(cat "$dir/agent.pid" 2>/dev/null || echo "")
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
      echo "$prefix-h$h: agent running (pid $pid), log $dir/agent.log"
    else
      echo "$prefix-h$h: agent NOT running, log $dir/agent.log"
    fi
  done
}

if [[ $command == down ]]; then lab_down; exit 0; fi
if [[ $command == status ]]; then lab_status; exit 0; fi

check_list --rate "$rate" '^[0-9]+(\.[0-9]+)?$'
check_list --loss "$loss" '^[0-9]+(\.[0-9]+)?$'
check_list --delay "$delay" '^[0-9]+$'
[[ -n $token || -n $key ]] || die "give --token (a multi-use enrollment token) or --key (an admin API key)"
if [[ -n $delay ]] && ! modinfo sch_netem >/dev/null 2>&1; then
  die "--delay needs the netem qdisc (sch_netem), which this kernel does not have; leave --delay out or use a kernel with it"
fi
[[ ! -d $state ]] || die "lab '$prefix' exists already: '$0 down --prefix $prefix' first"

if [[ -z $agent ]]; then
  if command -v fleet-agent >/dev/null; then
    agent_command=(fleet-agent)
  else
    repo=$(cd "$(dirname "$0")/../.." && pwd)
    dll=$repo/src/Agent/bin/Release/net10.0/fleet-agent.dll
    [[ -e $dll ]] || die "no fleet-agent on PATH and no $dll: build it (dotnet build -c Release src/Agent) or pass --agent"
    agent_command=(dotnet "$dll")
  fi
else
  agent_command=("$agent")
fi

if [[ -z $token ]]; then
  token=$(curl -sf -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d '{"description": "netns lab '"$prefix"'", "maxUses": '"$hosts"', "expiresInSeconds": 3600}' \
    "http://127.0.0.1:$port/api/v1/enrollment-tokens" | jq -r .secret) || die "could not create an enrollment token at http://127.0.0.1:$port (is the Api running, is the key an admin's?)"
fi

# Anything half made is taken down again.
trap 'echo "netns-lab: failed; taking the lab down" >&2; lab_down' ERR

mkdir -p "$state"
ip netns add "$mid"
ip -n "$mid" link set lo up
ip netns exec "$mid" sysctl -qw net.ipv4.ip_forward=1
loss_rules=""

for h in $(seq "$hosts"); do
  ns=$prefix-h$h
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  for p in $(seq "$paths"); do
    net=$((100 + p))
    ip link add "p$p" netns "$ns" type veth peer name "h${h}p$p" netns "$mid"
    ip -n "$ns" addr add "10.$net.$h.2/24" dev "p$p"
    ip -n "$mid" addr add "10.$net.$h.1/24" dev "h${h}p$p"
    ip -n "$ns" link set "p$p" up
    ip -n "$mid" link set "h${h}p$p" up
    ip -n "$ns" route add "10.$net.0.0/16" via "10.$net.$h.1" dev "p$p"
    r=$(per_path "$rate" "$p") d=$(per_path "$delay" "$p") l=$(per_path "$loss" "$p")
    for side in "$ns p$p" "$mid h${h}p$p"; do
      read -r side_ns dev <<<"$side"
      if [[ -n $d ]]; then
        ip netns exec "$side_ns" tc qdisc add dev "$dev" root netem delay "${d}ms" ${r:+rate "${r}mbit"}
      elif [[ -n $r ]]; then
        # A burst of at least 5 ms of the rate (and 10 KB), as the striper benchmark shapes its paths.
        burst=$(awk -v r="$r" 'BEGIN { b = r * 1000000 / 8 * 5 / 1000; if (b < 10000) b = 10000; printf "%d", b }')
        ip netns exec "$side_ns" tc qdisc add dev "$dev" root tbf rate "${r}mbit" burst "$burst" latency 50ms
      fi
    done
    if [[ -n $l ]]; then
      permille=$(awk -v l="$l" 'BEGIN { printf "%d", l * 10 + 0.5 }')
      loss_rules+="    iifname \"h${h}p$p\" numgen random mod 1000 < $permille drop"$'\n'
    fi
  done

  # The management link to the root namespace, where connections to the Api's port are forwarded to it.
  ip link add "${prefix}m$h" type veth peer name mgmt netns "$ns"
  ip addr add "10.$octet.$h.1/24" dev "${prefix}m$h"
  ip -n "$ns" addr add "10.$octet.$h.2/24" dev mgmt
  ip link set "${prefix}m$h" up
  ip -n "$ns" link set mgmt up
  sysctl -qw "net.ipv4.conf.${prefix}m$h.route_localnet=1"
done

if [[ -n $loss_rules ]]; then
  ip netns exec "$mid" nft -f - <<EOF
table inet fleet_lab_loss {
  chain forward {
    type filter hook forward priority 0; policy accept;
$loss_rules  }
}
EOF
fi

nft -f - <<EOF
table ip $table {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "${prefix}m*" ip daddr 10.$octet.0.0/16 tcp dport $port dnat to 127.0.0.1:$port
  }
}
EOF

for h in $(seq "$hosts"); do
  ns=$prefix-h$h
  dir=$state/h$h
  install -d -m 0700 "$dir"
  server=http://10.$octet.$h.1:$port
  ip netns exec "$ns" "${agent_command[@]}" enroll --server "$server" --token "$token" --name "$ns" \
    --data-dir "$dir" --allow-insecure-http >"$dir/enroll.log" 2>&1 || { cat "$dir/enroll.log" >&2; die "$ns could not enroll at $server"; }
  # The agent reads no configuration file here: everything is on its command line.
  ip netns exec "$ns" setsid "${agent_command[@]}" run --data-dir "$dir" --config "$dir/agent.json" \
    --allow-insecure-http </dev/null >"$dir/agent.log" 2>&1 &
  echo $! >"$dir/agent.pid"
done

trap - ERR
echo "lab '$prefix' is up: $hosts hosts ($prefix-h1 … $prefix-h$hosts), $paths paths each (p1 … p$paths)"
for p in $(seq "$paths"); do
  echo "  path p$p: host h has 10.$((100 + p)).h.2/24${rate:+, rate $(per_path "$rate" "$p") Mbit/s}${loss:+, loss $(per_path "$loss" "$p") %}${delay:+, delay $(per_path "$delay" "$p") ms}"
done
echo "agents: logs in $state/h*/agent.log; '$0 status --prefix $prefix'; take it down with '$0 down --prefix $prefix'"
