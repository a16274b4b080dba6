#!/usr/bin/env bash
# The team remote in BENCHMARKS.md: cold (publishing), local-warm and remote-warm
# default weekly-momentum runs against moto's S3 server, and the bytes moved.
# Needs a release build and moto[server] (installed by .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
B=target/release/thetabench
python3 tests/support/s3_server.py --bucket team-cache > /tmp/bench-s3.out 2>/dev/null &
S3=$!
trap 'kill $S3' EXIT
sleep 2
PORT=$(awk '/PORT/{print $2}' /tmp/bench-s3.out)
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test THETABENCH_CONFIG=/nonexistent
R="--remote s3://team-cache/bench --remote-endpoint http://127.0.0.1:$PORT"
rm -rf /tmp/bench-a /tmp/bench-b /tmp/bench-c /tmp/bench-runs; mkdir -p /tmp/bench-runs
t() { /usr/bin/time -f "%e s wall, %M KB" "$@"; }
echo "== cold, publishing"; t $B --cache-dir /tmp/bench-a --terminal sim $R run --out /tmp/bench-runs/cold --json | grep -E '"(network_requests|remote_gets|remote_puts|remote_bytes|final_value)"'
echo "== local warm (remote set, not asked)"; for i in 1 2 3; do t $B --cache-dir /tmp/bench-a --terminal sim $R run --out /tmp/bench-runs/warm$i --json | grep -E '"(network_requests|remote_gets|remote_bytes)"'; done
for i in 1 2 3; do
  rm -rf /tmp/bench-b
  echo "== fresh local dir, warmed from the remote ($i)"; t $B --cache-dir /tmp/bench-b --terminal sim $R run --out /tmp/bench-runs/remote$i --json | grep -E '"(network_requests|remote_gets|remote_puts|remote_bytes|final_value)"'
done
echo "== cold, no remote"; for i in 1 2; do rm -rf /tmp/bench-c; t $B --cache-dir /tmp/bench-c --terminal sim run --out /tmp/bench-runs/plain$i --json | grep -E '"(network_requests|final_value)"'; done
echo "== sizes"
python3 - <<PY
import boto3, os
s3 = boto3.client("s3", endpoint_url="http://127.0.0.1:$PORT", aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1")
total = 0; n = 0; kinds = {}
for page in s3.get_paginator("list_objects_v2").paginate(Bucket="team-cache", Prefix="bench/"):
    for o in page.get("Contents", []):
        total += o["Size"]; n += 1
        k = o["Key"].split("/")[2]; kinds[k] = kinds.get(k, 0) + o["Size"]
print("remote objects", n, "bytes", total, kinds)
local = 0
for root, dirs, files in os.walk("/tmp/bench-b"):
    if "logs" in root: continue
    for f in files:
        if f.endswith((".parquet", ".json")): local += os.path.getsize(os.path.join(root, f))
print("fresh local dir after the remote-warm run: bytes", local)
PY
$B parity /tmp/bench-runs/cold /tmp/bench-runs/remote1 | head -2
