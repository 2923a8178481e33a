#!/bin/sh
# slurm.sh — end to end on a one-node Slurm started here: munged and
# slurmctld/slurmd with a generated slurm.conf (proctrack/linuxproc,
# task/none, no cgroups) on their own ports, socket and state folders, so
# a Slurm already running on the machine is neither used nor disturbed.
# scripts/slurm/submit.sh submits the shard array over corpora/sample and
# the merge job (afterok); the merged database must equal a single run row
# for row (as in merge.sh). Every daemon started here is stopped on exit.
# Skipped (77) without Slurm and munge (Debian slurm-wlm, munge) or root.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/fixtures/dbdump.sh"
need_sqlite3
# a copy of the rules, so every run of this test uses the same rule set
# even while the rule files are being edited
cp -R "$RULES" "$T/rules" && chmod -R u+w "$T/rules" # (a read-only source tree under distcheck)
RULES="$T/rules"
CLAIMCHECK_RULES="$RULES"

skip() {
	echo "slurm: SKIP: $*"
	exit 77
}
for cmd in sbatch scontrol slurmctld slurmd munged; do
	command -v "$cmd" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$cmd" >/dev/null 2>&1 ||
		skip "'$cmd' not found: install the Debian packages slurm-wlm and munge to run this test"
done
PATH="$PATH:/usr/sbin:/sbin"
[ "$(id -u)" -eq 0 ] || skip "starting slurmd and munged needs root (running as $(id -un))"
command -v bash >/dev/null 2>&1 || skip "bash not found (the sbatch scripts need it)"

N=3
TIMEOUT=${SLURM_TEST_TIMEOUT:-180}
node=$(hostname -s)
# sockets have short path limits: state and sockets in /tmp, outputs in $T
D=$(mktemp -d /tmp/cc-slurm.XXXXXX) || fail "mktemp"
chmod 755 "$D"
T=$(cd "$T" && pwd)
started=""

cleanup() {
	for p in slurmd slurmctld munged; do
		f="$D/$p.pid"
		[ -s "$f" ] || continue
		pid=$(cat "$f")
		case " $started " in *" $p "*) ;; *) continue ;; esac
		kill "$pid" 2>/dev/null
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$pid" 2>/dev/null
	done
	# keep the logs for a failed run, next to the test's other files
	mkdir -p "$T/daemon-logs"
	cp "$D"/*.log "$T/daemon-logs/" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# a free TCP port on the loopback, from a range the usual services avoid
free_port() {
	p=$1
	while [ "$p" -lt 65000 ]; do
		if ! (ss -Hltn 2>/dev/null || netstat -ltn 2>/dev/null) | grep -q "[:.]$p\b"; then
			echo "$p"
			return
		fi
		p=$((p + 1))
	done
	echo "$1"
}
base=$((20000 + $$ % 20000))
ctld_port=$(free_port "$base")
slurmd_port=$(free_port $((ctld_port + 1)))

# ---- munge ------------------------------------------------------------------
if command -v mungekey >/dev/null 2>&1; then
	mungekey -c -k "$D/munge.key" >"$D/mungekey.log" 2>&1 || fail "mungekey"
else
	dd if=/dev/urandom of="$D/munge.key" bs=1024 count=1 2>/dev/null
fi
chmod 400 "$D/munge.key"
munged --force --socket="$D/munge.sock" --key-file="$D/munge.key" --pid-file="$D/munged.pid" \
	--log-file="$D/munged.log" --seed-file="$D/munged.seed" >"$D/munged.out" 2>&1 ||
	{ cat "$D/munged.out" >&2; skip "munged would not start here (see above)"; }
started="$started munged"

# ---- Slurm --------------------------------------------------------------------
mkdir -p "$D/ctld" "$D/spool"
cpus=$(nproc 2>/dev/null || echo 1)
cat >"$D/slurm.conf" <<EOF
ClusterName=cctest$$
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$D/munge.sock
CredType=cred/munge
StateSaveLocation=$D/ctld
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=600
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=cctest Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
SLURM_CONF="$D/slurm.conf"
export SLURM_CONF
# no SBATCH_*/SLURM_* settings of the caller's cluster may leak in
for v in $(env | sed -n 's/^\(SBATCH_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done

slurmctld -f "$SLURM_CONF" -c >"$D/slurmctld.out" 2>&1 || { cat "$D/slurmctld.out" >&2; fail "slurmctld did not start"; finish; }
started="$started slurmctld"
slurmd -f "$SLURM_CONF" -N "$node" >"$D/slurmd.out" 2>&1 || { cat "$D/slurmd.out" "$D/slurmd.log" >&2; fail "slurmd did not start"; finish; }
started="$started slurmd"

# wait for the node to be ready
i=0
state=""
while [ $i -lt 60 ]; do
	state=$(sinfo -h -n "$node" -o %t 2>/dev/null | head -n 1)
	case $state in idle | mix | alloc) break ;; esac
	sleep 0.5
	i=$((i + 1))
done
case $state in
idle | mix | alloc) ;;
*)
	fail "the Slurm node did not become ready (state '$state')"
	tail -n 20 "$D/slurmctld.log" "$D/slurmd.log" >&2
	finish
	;;
esac

# ---- the job ------------------------------------------------------------------
S="$top_srcdir/corpora/sample"
S=$(cd "$S" && pwd)
CLAIMCHECK=$(cd "$(dirname "$CLAIMCHECK")" && pwd)/$(basename "$CLAIMCHECK")
CLAIMCHECK_RULES=$(cd "$RULES" && pwd)
export CLAIMCHECK CLAIMCHECK_RULES
OUT="$T/out"
(cd "$T" && sh "$top_srcdir/scripts/slurm/submit.sh" "$S" "$OUT" "$N") >"$T/submit.out" 2>&1
expect_status "submit.sh" 0 $?
array=$(sed -n 's/^array \([0-9][0-9]*\)$/\1/p' "$T/submit.out")
merge=$(sed -n 's/^merge \([0-9][0-9]*\)$/\1/p' "$T/submit.out")
[ -n "$array" ] && [ -n "$merge" ] || { fail "submit.sh printed no job ids:"; cat "$T/submit.out" >&2; finish; }
dep=$(scontrol show job "$merge" 2>/dev/null | tr ' ' '\n' | sed -n 's/^Dependency=//p')
case $dep in
afterok:"$array"* | "(null)") ;; # (null): already satisfied
*) fail "merge job dependency: expected afterok:$array, got '$dep'" ;;
esac

# wait for the merge job to end
elapsed=0
mstate=""
while [ "$elapsed" -lt "$TIMEOUT" ]; do
	mstate=$(scontrol show job "$merge" 2>/dev/null | tr ' ' '\n' | sed -n 's/^JobState=//p')
	case $mstate in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | PREEMPTED) break ;; esac
	sleep 1
	elapsed=$((elapsed + 1))
done
expect_eq "merge job state (after ${elapsed}s)" "COMPLETED" "$mstate"
if [ "$mstate" != COMPLETED ]; then
	scontrol show job "$array" >&2
	cat "$OUT"/logs/*.out >&2
	tail -n 20 "$D/slurmctld.log" "$D/slurmd.log" >&2
	[ "$mstate" = "" ] || [ "$elapsed" -lt "$TIMEOUT" ] || scancel "$array" "$merge" 2>/dev/null
	finish
fi
for k in $(seq 1 "$N"); do
	[ -s "$OUT/shard-$k.db" ] || fail "no shard-$k.db"
	expect_grep "task $k log" "claimcheck shard $k/$N" "$OUT/logs/shard-$k.out"
	tstate=$(scontrol show job "${array}_$k" 2>/dev/null | tr ' ' '\n' | sed -n 's/^JobState=//p' | head -n 1)
	expect_eq "array task $k state" "COMPLETED" "$tstate"
done
expect_grep "merge log" "merged $N databases into $OUT/claims.db" "$OUT/logs/merge.out"

# ---- the same as one run on this machine --------------------------------------
"$CLAIMCHECK" run -q -o "$T/one.db" "$S"; expect_status "single run" 0 $?
db_dump "$T/one.db" | grep -v '|jsonl|' >"$T/one.dump"
db_dump "$OUT/claims.db" >"$T/slurm.dump"
cmp -s "$T/one.dump" "$T/slurm.dump" || {
	fail "the Slurm run differs from a single run:"
	diff "$T/one.dump" "$T/slurm.dump" | head -20 >&2
}
total=$(q "$T/one.db" "SELECT count(*) FROM documents")
expect_eq "every document once" "$total|$total" "$(q "$OUT/claims.db" "SELECT count(*), count(DISTINCT key) FROM documents")"
expect_eq "one run per shard" "$N" "$(q "$OUT/claims.db" "SELECT count(*) FROM runs WHERE args LIKE '%--shard %/$N%'")"

finish
