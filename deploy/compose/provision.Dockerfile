# syntax=docker/dockerfile:1
# The docker compose demo's one-shot provisioning steps (provision.sh): curl and jq against Fleet's REST API.
FROM ubuntu:24.04
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl jq \
 && rm -rf /var/lib/apt/lists/*
COPY --chmod=0755 provision.sh /usr/local/bin/fleet-provision
ENTRYPOINT ["/usr/local/bin/fleet-provision"]
