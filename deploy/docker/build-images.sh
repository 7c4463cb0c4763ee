#!/usr/bin/env bash
# Builds the two Fleet images, fleet-api and fleet-agent, from the repository (docs/operations.md, "Containers").
#
#   deploy/docker/build-images.sh [--engine docker|podman] [--base IMAGE] [--app-source sdk|context]
#                                 [--tag TAG] [--only api|agent] [--label KEY=VALUE]...
#
# --engine      the container engine (default: podman when installed, else docker)
# --base        the runtime base image (default: the Dockerfiles' default, Microsoft's .NET runtime-deps image);
#               any Debian or Ubuntu image with apt, e.g. localhost/debian:bookworm-slim from debian-base.sh
# --app-source  sdk: compile in the .NET SDK image (the Dockerfiles' default); context: publish here with
#               deploy/docker/publish.sh (needs the .NET SDK and npm on this machine) and copy the result in, for a
#               builder that cannot pull the SDK image. Default: context when --base is given, else sdk.
# --tag         the images' tag (default: the product version); the version label is always the product version
# --only        build one of the two
# --label       an extra label, on the images and (podman) on every stage's image, e.g. to find a build's images again
# With podman the images are built in Docker's format, which keeps the HEALTHCHECK (OCI's format has none).
# Prints the names of the images built, one a line, last.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

engine=
base=
app_source=
tag=
only=
labels=()

die() {
  echo "build-images.sh: $*" >&2
  exit 1
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --engine) [[ $# -ge 2 ]] || die "--engine needs a value"; engine=$2; shift 2 ;;
    --base) [[ $# -ge 2 ]] || die "--base needs an image"; base=$2; shift 2 ;;
    --app-source) [[ $# -ge 2 ]] || die "--app-source needs a value"; app_source=$2; shift 2 ;;
    --tag) [[ $# -ge 2 ]] || die "--tag needs a value"; tag=$2; shift 2 ;;
    --only) [[ $# -ge 2 ]] || die "--only needs a value"; only=$2; shift 2 ;;
    --label)
      [[ $# -ge 2 && $2 =~ ^[A-Za-z0-9._-]+=[^[:cntrl:]]*$ ]] || die "--label needs KEY=VALUE"
      labels+=(--label "$2")
      shift 2
      ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

if [[ -z $engine ]]; then
  engine=docker
  command -v podman >/dev/null && engine=podman
fi
[[ $engine == docker || $engine == podman ]] || die "--engine must be docker or podman"
command -v "$engine" >/dev/null || die "$engine is not installed"
[[ -z $app_source ]] && app_source=$([[ -n $base ]] && echo context || echo sdk)
[[ $app_source == sdk || $app_source == context ]] || die "--app-source must be sdk or context"
[[ -z $only || $only == api || $only == agent ]] || die "--only must be api or agent"

cd "$repo"
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)
[[ -n $version ]] || die "no <Version> in Directory.Build.props"
tag=${tag:-$version}
[[ $tag =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "'$tag' is not an image tag"
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
# The commit's time, not the build's: building the same commit twice labels it the same.
created=$(git log -1 --format=%cI 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)

apps=(api agent)
[[ -n $only ]] && apps=("$only")

arguments=(--build-arg "VERSION=$version" --build-arg "REVISION=$revision" --build-arg "CREATED=$created"
  --build-arg "APP_SOURCE=$app_source")
[[ -n $base ]] && arguments+=(--build-arg "BASE_IMAGE=$base")
arguments+=("${labels[@]}")
[[ $engine == podman ]] && arguments+=(--format docker)

built=()
for app in "${apps[@]}"; do
  if [[ $app_source == context ]]; then
    echo "build-images.sh: publishing fleet-$app $version on this machine..." >&2
    "$here/publish.sh" "$app" "artifacts/container/fleet-$app" --version "$version" >&2
  fi
  echo "build-images.sh: building fleet-$app:$tag with $engine..." >&2
  "$engine" build -f "deploy/docker/$app.Dockerfile" -t "fleet-$app:$tag" "${arguments[@]}" . >&2
  built+=("fleet-$app:$tag")
done
printf '%s\n' "${built[@]}"
