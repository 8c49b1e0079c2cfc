#!/usr/bin/env bash
# Adds a kubeconfig context `gameday-runner` that authenticates as the namespace's
# gameday-runner ServiceAccount (created by `gameday rbac`), so the drill runs with the
# namespace Role, never with the cluster admin the CI job created the cluster as.
#   runner-kubeconfig.sh NAMESPACE [CLUSTER]   (CLUSTER: the kubeconfig cluster entry)
set -euo pipefail
namespace="$1"
cluster="${2:-$(kubectl config view --minify -o jsonpath='{.clusters[0].name}')}"
token="$(kubectl create token gameday-runner -n "$namespace" --duration=1h)"
if [ -n "${GITHUB_ACTIONS:-}" ]; then echo "::add-mask::$token"; fi
kubectl config set-credentials gameday-runner --token="$token" >/dev/null
kubectl config set-context gameday-runner --cluster="$cluster" --user=gameday-runner \
  --namespace="$namespace" >/dev/null
# Prove the identity: the runner may list pods here, and may not list nodes.
kubectl --context gameday-runner auth can-i list pods -n "$namespace" >/dev/null
if kubectl --context gameday-runner auth can-i list nodes >/dev/null 2>&1; then
  echo "runner-kubeconfig: gameday-runner may list nodes: more than the namespace Role" >&2
  exit 1
fi
echo "context gameday-runner: ServiceAccount $namespace/gameday-runner"
