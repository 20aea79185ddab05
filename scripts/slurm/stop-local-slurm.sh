#!/usr/bin/env bash
# Stops the single-node cluster started by start-local-slurm.sh: cancels its jobs, then stops its daemons by
# the pids in $LF_SLURM_DIR/run (TERM, KILL after 10 s), and munged only if the start script started it.
#
#   scripts/slurm/stop-local-slurm.sh [--purge] [--keep-munge]
#     --purge       also remove $LF_SLURM_DIR and the /etc/slurm/slurm.conf link the start script made
#     --keep-munge  leave munged running (the start script uses it when it restarts the daemons)
set -uo pipefail

DIR=${LF_SLURM_DIR:-/tmp/lesionflow-slurm}
CONF="$DIR/etc/slurm.conf"
purge=0
keep_munge=0
for a in "$@"; do
  case "$a" in
    --purge) purge=1 ;;
    --keep-munge) keep_munge=1 ;;
    *) echo "stop-local-slurm: unknown option $a" >&2; exit 2 ;;
  esac
done

# shellcheck source=scripts/slurm/lib.sh
. "$(dirname "$0")/lib.sh"

# TERM, then KILL whatever is still alive after 10 s.
stop_pids() {
  local pids=() p
  for p in "$@"; do alive "$p" && pids+=("$p"); done
  [ ${#pids[@]} -eq 0 ] && return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 100); do
    local left=0
    for p in "${pids[@]}"; do alive "$p" && left=1; done
    [ $left = 0 ] && return 0
    sleep 0.1
  done
  for p in "${pids[@]}"; do alive "$p" && kill -KILL "$p" 2>/dev/null; done
  return 0
}

ctld=$(pid_in "$DIR/run/slurmctld.pid")
if [ -r "$CONF" ] && alive "$ctld"; then
  # the cluster's jobs first, so that no job process outlives its slurmd
  jobs=$(SLURM_CONF=$CONF squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
  [ -n "${jobs// /}" ] && SLURM_CONF=$CONF scancel $jobs 2>/dev/null
fi
stop_pids "$(pid_in "$DIR/run/slurmd.pid")"
stop_pids "$ctld"
if [ $keep_munge = 0 ] && [ -r "$DIR/run/munged.ours" ]; then
  stop_pids "$(pid_in "$DIR/run/munged.ours")"
  rm -f "$DIR/run/munged.ours"
fi
rm -f "$DIR/run/slurmd.pid" "$DIR/run/slurmctld.pid"
if [ $purge = 1 ]; then
  if [ -L /etc/slurm/slurm.conf ] && [ "$(readlink /etc/slurm/slurm.conf)" = "$CONF" ]; then rm -f /etc/slurm/slurm.conf; fi
  rm -rf "$DIR" "$DIR.apt.log"
fi
exit 0
