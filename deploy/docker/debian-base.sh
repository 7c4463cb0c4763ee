#!/usr/bin/env bash
# Makes a Debian base image locally, for machines that reach a Debian mirror but no image registry (the Fleet build
# machines): debootstrap's minbase variant, slimmed like the official debian:*-slim images (no documentation, man
# pages or locales; empty apt lists), imported into podman's image store. Nothing happens when the image exists, so
# a machine builds it once; the tests call this first (docs/operations.md, "Containers").
#
#   deploy/docker/debian-base.sh [--image NAME] [--suite SUITE] [--mirror URL]
#
# --image   the image to make (default localhost/debian:bookworm-slim)
# --suite   the Debian release (default bookworm)
# --mirror  the Debian mirror (default: the first one apt is configured with for SUITE, else deb.debian.org)
# Needs root, debootstrap and podman (with CONTAINERS_CONF where podman's defaults do not work, see the docs).
# Prints the image name last.
set -euo pipefail

image=localhost/debian:bookworm-slim
suite=bookworm
mirror=

die() {
  echo "debian-base.sh: $*" >&2
  exit 1
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --image) [[ $# -ge 2 ]] || die "--image needs a name"; image=$2; shift 2 ;;
    --suite) [[ $# -ge 2 ]] || die "--suite needs a name"; suite=$2; shift 2 ;;
    --mirror) [[ $# -ge 2 ]] || die "--mirror needs a URL"; mirror=$2; shift 2 ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[[ $suite =~ ^[a-z]+$ ]] || die "'$suite' is not a Debian release name"
[[ $(id -u) -eq 0 ]] || die "debootstrap needs root"
for tool in debootstrap podman flock; do
  command -v "$tool" >/dev/null || die "$tool is missing (build/prerequisites.sh installs it)"
done

# The mirror apt uses for SUITE: deb822 stanzas (*.sources: URIs + Suites) or one-line entries (deb URI SUITE ...).
configured_mirror() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [[ -f $file ]] || continue
    awk -v suite="$suite" '
      function flush() { if (uri != "" && (" " suites " ") ~ (" " suite " ")) { print uri; exit } uri = ""; suites = "" }
      /^[[:space:]]*$/ { flush(); next }
      tolower($1) == "uris:" { uri = $2 }
      tolower($1) == "suites:" { suites = ""; for (i = 2; i <= NF; i++) suites = suites " " $i }
      END { flush() }' "$file"
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $file ]] || continue
    awk -v suite="$suite" '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i + 1) == suite) { print $i; exit } }' "$file"
  done
}

if [[ -z $mirror ]]; then
  mirror=$(configured_mirror | head -n 1)
  mirror=${mirror:-http://deb.debian.org/debian}
fi
[[ $mirror =~ ^https?://[^[:space:]]+$ ]] || die "'$mirror' is not an http(s) URL"

# Two test runs on one machine must not both build it: the second waits, then finds the image.
exec 9>"/run/lock/fleet-debian-base.lock"
flock 9
if podman image exists "$image"; then
  echo "$image"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/var/tmp}/fleet-debian-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
echo "debian-base.sh: debootstrap --variant=minbase $suite from $mirror (takes a while)..." >&2
if ! debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1; then
  tail -n 30 "$work/debootstrap.log" >&2
  die "debootstrap failed"
fi

# Slim, as the official images are: dpkg leaves documentation out of every later install, apt keeps no caches, and
# dpkg skips fsync (a layer is written at once anyway).
cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
force-unsafe-io
EOF
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
EOF
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/lintian/*
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* "$root"/var/log/*.log \
  "$root"/var/log/apt/* "$root"/tmp/*
# The engine provides these per container; the build host's must not end up in the image.
: >"$root/etc/resolv.conf"
: >"$root/etc/hostname"
: >"$root/etc/machine-id"

tar --numeric-owner -C "$root" -c . | podman import --quiet --change 'CMD ["bash"]' - "$image" >/dev/null
echo "$image"
