# Shared by start-local-slurm.sh and stop-local-slurm.sh (sourced).

# A pid is alive when its process exists and is not a zombie (daemons are re-parented to PID 1, which may
# reap them late: kill -0 succeeds on a zombie).
alive() {
  local pid=$1
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  local state
  state=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null || echo Z)
  [ "$state" != Z ] && [ "$state" != X ]
}

# The pid in a pid file (nothing when there is none).
pid_in() { [ -r "$1" ] && tr -dc '0-9' <"$1" || true; }
