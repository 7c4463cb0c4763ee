# syntax=docker/dockerfile:1
# Redis from Debian's package, for the compose demo on machines that cannot pull the official redis image
# (deploy/compose/local-base.yml). docker-compose.yml's command starts it as the official image would be.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
# The package's maintainer script would start the server inside the build: a policy-rc.d that refuses (exit 101)
# stops it, unless the base brings one of its own.
RUN if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d && touch /tmp/own-policy; fi \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/* \
 && if [ -e /tmp/own-policy ]; then rm -f /usr/sbin/policy-rc.d /tmp/own-policy; fi
USER redis
WORKDIR /var/lib/redis
EXPOSE 6379
CMD ["redis-server"]
