#!/usr/bin/env bash
# Installs the Debian packages Tessera builds and runs against (needs root or sudo).
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  pkg-config libgit2-dev libpng-dev libjpeg-dev zlib1g-dev libopenblas-dev libsqlite3-dev \
  dataset-fashion-mnist libjpeg-turbo-progs git >/dev/null
