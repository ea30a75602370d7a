# syntax=docker/dockerfile:1

# Build stage: make a wheel of batchguard and install it, with its dependencies,
# into a self-contained virtual environment.
FROM python:3.11.13-slim-bookworm AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY webhook ./webhook

RUN python -m venv /opt/batchguard \
    && python -m pip wheel --no-deps --wheel-dir /wheels . \
    && /opt/batchguard/bin/pip install --no-compile /wheels/batchguard-*.whl \
    && /opt/batchguard/bin/python -m compileall -q --invalidation-mode unchecked-hash \
       /opt/batchguard/lib

# Runtime stage: the same Python image without build files, running as a numeric
# non-root user. It writes nothing outside /tmp, so the root filesystem can be
# mounted read-only.
FROM python:3.11.13-slim-bookworm

LABEL org.opencontainers.image.title="batchguard" \
      org.opencontainers.image.description="Admission webhook and policy enforcer for Kubernetes Jobs and CronJobs" \
      org.opencontainers.image.licenses="Apache-2.0"

RUN groupadd --system --gid 65532 batchguard \
    && useradd --system --uid 65532 --gid 65532 --no-create-home \
       --home-dir /tmp --shell /usr/sbin/nologin batchguard

COPY --from=builder /opt/batchguard /opt/batchguard
# The default policies, so that `docker run` serves them; a cluster mounts its own
# ConfigMap over this directory.
COPY policies/*.yaml /etc/batchguard/policies/

ENV PATH=/opt/batchguard/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    BATCHGUARD_BIND=0.0.0.0:8443 \
    BATCHGUARD_POLICY_DIR=/etc/batchguard/policies \
    BATCHGUARD_CERT_FILE=/etc/batchguard/tls/tls.crt \
    BATCHGUARD_KEY_FILE=/etc/batchguard/tls/tls.key \
    BATCHGUARD_METRICS_DIR=/tmp/batchguard-metrics \
    BATCHGUARD_LOG_FORMAT=json

USER 65532:65532
WORKDIR /tmp
EXPOSE 8443

ENTRYPOINT ["batchguard"]
CMD ["serve"]
