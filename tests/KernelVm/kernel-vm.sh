#!/usr/bin/env bash
# Runs one command inside a Debian kernel booted under qemu (docs/link-kinds.md, "Tests and what they need"), for the tests that need
# kernel features the build machine's kernel lacks (bonding, teql, netem).
#
#   tests/KernelVm/kernel-vm.sh [--timeout SECONDS] [--memory MB] [--env NAME=VALUE]... [--keep-share DIR] -- COMMAND [ARG...]
#
# The guest sees the host's root file system read-only (9p) under a tmpfs overlay, so it runs the host's own ip, tc,
# modprobe and dotnet; COMMAND runs as root in the current directory with FLEET_KERNEL_VM=1 and the kernel command
# line flag fleet.kernelvm=1. $FLEET_VM_SHARE is a directory shared read-write with the host: files written there
# outlive the guest; --keep-share DIR uses DIR for it (created if missing, left in place) so a caller can read them.
#
# The guest kernel is the newest /boot/vmlinuz-VERSION whose /lib/modules/VERSION holds the modules the guest needs
# (virtio, 9p, overlay, bonding, sch_teql, sch_netem, veth); FLEET_VM_KERNEL=VERSION forces one. The choice, and why
# other kernels were passed over, is printed on stderr. Memory: --memory, else 2048 MB (less on a host short of it).
#
# Exit code: COMMAND's own exit code; 96 usage error; 97 harness or guest set-up error (no kernel under /boot, a
# module missing, a mount failing); 98 the guest died without reporting (kernel panic, crash); 99 timeout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
timeout_seconds=600
memory_mb=
keep_share=
extra_env=()

usage() {
  sed -n '2,19p' "$0" >&2
  exit 96
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --timeout) timeout_seconds=$2; shift 2 ;;
    --memory) memory_mb=$2; shift 2 ;;
    --env) extra_env+=("$2"); shift 2 ;;
    --keep-share) keep_share=$2; shift 2 ;;
    --) shift; break ;;
    *) usage ;;
  esac
done
[[ $# -gt 0 ]] || usage

fail() {
  echo "kernel-vm: $*" >&2
  exit 97
}

for tool in qemu-system-x86_64 busybox gzip timeout; do
  command -v "$tool" >/dev/null || fail "$tool is missing (build/prerequisites.sh installs it)"
done
bios=/usr/share/qemu/qboot.rom
[[ -f $bios ]] || fail "$bios is missing (Debian package qemu-system-x86)"

# Modules the guest needs: to reach its root file system (loaded by init from the initramfs, with their dependencies)
# and for the tests (loaded on demand by the guest's modprobe).
boot_modules=(virtio_pci 9pnet_virtio 9p overlay)
test_modules=(bonding sch_teql sch_netem veth)

declare -A module_path module_deps builtin_modules
# Sets REPLY to the module name of a modules.dep path. No command substitution: a subshell per line of modules.dep
# (thousands) took minutes on a loaded machine before qemu even started, out of the caller's time budget.
module_name() {
  local name=${1##*/}
  name=${name%%.ko*}
  REPLY=${name//-/_}
}

# Reads /lib/modules/VERSION/modules.{dep,builtin} into module_path, module_deps and builtin_modules.
read_module_index() {
  local directory=$1 path deps
  module_path=()
  module_deps=()
  builtin_modules=()
  while IFS=: read -r path deps; do
    [[ -n $path ]] || continue
    module_name "$path"
    module_path[$REPLY]=$path
    module_deps[$REPLY]=$deps
  done <"$directory/modules.dep"
  if [[ -f $directory/modules.builtin ]]; then
    while read -r path; do
      [[ -n $path ]] || continue
      module_name "$path"
      builtin_modules[$REPLY]=1
    done <"$directory/modules.builtin"
  fi
}

# The kernel: the newest /boot/vmlinuz-* whose /lib/modules has every module above (a freshly installed
# linux-image-amd64 may be newer than the running kernel, and other images may lack modules); never a hard-coded
# version. FLEET_VM_KERNEL=VERSION picks one explicitly.
kernel_version=
rejected=()
candidates=()
if [[ -n ${FLEET_VM_KERNEL:-} ]]; then
  candidates=("$FLEET_VM_KERNEL")
else
  mapfile -t candidates < <(find /boot -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' | sed 's/^vmlinuz-//' | sort -rV)
fi
for version in "${candidates[@]}"; do
  if [[ ! -r /boot/vmlinuz-$version ]]; then
    rejected+=("$version: /boot/vmlinuz-$version is missing or unreadable")
    continue
  fi
  if [[ ! -f /lib/modules/$version/modules.dep ]]; then
    rejected+=("$version: no /lib/modules/$version/modules.dep (its modules are not installed)")
    continue
  fi
  read_module_index "/lib/modules/$version"
  lacking=()
  for module in "${boot_modules[@]}" "${test_modules[@]}"; do
    if [[ -z ${module_path[$module]:-} && -z ${builtin_modules[$module]:-} ]]; then
      lacking+=("$module")
    elif [[ -n ${module_path[$module]:-} && ! -e /lib/modules/$version/${module_path[$module]} ]]; then
      lacking+=("$module (listed but ${module_path[$module]} is missing)")
    fi
  done
  if [[ ${#lacking[@]} -gt 0 ]]; then
    rejected+=("$version: lacks ${lacking[*]}")
    continue
  fi
  kernel_version=$version
  break
done
for reason in "${rejected[@]}"; do
  echo "kernel-vm: not using kernel $reason" >&2
done
[[ -n $kernel_version ]] || fail "no usable kernel: need /boot/vmlinuz-VERSION with /lib/modules/VERSION holding ${boot_modules[*]} ${test_modules[*]} (install linux-image-amd64); /boot has: $(find /boot -maxdepth 1 -name 'vmlinuz-*' -printf '%f ' 2>/dev/null)"
kernel=/boot/vmlinuz-$kernel_version
modules=/lib/modules/$kernel_version

# Guest memory: what the caller asked for, else 2048 MB, less when the host is short of memory (qemu only allocates
# what the guest touches, but the guest's page cache grows into it).
if [[ -z $memory_mb ]]; then
  available_mb=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
  memory_mb=2048
  if [[ -n $available_mb && $available_mb -lt 4096 ]]; then
    memory_mb=$((available_mb / 2))
    [[ $memory_mb -ge 1024 ]] || memory_mb=1024
  fi
fi
echo "kernel-vm: guest kernel $kernel_version (host runs $(uname -r)), ${memory_mb} MB, timeout ${timeout_seconds} s" >&2

work=$(mktemp -d /tmp/fleet-vm.XXXXXX)
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  rm -rf "$work"
}
trap cleanup EXIT

if [[ -n $keep_share ]]; then
  mkdir -p "$keep_share"
  share=$(cd "$keep_share" && pwd)
else
  share=$work/share
  mkdir -p "$share"
fi

# --- initramfs: static busybox, the modules to reach the root file system, our init ---
root=$work/initramfs
mkdir -p "$root"/{bin,sbin,proc,sys,dev,modules}
cp "$(command -v busybox)" "$root/bin/busybox"
for applet in sh mount insmod chroot mkdir cat echo sleep sync poweroff ip uname grep tail dmesg; do
  ln -s busybox "$root/bin/$applet"
done
cp "$here/init" "$root/init"
chmod 0755 "$root/init"
cat >"$root/sbin/fleet-modprobe" <<'EOF'
#!/bin/sh
exec /bin/chroot /newroot /sbin/modprobe "$@"
EOF
chmod 0755 "$root/sbin/fleet-modprobe"

# Load order matters: each module's dependencies (modules.dep) come before it; built-in ones need no loading.
declare -A queued
queue_module() {
  local module=$1 dependency
  [[ -z ${queued[$module]:-} ]] || return 0
  queued[$module]=1
  if [[ -z ${module_path[$module]:-} ]]; then
    [[ -n ${builtin_modules[$module]:-} ]] && return 0
    fail "module $module (needed to boot the guest) is not in $modules/modules.dep"
  fi
  for dependency in ${module_deps[$module]}; do
    module_name "$dependency"
    queue_module "$REPLY"
  done
  local file=$modules/${module_path[$module]}
  case "$file" in
    *.ko.xz) xz -dc "$file" >"$root/modules/$module.ko" || fail "cannot decompress $file (xz-utils)" ;;
    *.ko.zst) zstd -qdc "$file" >"$root/modules/$module.ko" || fail "cannot decompress $file (zstd)" ;;
    *.ko.gz) gzip -dc "$file" >"$root/modules/$module.ko" || fail "cannot decompress $file" ;;
    *) cp "$file" "$root/modules/$module.ko" || fail "cannot copy $file" ;;
  esac
  echo "$module" >>"$root/modules/order"
}
for module in "${boot_modules[@]}"; do
  queue_module "$module"
done
touch "$root/modules/order"
(cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$work/initrd.gz"

# --- the command, with its environment, as a file in the share ---
{
  echo "# written by kernel-vm.sh"
  printf 'export PATH=%q\n' "${PATH}"
  printf 'export HOME=/root FLEET_KERNEL_VM=1 FLEET_VM_SHARE=%q DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1\n' "$share"
  for name in CI DOTNET_ROOT; do
    [[ -n ${!name:-} ]] && printf 'export %s=%q\n' "$name" "${!name}"
  done
  # An app host (a test executable) finds the runtime through DOTNET_ROOT when dotnet is not in its default place.
  if [[ -z ${DOTNET_ROOT:-} ]] && dotnet=$(command -v dotnet); then
    printf 'export DOTNET_ROOT=%q\n' "$(dirname "$(readlink -f "$dotnet")")"
  fi
  for assignment in "${extra_env[@]}"; do
    printf 'export %q\n' "$assignment"
  done
  printf 'cd %q || exit 97\n' "$PWD"
  printf 'exec'
  printf ' %q' "$@"
  printf '\n'
} >"$share/command.sh"

# With --keep-share the console log stays in the share: a caller whose own time limit ends the run first still has it.
console=$work/console.log
[[ -z $keep_share ]] || console=$share/console.log
status=0
started=$SECONDS
timeout --kill-after=10 "$timeout_seconds" qemu-system-x86_64 \
  -machine q35 -accel tcg -cpu max -smp 2 -m "$memory_mb" \
  -nodefaults -no-user-config -nographic -serial stdio -no-reboot \
  -bios "$bios" -kernel "$kernel" -initrd "$work/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1 no_timer_check fleet.kernelvm=1 fleet.share=$share" \
  -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
  -virtfs "local,path=$share,mount_tag=fleetshare,security_model=none,multidevs=remap" \
  </dev/null | tee "$console" || status=$?

elapsed=$((SECONDS - started))
if [[ $status -eq 124 || $status -eq 137 ]]; then
  echo "kernel-vm: the guest (kernel $kernel_version) did not finish within ${timeout_seconds} s" >&2
  exit 99
fi

code=$(grep -ao 'FLEET-VM-EXIT=[0-9]*' "$console" | tail -n 1 | cut -d= -f2 || true)
if [[ -z $code ]]; then
  echo "kernel-vm: the guest (kernel $kernel_version) stopped after ${elapsed} s without reporting an exit code (qemu exit $status); see the console above" >&2
  exit 98
fi
echo "kernel-vm: the guest (kernel $kernel_version) exited with $code after ${elapsed} s" >&2
exit "$code"
