# syntax=docker/dockerfile:1
# The Fleet agent (fleet-agent) for a host. Build from the repository root:
#   docker build -f deploy/docker/agent.Dockerfile -t fleet-agent .
# Run it in the host's network namespace with the capabilities it needs and the TUN device (docs/operations.md):
#   docker run -d --network host --cap-drop ALL --cap-add NET_ADMIN --cap-add NET_RAW --cap-add NET_BIND_SERVICE \
#     --cap-add SYS_MODULE --device /dev/net/tun -v fleet-agent:/var/lib/fleet-agent -v /lib/modules:/lib/modules:ro \
#     -e FLEET_SERVER=https://fleet.example.net -e FLEET_ENROLLMENT_TOKEN=fleet_e_... fleet-agent
#
# Build arguments (defaults: Microsoft's images, the agent compiled in the SDK stage):
#   BASE_IMAGE  the runtime base: a Debian or Ubuntu image with apt (default .NET runtime-deps, which has no .NET:
#               the agent is self-contained, the same single file as the Debian package)
#   SDK_IMAGE   the .NET SDK image of the build stage
#   APP_SOURCE  sdk: publish in the SDK stage; context: take artifacts/container/fleet-agent from the build context,
#               published on the build host by `deploy/docker/publish.sh agent artifacts/container/fleet-agent`
#               (deploy/docker/build-images.sh does both), for a base and a builder without the SDK image
ARG DOTNET_VERSION=10.0
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION}-noble
ARG BASE_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:${DOTNET_VERSION}-noble
ARG APP_SOURCE=sdk

FROM ${SDK_IMAGE} AS build
WORKDIR /src
# .editorconfig carries analyzer severities: without it the warnings-as-errors build differs from CI.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Contracts/Fleet.Contracts.csproj src/Contracts/
COPY src/Striper/Fleet.Striper.csproj src/Striper/
COPY src/Agent/Fleet.Agent.csproj src/Agent/
COPY deploy/docker/publish.sh deploy/docker/
RUN deploy/docker/publish.sh --restore-only agent
COPY src/ src/
ARG VERSION=0.1.0
RUN deploy/docker/publish.sh agent /out --version "${VERSION}"

# The two ways to the published agent; the builder (BuildKit, buildah) builds only the stage APP_SOURCE names.
FROM scratch AS app-sdk
COPY --from=build /out/ /

FROM scratch AS app-context
COPY artifacts/container/fleet-agent/ /

FROM app-${APP_SOURCE} AS app

FROM ${BASE_IMAGE} AS runtime
# .NET's native dependencies (OpenSSL comes with ca-certificates; the striper's AEAD and HTTPS need it; runtime-deps
# has them already) and the tools the link backends drive: iproute2 (ip, tc, ss, nstat), ping for teql probes,
# ethtool, kmod. The first RUN is the api image's too, so a builder shares the layer.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/*
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iproute2 iputils-ping ethtool kmod \
 && rm -rf /var/lib/apt/lists/*
COPY --from=app /fleet-agent /usr/local/bin/fleet-agent
COPY --chmod=0755 deploy/docker/agent-entrypoint.sh /usr/local/bin/fleet-agent-entrypoint
ENV DOTNET_RUNNING_IN_CONTAINER=true
# The agent stays root inside its container, with only the capabilities the container is given: the systemd unit's
# list (deploy/debian/fleet-agent.service; docs/operations.md), everything else dropped.
VOLUME /var/lib/fleet-agent
# Healthy while the agent runs and is connected to the Api (`fleet-agent status` exit code 0).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/fleet-agent-entrypoint", "health"]
ARG VERSION=0.1.0
ARG SOURCE=https://example.invalid/fleet
ARG REVISION=unknown
ARG CREATED=
LABEL org.opencontainers.image.title="fleet-agent" \
      org.opencontainers.image.description="Fleet agent: drives a host's bonded links for the Fleet control plane" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.vendor="Fleet"
ENTRYPOINT ["/usr/local/bin/fleet-agent-entrypoint"]
CMD ["run"]
