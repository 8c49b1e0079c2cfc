# The image `gameday schedule` points its CronJob at: gameday and nothing else.
# Scenarios are not baked in: the CronJob mounts them from a ConfigMap at /gameday.
#   docker build -t ghcr.io/YOUR-ORG/gameday:0.1.0 .
FROM python:3.11-slim
WORKDIR /src
COPY pyproject.toml README.md ./
COPY deploy ./deploy
COPY gameday ./gameday
RUN pip install --no-cache-dir . && rm -rf /src
WORKDIR /work
USER 65532:65532
ENTRYPOINT ["gameday"]
CMD ["--help"]
