#!/usr/bin/env bash
# Runs one command inside a Debian kernel booted under qemu (../shared/KERNEL-VM.md), for the tests that need
# kernel features the build machine's kernel lacks (bonding, teql, netem).
#
#   tests/KernelVm/kernel-vm.sh [--timeout SECONDS] [--memory MB] [--env NAME=VALUE]... -- COMMAND [ARG...]
#
# The guest sees the host's root file system read-only (9p) under a tmpfs overlay, so it runs the host's own ip, tc,
# modprobe and dotnet; COMMAND runs as root in the current directory with FLEET_KERNEL_VM=1 and the kernel command
# line flag fleet.kernelvm=1. $FLEET_VM_SHARE is a directory shared read-write with the host: files written there
# outlive the guest; --keep-share DIR uses DIR for it (created if missing, left in place) so a caller can read them.
#
# Exit code: COMMAND's own exit code; 96 usage error; 97 harness or guest set-up error (no kernel under /boot, a
# module missing, a mount failing); 98 the guest died without reporting (kernel panic, crash); 99 timeout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
timeout_seconds=600
memory_mb=2048
keep_share=
extra_env=()

usage() {
  sed -n '2,15p' "$0" >&2
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

# The newest kernel under /boot whose modules are installed; never a hard-coded version.
kernel_version=
while read -r image; do
  version=${image#/boot/vmlinuz-}
  [[ -d /lib/modules/$version ]] && kernel_version=$version
done < <(find /boot -maxdepth 1 -name 'vmlinuz-*' | sort -V)
[[ -n $kernel_version ]] || fail "no /boot/vmlinuz-* with modules under /lib/modules (install linux-image-amd64)"
kernel=/boot/vmlinuz-$kernel_version
modules=/lib/modules/$kernel_version
[[ -r $kernel ]] || fail "$kernel is not readable"

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
for applet in sh mount insmod chroot mkdir cat echo sleep sync poweroff ip; do
  ln -s busybox "$root/bin/$applet"
done
cp "$here/init" "$root/init"
chmod 0755 "$root/init"
cat >"$root/sbin/fleet-modprobe" <<'EOF'
#!/bin/sh
exec /bin/chroot /newroot /sbin/modprobe "$@"
EOF
chmod 0755 "$root/sbin/fleet-modprobe"

# Load order matters: each module's dependencies come before it (KERNEL-VM.md).
for module in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p overlay; do
  file=$(find "$modules/kernel" -name "$module.ko" -o -name "$module.ko.xz" -o -name "$module.ko.zst" | head -n 1)
  if [[ -z $file ]]; then
    # Built into this kernel (modules.builtin) needs no loading.
    grep -q "/$module.ko\$" "$modules/modules.builtin" 2>/dev/null && continue
    fail "module $module not found under $modules"
  fi
  case "$file" in
    *.ko.xz) xz -dc "$file" >"$root/modules/$module.ko" ;;
    *.ko.zst) zstd -qdc "$file" >"$root/modules/$module.ko" ;;
    *) cp "$file" "$root/modules/$module.ko" ;;
  esac
  echo "$module" >>"$root/modules/order"
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
  for assignment in "${extra_env[@]}"; do
    printf 'export %q\n' "$assignment"
  done
  printf 'cd %q || exit 97\n' "$PWD"
  printf 'exec'
  printf ' %q' "$@"
  printf '\n'
} >"$share/command.sh"

console=$work/console.log
status=0
timeout --kill-after=10 "$timeout_seconds" qemu-system-x86_64 \
  -machine q35 -accel tcg -cpu max -smp 2 -m "$memory_mb" \
  -nodefaults -no-user-config -nographic -serial stdio -no-reboot \
  -bios "$bios" -kernel "$kernel" -initrd "$work/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1 no_timer_check fleet.kernelvm=1 fleet.share=$share" \
  -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
  -virtfs "local,path=$share,mount_tag=fleetshare,security_model=none,multidevs=remap" \
  </dev/null | tee "$console" || status=$?

if [[ $status -eq 124 || $status -eq 137 ]]; then
  echo "kernel-vm: the guest did not finish within ${timeout_seconds} s" >&2
  exit 99
fi

code=$(grep -ao 'FLEET-VM-EXIT=[0-9]*' "$console" | tail -n 1 | cut -d= -f2 || true)
if [[ -z $code ]]; then
  echo "kernel-vm: the guest stopped without reporting an exit code (qemu exit $status); see the console above" >&2
  exit 98
fi
exit "$code"
