#!/usr/bin/env bash
# The README's first Quick-start command: set up, build, and run the main job (`tessera demo`) on
# Fashion-MNIST. Output: ./tessera-demo/REPORT.md (or $TESSERA_DEMO_DIR). Extra arguments go to
# `tessera demo`, e.g. `./scripts/demo.sh --budget 20m`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
swift build -c release --product tessera --static-swift-stdlib
TESSERA="$PWD/.build/release/tessera"
# A folder left by an earlier demo is reused (its versioned dataset stays; the new run's outputs replace the old).
exec "$TESSERA" demo --out "${TESSERA_DEMO_DIR:-$PWD/tessera-demo}" "$@"
