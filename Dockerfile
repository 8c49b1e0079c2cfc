# The image `gameday schedule --image` points its CronJob at: gameday and nothing else.
# Scenarios are not baked in: the CronJob mounts them from a ConfigMap at /gameday.
# Nobody publishes this image for you: build it and push it to your own registry.
#   docker build -t registry.example.com/your-team/gameday:0.1.0 .
#   (podman/buildah work the same; BASE may name any image with Python >= 3.11 and pip)
ARG BASE=python:3.11-slim
FROM ${BASE}
WORKDIR /src
COPY pyproject.toml README.md ./
COPY gameday ./gameday
# gameday/demo/files links to the demo's drill and scenarios; the wheel carries copies.
COPY drills/demo.yaml ./drills/demo.yaml
COPY scenarios/local ./scenarios/local
RUN python3 -m pip install --no-cache-dir --disable-pip-version-check . && rm -rf /src
WORKDIR /work
USER 65532:65532
ENV HOME=/tmp
ENTRYPOINT ["gameday"]
CMD ["--help"]
