#!/usr/bin/env bash
# Two-thread pretrain beside the machine's own two-thread scaling, round by round (docs/benchmarks.md).
# Usage: docs/experiments/scaling-pairs.sh RATINGS_FILE [ROUNDS]   (from the repository root, after the build)
set -euo pipefail
ratings=${1:?ratings file}; rounds=${2:-8}
for r in $(seq 1 "$rounds"); do
  p1=$(java --add-modules jdk.incubator.vector -jar target/streamrec.jar pretrain --ratings "$ratings" --out "${TMPDIR:-/tmp}/scaling-1.srm" --holdout 0 --epochs 50 --threads 1 2>/dev/null | tail -1)
  p2=$(java --add-modules jdk.incubator.vector -jar target/streamrec.jar pretrain --ratings "$ratings" --out "${TMPDIR:-/tmp}/scaling-2.srm" --holdout 0 --epochs 50 --threads 2 2>/dev/null | tail -1)
  c1=$(java docs/experiments/ComputeScaling.java 1 chain | awk '{print $3}')
  c2=$(java docs/experiments/ComputeScaling.java 2 chain | awk '{print $3}')
  i1=$(java docs/experiments/ComputeScaling.java 1 independent | awk '{print $3}')
  i2=$(java docs/experiments/ComputeScaling.java 2 independent | awk '{print $3}')
  python3 - "$p1" "$p2" $c1 $c2 $i1 $i2 <<'PY'
import json,sys
p1=json.loads(sys.argv[1]); p2=json.loads(sys.argv[2]); c1,c2,i1,i2=map(float,sys.argv[3:7])
print("pretrain whole %.2fx epochs %.2fx (1t %.2f s, 2t %.2f s) | chain %.2fx | independent %.2fx" % (p1['seconds']/p2['seconds'], p1['epoch_seconds']/p2['epoch_seconds'], p1['seconds'], p2['seconds'], 2*c1/c2, 2*i1/i2))
PY
done
