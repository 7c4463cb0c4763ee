# syntax=docker/dockerfile:1
# The Fleet agent (fleet-agent) for a host. Build from the repository root:
#   docker build -f deploy/docker/agent.Dockerfile -t fleet-agent .
# Run it in the host's network namespace with CAP_NET_ADMIN and the TUN device (docs/operations.md):
#   docker run -d --network host --cap-add NET_ADMIN --cap-add NET_RAW --device /dev/net/tun \
#     -v fleet-agent:/var/lib/fleet-agent -e FLEET_SERVER=https://fleet.example.net \
#     -e FLEET_ENROLLMENT_TOKEN=fleet_e_... fleet-agent
ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION}-noble AS build
WORKDIR /src
# .editorconfig carries analyzer severities: without it the warnings-as-errors build differs from CI.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Contracts/Fleet.Contracts.csproj src/Contracts/
COPY src/Striper/Fleet.Striper.csproj src/Striper/
COPY src/Agent/Fleet.Agent.csproj src/Agent/
RUN dotnet restore src/Agent/Fleet.Agent.csproj
COPY src/ src/
ARG VERSION=0.1.0
RUN dotnet publish src/Agent/Fleet.Agent.csproj --no-restore -c Release -o /out -p:Version=${VERSION} -p:DebugType=none

# The agent references the ASP.NET Core shared framework (SignalR client), so it runs on the aspnet image.
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}-noble AS runtime
ARG VERSION=0.1.0
ARG SOURCE=https://example.invalid/fleet
ARG REVISION=unknown
LABEL org.opencontainers.image.title="fleet-agent" \
      org.opencontainers.image.description="Fleet agent: drives a host's bonded links for the Fleet control plane" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.vendor="Fleet"
# The tools the link backends drive: iproute2 (ip, tc, ss, nstat), ping for teql probes, ethtool, kmod.
RUN apt-get update \
 && apt-get install -y --no-install-recommends iproute2 iputils-ping ethtool kmod \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out/ ./
RUN ln -s /app/fleet-agent /usr/local/bin/fleet-agent
COPY --chmod=0755 deploy/docker/agent-entrypoint.sh /usr/local/bin/fleet-agent-entrypoint
# The agent stays root inside its container: netlink changes in the host's namespace need CAP_NET_ADMIN, which
# the container is given explicitly (--cap-add NET_ADMIN); every other capability is Docker's default set.
VOLUME /var/lib/fleet-agent
ENTRYPOINT ["/usr/local/bin/fleet-agent-entrypoint"]
CMD ["run"]
