#!/bin/sh
# Once the server answers: creates the namespace and registers lbflow's search attributes on it.
# Runs in temporalio/admin-tools (the `temporal` CLI); safe to rerun: existing ones are kept.
#   TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, LBFLOW_NAMESPACE_RETENTION, LBFLOW_SEARCH_ATTRIBUTES ("Name=Type …")
set -eu
: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is the server, host:port}"
: "${TEMPORAL_NAMESPACE:?TEMPORAL_NAMESPACE is the namespace to create}"
: "${LBFLOW_SEARCH_ATTRIBUTES:?LBFLOW_SEARCH_ATTRIBUTES lists Name=Type pairs}"
retention="${LBFLOW_NAMESPACE_RETENTION:-72h}"
attempts=60

tries=0
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -lt "$attempts" ] || { echo "namespace setup: $TEMPORAL_ADDRESS not healthy after $attempts tries" >&2; exit 1; }
  sleep 2
done

tries=0
until temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; do
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" --retention "$retention" >/dev/null 2>&1 || true
  tries=$((tries + 1))
  [ "$tries" -lt "$attempts" ] || { echo "namespace setup: could not create $TEMPORAL_NAMESPACE" >&2; exit 1; }
  sleep 2
done
echo "namespace setup: $TEMPORAL_NAMESPACE ready"

# The type an attribute is registered with (`list` prints a Name/Type table), or nothing.
registered() {
  temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" 2>/dev/null | awk -v n="$1" '$1 == n { print $2 }'
}

for pair in $LBFLOW_SEARCH_ATTRIBUTES; do
  name="${pair%%=*}"
  type="${pair#*=}"
  tries=0
  until [ "$(registered "$name")" = "$type" ]; do
    have="$(registered "$name")"
    [ -z "$have" ] || { echo "namespace setup: $name is registered as $have; lbflow needs $type" >&2; exit 1; }
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" --name "$name" --type "$type" >/dev/null || true
    tries=$((tries + 1))
    [ "$tries" -lt "$attempts" ] || { echo "namespace setup: could not register $name ($type)" >&2; exit 1; }
    sleep 1
  done
  echo "namespace setup: search attribute $name ($type) registered"
done
