#!/usr/bin/env bash
# Installs what Fleet's tests need on a fresh Debian 12 machine that has the .NET 10 SDK.
# As root it installs missing Debian packages; otherwise it lists what to install and fails.
set -euo pipefail

# command-or-file  debian-package
required=(
  "pg_ctlcluster:postgresql"
  "/usr/lib/postgresql:postgresql"
  "chromium:chromium"
  "iperf3:iperf3"
  "ip:iproute2"
  "tc:iproute2"
  "nft:nftables"
  "ethtool:ethtool"
  "mptcpize:mptcpize"
  "qemu-system-x86_64:qemu-system-x86"
  "/usr/share/qemu/qboot.rom:qemu-system-x86"
  "busybox:busybox-static"
  "modprobe:kmod"
  "xz:xz-utils"
  "dpkg-deb:dpkg-dev"
  "lintian:lintian"
  "systemd-analyze:systemd"
  "npm:npm"
  "node:nodejs"
  "ss:iproute2"
  "nstat:iproute2"
  "ping:iputils-ping"
  "python3:python3"
  "docker-compose:docker-compose"
  "shellcheck:shellcheck"
  "curl:curl"
  "jq:jq"
  # The live-metrics test (tests/EndToEnd.Tests/PrometheusScrapeTests) scrapes the Api with a real Prometheus.
  "/usr/bin/prometheus:prometheus"
  # The alert delivery test (tests/EndToEnd.Tests/AlertDeliveryTests) sends alerts to a real Alertmanager.
  "/usr/bin/prometheus-alertmanager:prometheus-alertmanager"
  # The cross-replica tests (tests/Api.Tests/Replication/CrossReplicaTests) join three Api processes with a real Redis.
  "redis-server:redis-server"
  # The container tests (tests/Deploy.Tests/Containers): podman with runc (crun fails on these machines), the Debian
  # base image made with debootstrap, and name resolution between compose containers (the CNI dnsname plugin).
  "podman:podman"
  "/usr/sbin/runc:runc"
  "debootstrap:debootstrap"
  "/usr/lib/cni/dnsname:golang-github-containernetworking-plugin-dnsname"
)

missing=()
for entry in "${required[@]}"; do
  probe=${entry%%:*}
  package=${entry##*:}
  if [[ $probe == /* ]]; then
    [[ -e $probe ]] && continue
  else
    command -v "$probe" >/dev/null 2>&1 && continue
  fi
  missing+=("$package")
done

# The guest kernel for the kernel-VM tests (bonding, teql, netem): a Debian linux-image under /boot whose modules are
# installed and include those (tests/KernelVm/kernel-vm.sh picks it; another /boot kernel may lack them).
guest_kernel=
for image in /boot/vmlinuz-*; do
  dep=/lib/modules/${image#/boot/vmlinuz-}/modules.dep
  if grep -qs '/bonding\.ko' "$dep" && grep -qs '/sch_teql\.ko' "$dep" && grep -qs '/sch_netem\.ko' "$dep"; then
    guest_kernel=$image
  fi
done
if [[ -z $guest_kernel ]]; then
  missing+=("linux-image-amd64")
fi

if [[ ${#missing[@]} -gt 0 ]]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [[ $(id -u) -ne 0 ]]; then
    echo "Missing prerequisites: ${missing[*]}" >&2
    echo "Install them as root:  apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi

  echo "Installing prerequisites: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The OpenAPI linter the Api tests run (tests/OpenApiLint, pinned by its package-lock.json), installed again only when
# the lock file changed (npm ci writes node_modules/.package-lock.json).
lint=$(dirname "$0")/../tests/OpenApiLint
if [[ ! $lint/node_modules/.package-lock.json -nt $lint/package-lock.json ]]; then
  echo "Installing the OpenAPI linter (npm ci in tests/OpenApiLint)"
  npm ci --prefix "$lint" --ignore-scripts --no-audit --no-fund --loglevel=error
fi
