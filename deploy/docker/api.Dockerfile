# syntax=docker/dockerfile:1
# The Fleet control plane (fleet-api): REST, hubs and dashboard. Build from the repository root:
#   docker build -f deploy/docker/api.Dockerfile -t fleet-api .
# Runs as a non-root user on port 8080; `fleet-api migrate` (the same image) applies database migrations.
#
# Build arguments (defaults: Microsoft's images, the Api compiled in the SDK stage):
#   BASE_IMAGE  the runtime base: a Debian or Ubuntu image with apt (default .NET runtime-deps: the Api is published
#               self-contained, so the image needs no separate .NET runtime)
#   SDK_IMAGE   the .NET SDK image of the build stage
#   APP_SOURCE  sdk: publish in the SDK stage; context: take artifacts/container/fleet-api from the build context,
#               published on the build host by `deploy/docker/publish.sh api artifacts/container/fleet-api`
#               (deploy/docker/build-images.sh does both), for a base and a builder without the SDK image
ARG DOTNET_VERSION=10.0
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION}-noble
ARG BASE_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:${DOTNET_VERSION}-noble
ARG APP_SOURCE=sdk

FROM ${SDK_IMAGE} AS build
# The dashboard's browser modules come from npm at build time (src/Web/Fleet.Web.csproj runs `npm ci`).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm \
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
COPY deploy/docker/publish.sh deploy/docker/
RUN deploy/docker/publish.sh --restore-only api
COPY src/ src/
ARG VERSION=0.1.0
RUN deploy/docker/publish.sh api /out --version "${VERSION}"

# The two ways to the published Api; the builder (BuildKit, buildah) builds only the stage APP_SOURCE names.
FROM scratch AS app-sdk
COPY --from=build /out/ /

FROM scratch AS app-context
COPY artifacts/container/fleet-api/ /

FROM app-${APP_SOURCE} AS app

FROM ${BASE_IMAGE} AS runtime
# .NET's native dependencies (OpenSSL comes with ca-certificates; runtime-deps has them already). The agent image
# starts with the same RUN, so a builder shares the layer.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/*
# The user and group "app", 1654, as in Microsoft's .NET images (which have it already): numeric, so that Kubernetes'
# runAsNonRoot can verify it. The SQLite data directory (used when no PostgreSQL connection string is set) is its.
ENV APP_UID=1654
RUN if ! getent passwd "$APP_UID" >/dev/null; then \
      groupadd --system --gid "$APP_UID" app \
      && useradd --system --uid "$APP_UID" --gid "$APP_UID" --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin app; \
    fi \
 && mkdir -p /var/lib/fleet \
 && chown "$APP_UID" /var/lib/fleet
WORKDIR /app
COPY --from=app / /app/
COPY --chmod=0755 deploy/docker/healthcheck.sh /usr/local/bin/fleet-healthcheck
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_HTTP_PORTS= \
    DOTNET_RUNNING_IN_CONTAINER=true \
    Fleet__DataDirectory=/var/lib/fleet
USER $APP_UID
VOLUME /var/lib/fleet
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/fleet-healthcheck", "http://127.0.0.1:8080/healthz"]
ARG VERSION=0.1.0
ARG SOURCE=https://example.invalid/fleet
ARG REVISION=unknown
ARG CREATED=
LABEL org.opencontainers.image.title="fleet-api" \
      org.opencontainers.image.description="Fleet control plane: REST API, SignalR hubs and dashboard for bonded links" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.vendor="Fleet"
ENTRYPOINT ["/app/fleet-api"]
