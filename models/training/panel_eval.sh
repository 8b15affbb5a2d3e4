#!/bin/sh
# Scores every gate of the panel (panel.py's output) with one model through the runtime:
#   models/training/panel_eval.sh MODEL PANEL_DIR OUT_DIR
# MODEL is a shipped model id (guard: its recommended policy) or a model directory (its policy.json,
# profile balanced); OUT_DIR gets GATE.scores.jsonl (what
# gates.py reads) and GATE.txt (eval's printed report) for each gate.
set -eu
model=$1; panel=$2; out=$3
root=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
mkdir -p "$out"
policy=""
if [ -f "$model/policy.json" ]; then policy="--policy $model/policy.json --profile balanced"; fi
for gate in "$panel"/*.jsonl; do
  name=$(basename "$gate" .jsonl)
  # shellcheck disable=SC2086 # $policy is empty or four words
  "$root/bin/parapet" eval --model "$model" $policy --data "$gate" --scores "$out/$name.scores.jsonl" > "$out/$name.txt"
done
