#!/usr/bin/env bash
# Starts a single-node SLURM cluster on this machine (Debian 12, root, no systemd) for lesionflow's SLURM
# tests and for trying `--executor slurm` locally. Idempotent: a second call finds the daemons running and
# only prints the environment line. See docs/scale-out.md.
#
#   scripts/slurm/start-local-slurm.sh            install what is missing, write the config, start, wait for the node
#   eval "$(scripts/slurm/start-local-slurm.sh)"  the same, and export SLURM_CONF into this shell
#
# Knobs (environment):
#   LF_SLURM_DIR             the cluster's folder: config, state, spool, logs, pid files (default /tmp/lesionflow-slurm)
#   LF_SLURM_CPUS            CPUs the node offers (default: nproc; more oversubscribes the machine)
#   LF_SLURM_MEM             the node's memory in MB (default 16384), DefMemPerCPU 512
#   LF_SLURM_PORT            slurmctld's port (default 6817; slurmd uses the next one)
#   LF_SLURM_MAX_ARRAY_SIZE  MaxArraySize (default 1001, SLURM's own default)
#
# The configuration is independent of the host name (controller and node are localhost/127.0.0.1), uses
# munge (as real clusters do), and is tuned so that a submission starts within the controller's ~1 s tick
# (batch_sched_delay=0; without it every job waits 3 s). It is written to $LF_SLURM_DIR/etc/slurm.conf and
# linked as /etc/slurm/slurm.conf when that file does not exist, so that sbatch/squeue find it without
# SLURM_CONF. Stop with scripts/slurm/stop-local-slurm.sh (by pid; --purge removes the folder).
set -euo pipefail

DIR=${LF_SLURM_DIR:-/tmp/lesionflow-slurm}
CPUS=${LF_SLURM_CPUS:-$(nproc)}
MEM=${LF_SLURM_MEM:-16384}
PORT=${LF_SLURM_PORT:-6817}
MAX_ARRAY=${LF_SLURM_MAX_ARRAY_SIZE:-1001}
CONF="$DIR/etc/slurm.conf"
PACKAGES=(slurmctld slurmd slurm-client slurm-wlm-basic-plugins munge)

say() { echo "start-local-slurm: $*" >&2; }
die() { say "$*"; exit 1; }

# shellcheck source=scripts/slurm/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || die "needs root (it installs Debian packages and runs the daemons as root)"

# ---- packages -------------------------------------------------------------------------------------
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || die "SLURM is not installed and apt-get is missing: install ${missing[*]}"
  say "installing ${missing[*]} (Debian packages)"
  # other installs may hold dpkg's lock: wait for it rather than fail. The packages' postinst scripts try to
  # start the daemons and are refused ("policy-rc.d denied"): expected, they are started below.
  apt_install() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >"$DIR.apt.log" 2>&1; }
  mkdir -p "$(dirname "$DIR")"
  if ! apt_install; then
    apt-get -o DPkg::Lock::Timeout=300 update -qq >>"$DIR.apt.log" 2>&1 || true
    apt_install || { tail -20 "$DIR.apt.log" >&2; die "apt-get install failed (log: $DIR.apt.log)"; }
  fi
fi

mkdir -p "$DIR"/{etc,state,spool,log,run}

# ---- munge ----------------------------------------------------------------------------------------
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  [ -s /etc/munge/munge.key ] || { mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null || dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; }
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n | unmunge >/dev/null 2>&1 || die "munged did not start (see /var/log/munge/munged.log)"
  pid_in /run/munge/munged.pid >"$DIR/run/munged.ours"
fi

# ---- configuration --------------------------------------------------------------------------------
cat >"$CONF.new" <<EOF
# Written by lesionflow's scripts/slurm/start-local-slurm.sh: a single-node cluster on this machine.
ClusterName=lesionflow
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=512
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,bf_interval=1
DependencyParameters=kill_invalid_depend
KillWait=2
MinJobAge=300
ReturnToService=2
MaxArraySize=$MAX_ARRAY
SlurmdParameters=config_overrides
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
if ! cmp -s "$CONF.new" "$CONF"; then
  mv "$CONF.new" "$CONF"
  changed=1
else
  rm -f "$CONF.new"
  changed=0
fi
if [ ! -e /etc/slurm/slurm.conf ] && [ ! -L /etc/slurm/slurm.conf ]; then
  mkdir -p /etc/slurm && ln -s "$CONF" /etc/slurm/slurm.conf
fi
export SLURM_CONF=$CONF

# ---- daemons --------------------------------------------------------------------------------------
ctld=$(pid_in "$DIR/run/slurmctld.pid")
slurmd_pid=$(pid_in "$DIR/run/slurmd.pid")
if [ "$changed" = 1 ] && { alive "$ctld" || alive "$slurmd_pid"; }; then
  say "the configuration changed: restarting the daemons"
  "$(dirname "$0")/stop-local-slurm.sh" --keep-munge
  ctld=""
  slurmd_pid=""
fi
if ! alive "$ctld"; then
  # -c: start from a clean state (no jobs of an earlier session); -i: ignore damaged state files
  slurmctld -c -i >>"$DIR/log/start.log" 2>&1 || die "slurmctld did not start (see $DIR/log/slurmctld.log)"
fi
if ! alive "$slurmd_pid"; then
  slurmd -N localhost >>"$DIR/log/start.log" 2>&1 || die "slurmd did not start (see $DIR/log/slurmd.log)"
fi

# ---- wait for the node ----------------------------------------------------------------------------
state=""
for i in $(seq 300); do
  state=$(sinfo -h -n localhost -o %T 2>/dev/null | head -1 || true)
  case "$state" in
    idle | mixed | allocated | completing) break ;;
    down* | drain* | fail*) [ $((i % 10)) = 1 ] && scontrol update nodename=localhost state=resume >/dev/null 2>&1 || true ;;
  esac
  sleep 0.1
done
case "$state" in
  idle | mixed | allocated | completing) ;;
  *) die "the node did not come up (state: ${state:-none}); see $DIR/log/slurmctld.log and slurmd.log" ;;
esac
say "cluster up: node localhost, $CPUS CPUs, ${MEM} MB (config $CONF)"
echo "export SLURM_CONF=$CONF"
