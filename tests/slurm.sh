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
# recorded. It submits the sbatch script docs/CLUSTER.md tells users to copy
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
# cleanup: jobs of this cluster cancelled (their slurmstepd and ranks end
# with them), then the daemons, then the directory.
cleanup() {
    local i ids
    if [ "${#PIDS[@]}" -gt 0 ] && [ -n "${SLURM_CONF:-}" ]; then
        ids=$(squeue -h -o %i 2>/dev/null)
        if [ -n "$ids" ]; then
            scancel $ids 2>/dev/null
            for i in $(seq 100); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.1; done
        fi
    fi
    stop_daemons
    rm -rf "$T_TMP"
}
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

# submit NAME ARGS...: sbatch render.sbatch as a user would, on this one
# node; prints the job id. The script's own #SBATCH lines ask for 2 nodes
# x 16 CPUs; the command line overrides them. The job runs in $W/job, so
# its report and logs land there (render-mpi's path is absolute).
submit() {
    local name=$1; shift
    RENDER_MPI=$RENDER_MPI sbatch --parsable --chdir="$W/job" --job-name="$name" \
        --nodes=1 --ntasks=2 --ntasks-per-node=2 --cpus-per-task="$CPT" --time=00:05:00 \
        --output="$W/job/$name.out" --error="$W/job/$name.err" "$SBATCH_SCRIPT" "$@" \
        2>"$W/sbatch.err"
}

# job_field ID KEY: one field of scontrol show job.
job_field() { scontrol show job "$1" 2>/dev/null | sed -n "s/.* $2=\([^ ]*\).*/\1/p" | head -n 1; }

# wait_job ID: until the job has ended (at most JOB_WAIT_S); prints its state.
wait_job() {
    local i st=""
    for i in $(seq $((JOB_WAIT_S * 5))); do
        st=$(job_field "$1" JobState)
        case $st in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE) break ;; esac
        sleep 0.2
    done
    echo "$st"
}


# --- 1. a render, frame-exact ------------------------------------------------------------
t0=$(date +%s.%N)
jobid=$(submit render "$W/job/in.mp4" "$W/job/out.mkv" --vf null -c:v ffv1)
if [ -z "$jobid" ]; then
    fail "sbatch render.sbatch" "$(head -c 300 "$W/sbatch.err")"; finish; exit 1
fi
ok "sbatch render.sbatch: job $jobid submitted"
jstate=$(wait_job "$jobid")
t1=$(date +%s.%N)
jexit=$(job_field "$jobid" ExitCode)
err=$W/job/render.err
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
    check "job log: render's summary line, 2 ranks" "$(tail -n 2 "$err" | tr '\n' '|')" \
        grep -qE "^render-mpi: done: 75 frames in [0-9.]+ s \([0-9.]+ fps\); $((2 * CPT)) workers, [0-9]+ chunks; 2 ranks; output " "$err"
    rep=$W/job/render-$jobid.json
    check "report render-$jobid.json: 2 ranks x $CPT threads, every frame" "$(head -c 200 "$rep" 2>/dev/null)" \
        python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))
sys.exit(not (r["ranks"] == 2 and r["threads_per_rank"] == int(sys.argv[2]) and r["frames_out"] == 75))' "$rep" "$CPT"
    check "no temporary file left" "$(ls "$W/job" | grep part-)" sh -c '! ls "$1" | grep -q "\.part-"' _ "$W/job"
fi

# --- 2. scancel mid-run, and Ctrl-C twice to srun ---------------------------------------------
# Slow enough (upscaled, x264 slow) to be caught in the middle on 16 cores.
ffmpeg -nostdin -v error -f lavfi -i testsrc2=s=320x240:r=25:d=20 -c:v libx264 -preset ultrafast \
    -g 25 -pix_fmt yuv420p "$W/job/long.mp4" || fail "input" "ffmpeg could not generate long.mp4"
SLOW=(--vf "hqdn3d=8,scale=1920:1080" --preset slow)
jobid=$(submit cancel "$W/job/long.mp4" "$W/job/cancel.mp4" "${SLOW[@]}")
if [ -n "$jobid" ] && wait_for_temp "$W/job/cancel.mp4"; then
    scancel "$jobid"
    jstate=$(wait_job "$jobid")
    sleep 0.5 # the step's last process may still be on its way out
    err=$W/job/cancel.err
    sed 's/^/# job log: /' "$err" | head -n 5
    check "scancel mid-run: CANCELLED" "state '$jstate'" test "$jstate" = CANCELLED
    check "scancel mid-run: one line from rank 0" "$(tr '\n' '|' <"$err" | head -c 400)" \
        test "$(grep -c "^render-mpi: interrupted; $W/job/cancel.mp4 not written\$" "$err")" = 1
    check "scancel mid-run: no output, no temporary file" "$(no_leftovers "$W/job/cancel.mp4")" \
        no_leftovers "$W/job/cancel.mp4"
else
    fail "scancel mid-run" "job '$jobid' did not start rendering: $(head -c 300 "$W/sbatch.err" "$W/job/cancel.err" 2>&1 | tr '\n' '|')"
    [ -n "$jobid" ] && scancel "$jobid"
fi

# srun in the foreground of a terminal takes the first Ctrl-C as "show
# status", the second within a second as "send SIGINT to the tasks".
(cd "$W/job" && exec srun --mpi=pmix --ntasks=2 --cpus-per-task="$CPT" --cpu-bind=none \
    --export=ALL,OMP_NUM_THREADS="$CPT" "$RENDER_MPI" long.mp4 -o srun.mp4 -y "${SLOW[@]}" \
    </dev/null >"$W/srun.out" 2>"$W/srun.err") &
sp=$!
if wait_for_temp "$W/job/srun.mp4"; then
    kill -INT "$sp"; sleep 0.3; kill -INT "$sp"
    wait "$sp"; rc=$?
    sed 's/^/# srun: /' "$W/srun.err" | head -n 8
    check "Ctrl-C twice to srun: exit 130" "exit $rc, $(tr '\n' '|' <"$W/srun.err" | head -c 400)" test "$rc" = 130
    check "Ctrl-C twice to srun: rank 0's line" "$(tr '\n' '|' <"$W/srun.err" | head -c 400)" \
        grep -q "^render-mpi: interrupted; srun.mp4 not written\$" "$W/srun.err"
    sleep 0.5
    check "Ctrl-C twice to srun: no output, no temporary file" "$(no_leftovers "$W/job/srun.mp4")" \
        no_leftovers "$W/job/srun.mp4"
else
    kill -KILL "$sp" 2>/dev/null; wait "$sp"
    fail "Ctrl-C to srun" "srun did not start rendering: $(tr '\n' '|' <"$W/srun.err" | head -c 300)"
fi

# Every job gone from the queue (a cancelled step's slurmstepd ends with it),
# then the daemons.
for i in $(seq 150); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.1; done
check "queue empty at the end" "$(squeue -h 2>&1 | head -n 3 | tr '\n' '|')" test -z "$(squeue -h -o %i 2>/dev/null)"
stop_daemons
left=""
for p in slurmctld slurmd munged; do
    [ -e "$W/$p.pid" ] && kill -0 "$(cat "$W/$p.pid")" 2>/dev/null && left="$left $p"
done
check "the daemons this script started are gone" "still running:$left" test -z "$left"
finish
