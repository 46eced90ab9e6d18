#!/usr/bin/env bash
# A private single-node Slurm cluster on loopback, for tests and for trying the Slurm executor by hand.
#
#   scripts/slurm-loopback.sh start DIR   # starts munged + slurmctld + slurmd, prints the client environment
#   scripts/slurm-loopback.sh env DIR     # prints it again:  eval "$(scripts/slurm-loopback.sh env DIR)"
#   scripts/slurm-loopback.sh stop DIR    # cancels jobs, kills the daemons by their pid files, waits until gone
#
# Everything lives under DIR (slurm.conf, munge key and socket, state, spool, logs, pid files); nothing
# in /etc is read or written, so it coexists with a system Slurm and with other loopback clusters (each
# picks its own free ports). Needs root (SlurmUser=root) and the Debian packages
# slurmctld slurmd slurm-client munge. No systemd and no cgroups: proctrack/linuxproc, task/none.
# Only the environment printed on stdout goes to stdout; progress and errors go to stderr.
set -euo pipefail

PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"
# Close every inherited descriptor above 2, so no daemon keeps one open: a caller waiting for EOF on
# a pipe (Foundation's Process does, on a hidden one) would otherwise hang as long as the daemons run.
for fd in /proc/$$/fd/*; do
  fd=${fd##*/}
  [ "$fd" -gt 2 ] 2>/dev/null && { eval "exec $fd>&-"; } 2>/dev/null || true
done
unset fd
me="slurm-loopback"
die() { echo "$me: $*" >&2; exit 1; }

usage() { die "usage: $0 start|stop|env DIR"; }
[ $# -eq 2 ] || usage
cmd=$1
case $2 in
  "") usage ;;
  *[[:space:]\'\"\\\$\`]*) die "DIR must not contain spaces, quotes, backslashes, \$ or backquotes: '$2'" ;;
esac
if [ "$cmd" = start ]; then mkdir -p "$2" 2>/dev/null || die "cannot create $2"; fi
if [ ! -d "$2" ]; then
  [ "$cmd" = stop ] && exit 0 # nothing to stop
  die "no cluster configured in $2 (run: $0 start $2)"
fi
DIR=$(cd "$2" && pwd -P)
CONF="$DIR/slurm.conf"
# Marks the daemons (via their environment) so that pid files are trusted only for our own processes.
MARK="TESSERA_SLURM_LOOPBACK=$DIR"

print_env() {
  echo "export SLURM_CONF=$CONF"
}

pid_of() { # pid_of NAME -> prints the pid from DIR/run/NAME.pid if that process is alive
  local f="$DIR/run/$1.pid" pid
  [ -s "$f" ] || return 1
  pid=$(tr -dc 0-9 <"$f")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  # Not a zombie, and really ours (pids are reused).
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
  grep -qzxF "$MARK" "/proc/$pid/environ" 2>/dev/null || return 1
  echo "$pid"
}

alive() { [ -d "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# Processes left over from this cluster: the daemons carry MARK; slurmstepd (started by slurmd with
# a fresh environment) carries SLURM_CONF=$CONF, and so do job processes, together with SLURM_JOB_ID
# (this script and its callers may have SLURM_CONF too, but never SLURM_JOB_ID of this cluster).
stragglers() {
  local p e
  for p in /proc/[0-9]*; do
    e=$p/environ
    p=${p#/proc/}
    [ "$p" != $$ ] && [ "$p" != "$BASHPID" ] || continue
    if grep -qzxF "$MARK" "$e" 2>/dev/null \
      || { grep -qzxF "SLURM_CONF=$CONF" "$e" 2>/dev/null \
        && { grep -qz '^SLURM_JOB_ID=' "$e" 2>/dev/null || [ "$(cat "/proc/$p/comm" 2>/dev/null)" = slurmstepd ]; }; }; then
      alive "$p" && echo "$p"
    fi
  done
  return 0
}

wait_gone() { # wait_gone SECONDS PID... -> 0 when all are gone
  local deadline=$((SECONDS + $1)) p left
  shift
  while :; do
    left=0
    for p in "$@"; do alive "$p" && left=1; done
    [ $left = 0 ] && return 0
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.05
  done
}

do_stop() {
  local pids=() p n
  # slurmd leaves running jobs alone when it stops, so cancel them first (quick when there are none).
  if p=$(pid_of slurmctld) && [ -s "$CONF" ]; then
    if [ -n "$(SLURM_CONF=$CONF timeout 5 squeue -h -o %A 2>/dev/null)" ]; then
      SLURM_CONF=$CONF timeout 5 scancel --quiet --user=root 2>/dev/null || true
      for _ in $(seq 50); do
        [ -z "$(SLURM_CONF=$CONF timeout 5 squeue -h -t running,completing,configuring -o %A 2>/dev/null)" ] && break
        sleep 0.1
      done
    fi
  fi
  for n in slurmd slurmctld munged; do
    if p=$(pid_of $n); then pids+=("$p"); kill -TERM "$p" 2>/dev/null || true; fi
  done
  if [ ${#pids[@]} -gt 0 ] && ! wait_gone 10 "${pids[@]}"; then
    kill -KILL "${pids[@]}" 2>/dev/null || true
    wait_gone 5 "${pids[@]}" || die "daemons ${pids[*]} did not exit"
  fi
  mapfile -t pids < <(stragglers)
  if [ ${#pids[@]} -gt 0 ]; then
    kill -KILL "${pids[@]}" 2>/dev/null || true
    wait_gone 5 "${pids[@]}" || die "processes ${pids[*]} did not exit"
  fi
  rm -f "$DIR"/run/*.pid
}

port_busy() { # any TCP socket (v4 or v6) bound to this local port?
  local hex
  hex=$(printf '%04X' "$1")
  awk -v h=":$hex" 'NR > 1 && substr($2, length($2) - 4) == h { found = 1 } END { exit !found }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

free_port() { # below the ephemeral range, so outgoing connections never take it
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 12000))
    port_busy "$p" || port_busy "$((p + 1))" || { echo "$p"; return 0; }
  done
  die "no free port found"
}

log_tail() { tail -n 15 "$1" 2>/dev/null | sed 's/^/    /' >&2 || true; }

fail_start() { # fail_start MESSAGE LOG
  echo "$me: $1 (logs in $DIR/log)" >&2
  [ -n "${2:-}" ] && log_tail "$2"
  do_stop 2>/dev/null || true
  exit 1
}

write_conf() { # write_conf CTLD_PORT SLURMD_PORT
  local node
  # The hardware line from slurmd -C, minus RealMemory/UpTime (a later, slightly smaller memory
  # reading would drain the node) and with our own node name.
  node=$(slurmd -C | head -n 1 | sed -E 's/^NodeName=[^ ]+//; s/ RealMemory=[0-9]+//')
  cat >"$CONF" <<EOF
# Generated by scripts/slurm-loopback.sh; regenerated by every start.
ClusterName=loop$1
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$1
SlurmdPort=$2
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.socket
StateSaveLocation=$DIR/state/ctld
SlurmdSpoolDir=$DIR/state/slurmd
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$DIR/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
# One CPU per job unless it asks for more, so the node runs as many jobs at once as it has cores.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# Schedule at once (the defaults wait up to ~3 s per scheduling wave).
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
# Ended jobs stay visible to 'squeue -t all' for 10 minutes; there is no accounting database.
MinJobAge=600
ReturnToService=2
InactiveLimit=0
KillWait=5
Waittime=0
NodeName=localhost NodeAddr=127.0.0.1 $node State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
}

start_daemon() { # start_daemon NAME COMMAND... (stdio detached, inherited descriptors 3+ closed)
  local name=$1 fd
  shift
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null || true
    done
    exec env "$MARK" "$@" </dev/null >>"$DIR/log/$name.out" 2>&1
  ) || return 1
}

# Waits up to SECONDS for COMMAND to succeed; fails early when the daemon behind PIDNAME died. A daemon
# that forks writes its pid file a moment after it was started (longer on a busy machine): only a daemon
# seen running and then gone has exited.
wait_for() { # wait_for SECONDS PIDNAME COMMAND...
  local deadline=$((SECONDS + $1)) name=$2 seen=0
  shift 2
  while ! "$@" >/dev/null 2>&1; do
    if pid_of "$name" >/dev/null; then seen=1; elif [ $seen = 1 ]; then return 2; fi
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}

# Up, whether idle or running jobs ("idle*", "down", "drain" ... are not).
node_responding() {
  case $(SLURM_CONF=$CONF sinfo -h -n localhost -o %t 2>/dev/null) in idle | mix | alloc) return 0 ;; esac
  return 1
}

node_idle() { [ "$(SLURM_CONF=$CONF sinfo -h -n localhost -o %t 2>/dev/null)" = idle ]; }

do_start() {
  local missing=() c t0 ctld_port slurmd_port attempt rc job state
  t0=$(date +%s.%N)
  [ "$(id -u)" = 0 ] || die "must run as root (the cluster runs as SlurmUser=root)"
  for c in slurmctld slurmd munged mungekey sbatch squeue scancel sinfo scontrol; do
    command -v $c >/dev/null 2>&1 || missing+=("$c")
  done
  [ ${#missing[@]} -eq 0 ] || die "missing ${missing[*]}: apt-get install slurmctld slurmd slurm-client munge"

  # Already running and healthy: nothing to do.
  if pid_of munged >/dev/null && pid_of slurmctld >/dev/null && pid_of slurmd >/dev/null \
    && node_responding; then
    echo "$me: already running in $DIR" >&2
    print_env
    return 0
  fi
  do_stop

  rm -rf "$DIR/state" "$DIR/log" "$DIR/run" "$DIR/munge"
  mkdir -p "$DIR/state/ctld" "$DIR/state/slurmd" "$DIR/log" "$DIR/run" "$DIR/munge" "$DIR/jobs"
  chmod 700 "$DIR/state" "$DIR/log" "$DIR/run"
  chmod 755 "$DIR/munge" # munged requires its socket folder to be readable by everyone
  : >"$DIR/plugstack.conf"

  # A private munged with its own key and socket; --force accepts parents like /tmp (sticky, world-writable).
  mungekey -c -k "$DIR/munge/munge.key" >/dev/null 2>&1 || die "mungekey -c -k $DIR/munge/munge.key failed"
  chmod 600 "$DIR/munge/munge.key"
  start_daemon munged munged --force --socket="$DIR/munge/munge.socket" \
    --key-file="$DIR/munge/munge.key" --pid-file="$DIR/run/munged.pid" \
    --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munge.seed" \
    || fail_start "munged failed to start" "$DIR/log/munged.out"
  wait_for 10 munged test -S "$DIR/munge/munge.socket" || fail_start "munged not ready" "$DIR/log/munged.log"

  # Ports are only probed, so another process may take one before slurmctld binds it: retry.
  for attempt in 1 2 3; do
    ctld_port=$(free_port)
    slurmd_port=$((ctld_port + 1))
    write_conf "$ctld_port" "$slurmd_port"
    rm -rf "$DIR/state/ctld"/* "$DIR/state/slurmd"/*
    : >"$DIR/log/slurmctld.log"
    : >"$DIR/log/slurmd.log"
    start_daemon slurmctld slurmctld -f "$CONF" || true
    rc=0
    wait_for 30 slurmctld env SLURM_CONF="$CONF" scontrol ping || rc=$?
    if [ $rc = 0 ]; then
      start_daemon slurmd slurmd -f "$CONF" -N localhost || true
      wait_for 30 slurmd node_idle || rc=$?
      [ $rc = 0 ] && break
    fi
    if grep -qi "address already in use" "$DIR/log/slurmctld.log" "$DIR/log/slurmd.log" 2>/dev/null \
      && [ $attempt -lt 3 ]; then
      echo "$me: port $ctld_port or $slurmd_port taken meanwhile, retrying" >&2
      for c in slurmd slurmctld; do
        if p=$(pid_of $c); then kill -KILL "$p"; wait_gone 5 "$p" || true; fi
      done
      continue
    fi
    if ! pid_of slurmctld >/dev/null; then fail_start "slurmctld exited" "$DIR/log/slurmctld.log"; fi
    if [ $rc = 2 ]; then fail_start "slurmd exited" "$DIR/log/slurmd.log"; fi
    fail_start "node not idle within 30 s ($(SLURM_CONF=$CONF sinfo -h -o %t 2>&1))" "$DIR/log/slurmd.log"
  done

  # End to end: a trivial batch job must complete.
  job=$(cd "$DIR/jobs" && SLURM_CONF=$CONF sbatch --parsable --job-name=loopback-check \
    --output=/dev/null --wrap true 2>&1) || fail_start "sbatch failed: $job" "$DIR/log/slurmctld.log"
  job=${job%%;*}
  for _ in $(seq 300); do
    state=$(SLURM_CONF=$CONF squeue -h -t all -j "$job" -o %T 2>/dev/null || true)
    case $state in
      COMPLETED) break ;;
      FAILED | CANCELLED | TIMEOUT | NODE_FAIL | BOOT_FAIL | OUT_OF_MEMORY | DEADLINE)
        fail_start "check job $job ended $state" "$DIR/log/slurmd.log" ;;
    esac
    sleep 0.1
  done
  [ "$state" = COMPLETED ] || fail_start "check job $job not completed within 30 s (state '$state')" "$DIR/log/slurmctld.log"

  echo "$me: running in $DIR (slurmctld port $ctld_port, slurmd port $slurmd_port," \
    "ready in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s)" >&2
  print_env
}

case $cmd in
  start)
    exec 9>>"$DIR/.lock"
    flock 9
    do_start
    ;;
  stop)
    [ "$(id -u)" = 0 ] || die "must run as root (the cluster runs as SlurmUser=root)"
    exec 9>>"$DIR/.lock"
    flock 9
    do_stop
    ;;
  env)
    [ -s "$CONF" ] || die "no cluster configured in $DIR (run: $0 start $DIR)"
    print_env
    ;;
  *) usage ;;
esac
