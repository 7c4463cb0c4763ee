# syntax=docker/dockerfile:1
# PostgreSQL 15 from Debian's packages, for the compose demo on machines that cannot pull the official postgres
# image (deploy/compose/local-base.yml). It takes the official image's settings: POSTGRES_PASSWORD (required),
# POSTGRES_USER (default postgres), POSTGRES_DB (default: the user), data in /var/lib/postgresql/data.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
# No cluster from the package: the entrypoint initialises the volume on the first start.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-common \
 && sed -ri 's/#?(create_main_cluster) .*$/\1 = false/' /etc/postgresql-common/createcluster.conf \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
COPY --chmod=0755 postgres-entrypoint.sh /usr/local/bin/fleet-demo-postgres
VOLUME /var/lib/postgresql/data
EXPOSE 5432
# SIGINT: PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/fleet-demo-postgres"]
