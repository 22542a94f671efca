#!/usr/bin/env bash
# slurm.sh - bench/slurm/render.sbatch under a real Slurm: a one-node
# cluster on this machine, started and stopped by this script alone.
#
#   make test-slurm          (or: RENDER_MPI=/abs/render-mpi bash tests/slurm.sh)
#
# Installs Debian's slurm-wlm and munge when they are missing (apt-get, as
# root or through sudo), then, in one temporary directory: a munge key and
# a munged on its own socket; a slurm.conf for NodeName=localhost with this
# machine's CPUs (proctrack/linuxproc, task/affinity, no cgroups, free ports,
# state, spool, pid and log files all in the directory); slurmctld and
# slurmd, each started in the foreground by its own command with its PID
# recorded. It submits the sbatch script the README tells users to copy
# (2 tasks, --cpus-per-task = half the CPUs), waits for the job, checks the
# output frame for frame against the input and the job's log, and finally
# stops exactly the daemons it started (by PID) and removes the directory,
# on failure and Ctrl-C too. Nothing system-wide is configured or started.
# Not part of `make test`: it installs packages and takes about half a
# minute. The last line is "N passed, N failed".
. "$(dirname "$0")/lib.sh"

RENDER_MPI=${RENDER_MPI:-$T_ROOT/render-mpi}
case $RENDER_MPI in /*) ;; *) RENDER_MPI=$T_ROOT/${RENDER_MPI#./} ;; esac
SBATCH_SCRIPT=$T_ROOT/bench/slurm/render.sbatch
JOB_WAIT_S=${JOB_WAIT_S:-180}
W=$T_TMP
PIDS=()

# stop_daemons: TERM to each daemon this script started, KILL to any that
# is still there 10 s later. Only these PIDs: a machine may run its own Slurm.
stop_daemons() {
    local p i
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do
        for i in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    PIDS=()
}
cleanup() { stop_daemons; rm -rf "$T_TMP"; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# say_log NAME: the last lines of a daemon's log, for a FAIL line.
say_log() { tail -n 3 "$W/$1.log" 2>/dev/null | tr '\n' '|' | head -c 400; }

# --- packages -------------------------------------------------------------------
if [ ! -x "$RENDER_MPI" ]; then
    fail "render-mpi" "$RENDER_MPI is missing; run make mpi"; finish; exit 1
fi
missing=""
for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    echo "# installing$missing"
    # policy-rc.d 101: the packages' own services must not start (we run ours).
    { $SUDO apt-get install -y -qq $missing || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq $missing; }; } \
        >"$W/apt.log" 2>&1 </dev/null
    if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
        fail "install slurm-wlm munge" "$(tail -n 2 "$W/apt.log" | tr '\n' '|')"; finish; exit 1
    fi
fi
ok "slurm-wlm $(dpkg-query -W -f='${Version}' slurm-wlm) and munge installed"

# --- configuration ----------------------------------------------------------------
# Two free TCP ports: bind to port 0 and let the kernel choose.
read -r PORT_CTLD PORT_D < <(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
CPUS=$(nproc)
CPT=$((CPUS / 2 > 0 ? CPUS / 2 : 1))   # 2 tasks, half the CPUs each
mkdir -p "$W/state" "$W/spool" "$W/job"
chmod 755 "$W"   # munged wants its socket's directory searchable by all; the key stays 0600
export SLURM_CONF=$W/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=rdtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$PORT_CTLD
SlurmdPort=$PORT_D
SlurmUser=$(id -un)
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$W/munge.sock
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool
SlurmctldPidFile=$W/slurmctld.pid
SlurmdPidFile=$W/slurmd.pid
SlurmctldLogFile=$W/slurmctld.log
SlurmdLogFile=$W/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS State=UNKNOWN
PartitionName=rdtest Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF

# --- daemons ------------------------------------------------------------------------
mungekey --create --keyfile="$W/munge.key" 2>"$W/mungekey.err" ||
    { fail "munge key" "$(cat "$W/mungekey.err")"; finish; exit 1; }
munged -F --socket="$W/munge.sock" --key-file="$W/munge.key" --pid-file="$W/munged.pid" \
    --log-file="$W/munged.log" --seed-file="$W/munged.seed" </dev/null >"$W/munged.out" 2>&1 &
PIDS+=($!)
for i in $(seq 50); do [ -S "$W/munge.sock" ] && break; sleep 0.1; done
check "munged on its own socket" "$(cat "$W/munged.out") $(say_log munged)" \
    sh -c 'munge -n -S "$1" | unmunge -S "$1" >/dev/null' _ "$W/munge.sock"

slurmctld -D -i -f "$SLURM_CONF" </dev/null >"$W/slurmctld.out" 2>&1 &
PIDS+=($!)
slurmd -D -N localhost -f "$SLURM_CONF" </dev/null >"$W/slurmd.out" 2>&1 &
PIDS+=($!)
state=""
for i in $(seq 300); do
    state=$(sinfo -h -n localhost -o %T 2>/dev/null)
    [ "$state" = idle ] && break
    for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null || break 2; done
    sleep 0.1
done
if [ "$state" != idle ]; then
    fail "slurmctld + slurmd: node localhost idle" \
        "state '$state'; slurmctld: $(say_log slurmctld) slurmd: $(say_log slurmd) $(head -c 300 "$W/slurmd.out")"
    finish; exit 1
fi
ok "slurmctld + slurmd: node localhost idle with $CPUS CPUs"

# --- the job ---------------------------------------------------------------------------
# A short clip, lossless and unfiltered: the output must decode to the same frames.
ffmpeg -nostdin -v error -f lavfi -i testsrc2=s=320x240:r=25:d=3 -f lavfi -i sine=d=3 \
    -c:v libx264 -g 25 -pix_fmt yuv420p -c:a aac -shortest "$W/job/in.mp4" ||
    { fail "input" "ffmpeg could not generate in.mp4"; finish; exit 1; }
v_md5 "$W/job/in.mp4" >"$W/ref.md5"

t0=$(date +%s.%N)
# The script's own #SBATCH lines ask for 2 nodes x 16 CPUs; the command
# line overrides them for this one node. --chdir: the repository root, as
# the script expects; the output and logs go to the job directory.
jobid=$(cd "$T_ROOT" && RENDER_MPI=$RENDER_MPI sbatch --parsable --nodes=1 --ntasks=2 \
        --ntasks-per-node=2 --cpus-per-task="$CPT" --time=00:05:00 \
        --output="$W/job/render-%j.out" --error="$W/job/render-%j.err" \
        "$SBATCH_SCRIPT" "$W/job/in.mp4" "$W/job/out.mkv" --vf null -c:v ffv1 2>"$W/sbatch.err")
if [ -z "$jobid" ]; then
    fail "sbatch render.sbatch" "$(head -c 300 "$W/sbatch.err")"; finish; exit 1
fi
ok "sbatch render.sbatch: job $jobid submitted"
jstate=""
for i in $(seq $((JOB_WAIT_S * 5))); do
    jstate=$(scontrol show job "$jobid" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
    case $jstate in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE) break ;; esac
    sleep 0.2
done
t1=$(date +%s.%N)
jexit=$(scontrol show job "$jobid" 2>/dev/null | sed -n 's/.*ExitCode=\([0-9:]*\).*/\1/p')
err=$W/job/render-$jobid.err
sed 's/^/# job log: /' "$err" 2>/dev/null | head -n 20
check "job $jobid: COMPLETED, exit 0:0 (in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)" \
    "state '$jstate', exit '$jexit', stderr: $(head -c 400 "$err" 2>/dev/null | tr '\n' '|')" \
    test "$jstate" = COMPLETED -a "$jexit" = 0:0
if [ "$jstate" != COMPLETED ]; then
    scancel "$jobid" 2>/dev/null
else
    v_md5 "$W/job/out.mkv" >"$W/out.md5"
    d=$(same_lines "$W/ref.md5" "$W/out.md5")
    check "ffv1 output: framemd5 equals the input's decode ($(wc -l <"$W/ref.md5") frames)" "$d" test -z "$d"
    check "job log: the script's line names 2 ranks x $CPT threads" "$(head -n 1 "$err")" \
        grep -q "^render-mpi: 1 nodes x 2 ranks x $CPT threads on localhost" "$err"
    check "job log: the summary line, 2 ranks" "$(tail -n 2 "$err" | tr '\n' '|')" \
        grep -qE "^render-mpi: .*out\.mkv: 75 frames in [0-9.]+ s \([0-9.]+ fps\), [0-9]+ chunks on 2 ranks" "$err"
    rep=$T_ROOT/render-$jobid.json
    check "report render-$jobid.json: 2 ranks x $CPT threads, every frame" "$(head -c 200 "$rep" 2>/dev/null)" \
        python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))
sys.exit(not (r["ranks"] == 2 and r["threads_per_rank"] == int(sys.argv[2]) and r["frames_out"] == 75))' "$rep" "$CPT"
    rm -f "$rep"
    for f in "$W/job"/out.mkv.part-*; do
        [ -e "$f" ] && fail "no temporary file left" "$f"
    done
fi

stop_daemons
left=""
for p in slurmctld slurmd munged; do
    [ -e "$W/$p.pid" ] && kill -0 "$(cat "$W/$p.pid")" 2>/dev/null && left="$left $p"
done
check "the daemons this script started are gone" "still running:$left" test -z "$left"
finish
