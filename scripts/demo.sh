#!/usr/bin/env bash
# The README's first Quick-start command: set up, build, and run the main job on Fashion-MNIST.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
swift build -c release --product tessera
TESSERA="$PWD/.build/release/tessera"
WORK="${TESSERA_DEMO_DIR:-$PWD/.build-demo}"
rm -rf "$WORK"
mkdir -p "$WORK"
if "$TESSERA" --help | grep -qE "^ +demo( |$)"; then
  exec "$TESSERA" demo --out "$WORK"
fi
# Until `tessera demo` exists, the demo is the versioning workflow on the real dataset.
echo "== Import Fashion-MNIST (70,000 PNG files) into $WORK/fashion-mnist"
"$TESSERA" import fashion-mnist --out "$WORK/fashion-mnist"
cd "$WORK/fashion-mnist"
echo "== Version it"
"$TESSERA" init
"$TESSERA" add
"$TESSERA" commit -m "Fashion-MNIST as published"
"$TESSERA" tag v1
"$TESSERA" show v1
echo "== Relabel one image and see the change"
set -- train/Shirt/*.png
first=$(basename "$1")
mkdir -p train/T-shirt_top
mv "train/Shirt/$first" "train/T-shirt_top/relabelled-$first"
"$TESSERA" add train
"$TESSERA" commit -m "Relabel one shirt as a T-shirt"
"$TESSERA" diff v1 HEAD
"$TESSERA" verify
