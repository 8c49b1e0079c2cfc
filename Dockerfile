# The image `gameday schedule --image` points its CronJob at: gameday and nothing else.
# Scenarios are not baked in: the CronJob mounts them from a ConfigMap at /gameday.
# Nobody publishes this image for you: build it and push it to your own registry.
#   podman build -t registry.example.com/your-team/gameday:0.1.0 .   (or docker build)
# BASE may be any image with Python >= 3.11 and its venv module (Debian: python3-venv);
# tests/package/test_image.py builds it on a Debian base assembled with mmdebstrap.
ARG BASE=python:3.11-slim
FROM ${BASE}
# For a private index or a TLS-inspecting proxy: --build-arg PIP_INDEX_URL=... and
# --build-arg PIP_CERT=/path/in/build (with -v host-ca.crt:/path/in/build:ro).
ARG PIP_INDEX_URL
ARG PIP_CERT
WORKDIR /src
COPY pyproject.toml README.md ./
COPY gameday ./gameday
# gameday/rbac links to deploy/rbac, gameday/demo/files to the demo's drill and scenarios.
COPY deploy/rbac ./deploy/rbac
COPY drills/demo.yaml ./drills/demo.yaml
COPY scenarios/local ./scenarios/local
RUN python3 -m venv /opt/gameday \
    && /opt/gameday/bin/pip install --no-cache-dir --disable-pip-version-check ".[kubernetes]" \
    && rm -rf /src
# A named user: supervisord (the local target, the demo) looks its uid up in /etc/passwd.
RUN echo "gameday:x:65532:65532:gameday:/tmp:/usr/sbin/nologin" >> /etc/passwd \
    && echo "gameday:x:65532:" >> /etc/group
ENV PATH=/opt/gameday/bin:$PATH HOME=/tmp
WORKDIR /work
USER 65532:65532
ENTRYPOINT ["gameday"]
CMD ["--help"]
