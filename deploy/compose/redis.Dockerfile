# syntax=docker/dockerfile:1
# Redis from Debian's package, for the compose demo on machines that cannot pull the official redis image
# (deploy/compose/local-base.yml). docker-compose.yml's command starts it as the official image would be.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/*
USER redis
WORKDIR /var/lib/redis
EXPOSE 6379
CMD ["redis-server"]
