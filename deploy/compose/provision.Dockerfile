# syntax=docker/dockerfile:1
# The docker compose demo's one-shot provisioning steps (provision.sh): curl and jq against Fleet's REST API.
# BASE_IMAGE: any Debian or Ubuntu image with apt (deploy/compose/local-base.yml passes the local Debian base).
ARG BASE_IMAGE=ubuntu:24.04
FROM ${BASE_IMAGE}
# The Fleet images' first layer (deploy/docker/*.Dockerfile), so that a builder shares it.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/*
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl jq \
 && rm -rf /var/lib/apt/lists/*
COPY --chmod=0755 provision.sh /usr/local/bin/fleet-provision
ENTRYPOINT ["/usr/local/bin/fleet-provision"]
