#!/bin/sh
# submit.sh — run claimcheck over a corpus on a Slurm cluster: a job array
# of N shard runs (claimcheck-array.sbatch) and a merge job that depends on
# it (claimcheck-merge.sbatch, afterok). Prints the two job ids, one line
# each: "array JOBID" and "merge JOBID".
#
#   scripts/slurm/submit.sh [-p PARTITION] [-c CPUS] CORPUS OUTDIR N
#
# CORPUS: files or folders, ':'-separated, as the compute nodes see them.
# OUTDIR: a folder on a shared file system; it gets shard-K.db, claims.db
# and the jobs' logs (logs/). N: the number of shards (array tasks).
# -p: the partition (else Slurm's default); -c: CPUs (threads) per shard
# task. Other sbatch settings come from the usual SBATCH_* variables;
# CLAIMCHECK, CLAIMCHECK_RULES and CLAIMCHECK_RUN_ARGS are passed on to the
# jobs (sbatch exports the environment).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
part="" cpus=1
while getopts p:c: opt; do
	case $opt in
	p) part=$OPTARG ;;
	c) cpus=$OPTARG ;;
	*) echo "usage: $0 [-p PARTITION] [-c CPUS] CORPUS OUTDIR N" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 3 ]; then
	echo "usage: $0 [-p PARTITION] [-c CPUS] CORPUS OUTDIR N" >&2
	exit 2
fi
corpus=$1 outdir=$2 n=$3
case $n in
'' | *[!0-9]* | 0) echo "$0: N must be a positive number, not '$n'" >&2; exit 2 ;;
esac
command -v sbatch >/dev/null 2>&1 || { echo "$0: sbatch not found (is Slurm installed?)" >&2; exit 2; }
mkdir -p "$outdir/logs"
outdir=$(cd "$outdir" && pwd) # the jobs may start elsewhere

set -- --parsable --export=ALL
[ -n "$part" ] && set -- "$@" --partition="$part"
array=$(sbatch "$@" --array="1-$n" --cpus-per-task="$cpus" \
	--output="$outdir/logs/shard-%a.out" \
	"$here/claimcheck-array.sbatch" "$corpus" "$outdir" "$n")
array=${array%%;*} # --parsable prints "jobid[;cluster]"
merge=$(sbatch "$@" --dependency="afterok:$array" --kill-on-invalid-dep=yes \
	--output="$outdir/logs/merge.out" \
	"$here/claimcheck-merge.sbatch" "$outdir" "$n")
merge=${merge%%;*}
echo "array $array"
echo "merge $merge"
