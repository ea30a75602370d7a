#!/usr/bin/env bash
# Fill deploy/overlays/manual-certs/generated/ for `kubectl apply -k`.
#
#   render-manual-certs.sh            keep existing certificates (or make the first
#                                     ones) and rewrite the caBundle patch
#   render-manual-certs.sh --rotate   make a new CA and serving certificate; the
#                                     caBundle trusts the new and the previous CA
#   render-manual-certs.sh --drop-previous-ca
#                                     trust only the current CA again
#
# Certificates come from `batchguard certs generate`; set BATCHGUARD to the command's
# path when it is not on PATH. Keys stay in generated/, which git ignores.
set -euo pipefail

deploy_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$deploy_dir/overlays/manual-certs/generated"
batchguard="${BATCHGUARD:-batchguard}"
service="batchguard-webhook"
namespace="batchguard-system"

usage() {
  sed -n '2,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

# Make a new CA and serving certificate. With "keep-previous", the current CA is
# kept as previous-ca.crt once the new files are known to be complete.
generate() {
  local fresh
  fresh="$(mktemp -d "$out/.new.XXXXXX")"
  if ! "$batchguard" certs generate --service "$service" --namespace "$namespace" \
    --out "$fresh" >/dev/null; then
    rm -rf "$fresh"
    echo "batchguard certs generate failed; generated/ is unchanged." >&2
    exit 1
  fi
  for name in ca.crt ca.key tls.crt tls.key; do
    if [ ! -s "$fresh/$name" ]; then
      rm -rf "$fresh"
      echo "batchguard certs generate wrote no $name; generated/ is unchanged." >&2
      exit 1
    fi
  done
  chmod 600 "$fresh/ca.key" "$fresh/tls.key"
  if [ "${1:-}" = "keep-previous" ]; then
    cp "$out/ca.crt" "$out/previous-ca.crt"
  fi
  mv -f "$fresh"/* "$out/"
  rmdir "$fresh"
}

# The caBundle is the current CA, followed by the previous one during a rotation.
write_bundle_patch() {
  local bundle
  bundle="$(cat "$@" | base64 | tr -d '\n')"
  {
    echo "# Written by deploy/render-manual-certs.sh; do not edit."
    echo "- op: add"
    echo "  path: /webhooks/0/clientConfig/caBundle"
    echo "  value: $bundle"
  } >"$out/ca-bundle.yaml"
}

mode="${1:-render}"
case "$mode" in
  render | --rotate | --drop-previous-ca) ;;
  -h | --help)
    usage
    exit 0
    ;;
  *)
    usage >&2
    exit 2
    ;;
esac

mkdir -p "$out"
umask 077

if [ "$mode" = "--rotate" ] && [ -s "$out/ca.crt" ]; then
  generate keep-previous
elif [ "$mode" = "--drop-previous-ca" ]; then
  rm -f "$out/previous-ca.crt"
elif [ ! -s "$out/tls.crt" ] || [ ! -s "$out/tls.key" ] || [ ! -s "$out/ca.crt" ]; then
  generate
fi

if [ ! -s "$out/ca.crt" ]; then
  echo "generated/ holds no CA yet; run $(basename "$0") without arguments first." >&2
  exit 1
fi

if [ -s "$out/previous-ca.crt" ]; then
  write_bundle_patch "$out/ca.crt" "$out/previous-ca.crt"
else
  write_bundle_patch "$out/ca.crt"
fi

echo "Wrote $out"
echo "Next: kubectl apply -k $deploy_dir/overlays/manual-certs"
