#!/usr/bin/env bash
# Builds the agent's Debian package, fleet-agent_<version>_amd64.deb, with dpkg-deb from a self-contained
# single-file publish of src/Agent (the host needs no .NET). docs/operations.md describes installing it.
#
#   deploy/debian/build-deb.sh [--output DIR] [--version VERSION]
#
# --output   where the .deb goes (default: artifacts/deb in the repository)
# --version  package version (default: the MSBuild Version of src/Agent, from Directory.Build.props); it must
#            match the newest entry of deploy/debian/changelog
# Prints the path of the package last. Needs the .NET SDK and dpkg-dev; the repository's obj/ and bin/ folders
# are not touched: the publish is deploy/docker/publish.sh's, with its own artifacts folder.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
project=$repo/src/Agent/Fleet.Agent.csproj
output=$repo/artifacts/deb
version=

die() {
  echo "build-deb.sh: $*" >&2
  exit 1
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --output) [[ $# -ge 2 ]] || die "--output needs a directory"; output=$2; shift 2 ;;
    --version) [[ $# -ge 2 ]] || die "--version needs a value"; version=$2; shift 2 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

for tool in dotnet dpkg-deb dpkg-parsechangelog gzip md5sum; do
  command -v "$tool" >/dev/null || die "$tool is missing (Debian: apt-get install dpkg-dev; .NET SDK for dotnet)"
done

if [[ -z $version ]]; then
  version=$(dotnet msbuild "$project" -nologo -getProperty:Version)
fi
# Debian upstream versions: digits first, then alphanumerics and . + ~ (deb-version(7)); no revision: native.
[[ $version =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || die "'$version' is not a valid native Debian version"

changelog_version=$(dpkg-parsechangelog -l "$here/changelog" -S Version)
[[ $changelog_version == "$version" ]] ||
  die "deploy/debian/changelog's newest entry is $changelog_version, the package is $version: add a changelog entry"
# Reproducible file times: the date of the newest changelog entry.
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l "$here/changelog" -S Timestamp)
export SOURCE_DATE_EPOCH

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "Publishing fleet-agent $version (self-contained, linux-x64)..."
# The agent image's publish: the package and the image run the same executable, and a machine that builds both
# compiles the agent once (publish.sh keeps its intermediate files, so the second publish only copies).
"$repo/deploy/docker/publish.sh" agent "$work/publish" --version "$version"
[[ -x $work/publish/fleet-agent ]] || die "the publish produced no fleet-agent executable"

root=$work/root
install -D -m 0755 "$work/publish/fleet-agent" "$root/usr/bin/fleet-agent"
install -D -m 0644 "$here/fleet-agent.service" "$root/lib/systemd/system/fleet-agent.service"
install -D -m 0644 "$here/agent.json" "$root/etc/fleet-agent/agent.json"
install -D -m 0644 "$here/copyright" "$root/usr/share/doc/fleet-agent/copyright"
install -D -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/fleet-agent"
install -d -m 0755 "$root/usr/share/man/man8"
gzip -9n <"$here/changelog" >"$root/usr/share/doc/fleet-agent/changelog.gz"
gzip -9n <"$here/fleet-agent.8" >"$root/usr/share/man/man8/fleet-agent.8.gz"
chmod 0644 "$root/usr/share/doc/fleet-agent/changelog.gz" "$root/usr/share/man/man8/fleet-agent.8.gz"

control=$root/DEBIAN
install -d -m 0755 "$control"
installed_size=$(du -sk --apparent-size "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$installed_size/" "$here/control.in" >"$control/control"
echo /etc/fleet-agent/agent.json >"$control/conffiles"
for script in postinst prerm postrm; do
  install -m 0755 "$here/$script" "$control/$script"
done
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) \
  >"$control/md5sums"
chmod 0644 "$control/control" "$control/conffiles" "$control/md5sums"
find "$root" -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$output"
package=$output/fleet-agent_${version}_amd64.deb
# xz at a low preset: a fifth of the size of gzip's output in a few seconds instead of a minute.
dpkg-deb --root-owner-group -Zxz -z2 --build "$root" "$package" >/dev/null
echo "$package"
