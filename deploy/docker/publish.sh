#!/usr/bin/env bash
# Publishes what the Fleet images run, the same way wherever it runs: inside the .NET SDK image (the Dockerfiles'
# default build stage) or on a build host (build-images.sh with --app-source context, for bases without the SDK).
#
#   deploy/docker/publish.sh agent|api OUTPUT [--version VERSION]    publish into OUTPUT (emptied first)
#   deploy/docker/publish.sh --restore-only agent|api                restore only (the Dockerfiles' cached layer)
#
# Both are self-contained for linux-x64, so the runtime image needs no .NET, only its native dependencies:
#   agent  one file, OUTPUT/fleet-agent: also the Debian package's publish (deploy/debian/build-deb.sh runs this)
#   api    a folder with OUTPUT/fleet-api and the dashboard's static files
# The intermediate files go to artifacts/container/build in the repository (FLEET_PUBLISH_ARTIFACTS overrides it),
# never to the projects' obj/ and bin/, so a test run's build of the solution is left alone.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
artifacts=${FLEET_PUBLISH_ARTIFACTS:-$repo/artifacts/container/build}

die() {
  echo "publish.sh: $*" >&2
  exit 2
}

restore_only=false
if [[ ${1:-} == --restore-only ]]; then
  restore_only=true
  shift
fi
[[ $# -ge 1 ]] || die "usage: publish.sh agent|api OUTPUT [--version VERSION] | --restore-only agent|api"
app=$1
shift

# One list of publish properties per image; build-deb.sh publishes the agent through this script.
case $app in
  agent)
    project=$repo/src/Agent/Fleet.Agent.csproj
    properties=(-p:PublishSingleFile=true -p:DebugType=none -p:PublishDocumentationFiles=false)
    ;;
  api)
    project=$repo/src/Api/Fleet.Api.csproj
    properties=(-p:DebugType=none -p:PublishDocumentationFiles=false)
    ;;
  *) die "unknown application '$app' (agent or api)" ;;
esac
common=(-nologo -clp:ErrorsOnly -r linux-x64 --artifacts-path "$artifacts")
# Two publishes into one artifacts folder at once (the Debian package's and an image's) would overwrite each other's
# intermediate files: they take turns.
mkdir -p "$artifacts"
exec 9>"$artifacts/.publish.lock"
flock 9

if $restore_only; then
  [[ $# -eq 0 ]] || die "--restore-only takes no further arguments"
  exec dotnet restore "$project" "${common[@]}"
fi

[[ $# -ge 1 ]] || die "OUTPUT is missing"
output=$1
shift
version=
while [[ $# -gt 0 ]]; do
  case $1 in
    --version) [[ $# -ge 2 ]] || die "--version needs a value"; version=$2; shift 2 ;;
    *) die "unknown argument: $1" ;;
  esac
done
if [[ -n $version ]]; then
  [[ $version =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || die "'$version' is not a version"
  properties+=("-p:Version=$version")
fi

rm -rf "$output"
dotnet publish "$project" "${common[@]}" -c Release --self-contained "${properties[@]}" -o "$output"
executable=$output/fleet-$app
[[ -x $executable ]] || die "the publish produced no $executable"
