# syntax=docker/dockerfile:1
# The Fleet control plane (fleet-api): REST, hubs and dashboard. Build from the repository root:
#   docker build -f deploy/docker/api.Dockerfile -t fleet-api .
# Runs as a non-root user on port 8080; `fleet-api migrate` (the same image) applies database migrations.
ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION}-noble AS build
# The dashboard's browser modules come from npm at build time (src/Web/Fleet.Web.csproj runs `npm ci`).
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Restore first, from the project files alone, so that the layer is reused until a dependency changes.
# .editorconfig carries analyzer severities: without it the warnings-as-errors build differs from CI.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Contracts/Fleet.Contracts.csproj src/Contracts/
COPY src/Striper/Fleet.Striper.csproj src/Striper/
COPY src/Agent/Fleet.Agent.csproj src/Agent/
COPY src/Web/Fleet.Web.csproj src/Web/
COPY src/Api/Fleet.Api.csproj src/Api/
RUN dotnet restore src/Api/Fleet.Api.csproj
COPY src/ src/
ARG VERSION=0.1.0
RUN dotnet publish src/Api/Fleet.Api.csproj --no-restore -c Release -o /out -p:Version=${VERSION} -p:DebugType=none

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}-noble AS runtime
ARG VERSION=0.1.0
ARG SOURCE=https://example.invalid/fleet
ARG REVISION=unknown
LABEL org.opencontainers.image.title="fleet-api" \
      org.opencontainers.image.description="Fleet control plane: REST API, SignalR hubs and dashboard for bonded links" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.vendor="Fleet"
ENV ASPNETCORE_URLS=http://+:8080 \
    Fleet__DataDirectory=/var/lib/fleet
# SQLite (the default when no PostgreSQL connection string is set) keeps its file here; the user below owns it.
RUN mkdir -p /var/lib/fleet && chown "$APP_UID" /var/lib/fleet
WORKDIR /app
COPY --from=build /out/ ./
COPY --chmod=0755 deploy/docker/healthcheck.sh /usr/local/bin/fleet-healthcheck
# APP_UID (1654, user "app") comes with the .NET base images: numeric, so Kubernetes' runAsNonRoot can verify it.
USER $APP_UID
VOLUME /var/lib/fleet
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/fleet-healthcheck", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/app/fleet-api"]
