#!/usr/bin/env bash
# Copy the default policies (policies/*.yaml, *.yml, *.json) into the kustomize base
# and list them in its ConfigMap generator, with policies/examples/job-tracking.yaml:
# the base runs the tracker, so the webhook may hold Jobs with its finalizer. kustomize reads no file outside a
# kustomization's own directory, so the base carries copies; tests/deploy fails when
# they drift.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source_dir="$root/policies"
target_dir="$root/deploy/base/policies"

find "$target_dir" -maxdepth 1 -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) \
  ! -name kustomization.yaml -delete

names=()
for path in "$source_dir"/*.yaml "$source_dir"/*.yml "$source_dir"/*.json \
  "$source_dir/examples/job-tracking.yaml"; do
  [ -e "$path" ] || continue
  cp "$path" "$target_dir/"
  names+=("$(basename "$path")")
done

{
  echo "# Written by deploy/sync-policies.sh from policies/; do not edit."
  echo "apiVersion: kustomize.config.k8s.io/v1beta1"
  echo "kind: Kustomization"
  echo "configMapGenerator:"
  echo "  - name: batchguard-policies"
  echo "    namespace: batchguard-system"
  if [ "${#names[@]}" -gt 0 ]; then
    echo "    files:"
    for name in "${names[@]}"; do
      echo "      - $name"
    done
  fi
} >"$target_dir/kustomization.yaml"

echo "Copied ${#names[@]} policy file(s) into deploy/base/policies."
