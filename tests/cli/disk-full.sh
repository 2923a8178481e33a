#!/bin/sh
# disk-full.sh — a run that fills the disk stops with a clear error naming
# the database and exit status 3; the database passes integrity_check and
# keeps what was committed before, and the verdicts; with space again a
# re-run completes. A database on a read-only file system (a new one, an
# existing one, or a read-only file in a writable folder) gives a clear
# error and exit status 3, and nothing changes.
# Needs root for mount(8) (tmpfs, bind mounts); skipped (77) otherwise.

# a mount left behind by an interrupted earlier run of this test
for m in "${top_builddir:-.}/tests/tmp/cli-disk-full/ro-file.db" "${top_builddir:-.}/tests/tmp/cli-disk-full/mnt"; do
	if [ -e "$m" ] && mountpoint -q "$m" 2>/dev/null; then umount "$m" 2>/dev/null || umount -l "$m"; fi
done

. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

if [ "$(id -u)" != 0 ]; then
	echo "disk-full: skipped: mounting a small tmpfs needs root (CI runs as root)"
	exit 77
fi
M="$T/mnt"
mkdir -p "$M"
if ! mount -t tmpfs -o size=8m tmpfs "$M" 2>"$T/mount.err"; then
	echo "disk-full: skipped: cannot mount a tmpfs here: $(cat "$T/mount.err")"
	exit 77
fi
cleanup() {
	mountpoint -q "$T/ro-file.db" 2>/dev/null && umount "$T/ro-file.db"
	mountpoint -q "$M" && umount "$M"
}
trap cleanup EXIT

# a corpus of ~3 MB: the sample, copied into 100 folders
C="$T/corpus"
sample_corpus "$C" 100

db="$M/claims.db"
"$CLAIMCHECK" run -q -o "$db" "$top_srcdir/corpora/sample"; expect_status "first run" 0 $?
q "$db" "INSERT INTO verdicts (doc_hash, start, \"end\", rule, verdict, note)
	SELECT text_hash, 0, 10, '', 'confirmed', 'before the disk filled' FROM documents ORDER BY key LIMIT 2"
expect_eq "verdicts recorded" "2" "$(q "$db" "SELECT count(*) FROM verdicts")"

# the disk fills up
"$CLAIMCHECK" run -o "$db" "$C" >"$T/full.out" 2>"$T/full.err"; expect_status "disk full" 3 $?
expect_grep "names the database and the cause" "$db: cannot" "$T/full.err"
expect_grep "says the disk is full" "no space left on the device that holds it" "$T/full.err"
expect_grep "says what is kept" "what was committed before is kept in $db" "$T/full.err"
expect_no_grep "no summary for a failed run" "written to" "$T/full.out"
expect_eq "integrity after the disk filled" "ok" "$(q "$db" "PRAGMA integrity_check")"
expect_eq "the first run's documents are kept" "20" \
	"$(q "$db" "SELECT count(*) FROM documents WHERE key LIKE '$top_srcdir/corpora/sample/%'")"
committed=$(q "$db" "SELECT count(*) FROM documents WHERE key LIKE '$C/%'")
echo "disk-full: $committed documents committed before the disk filled"
# its row says 'failed' (with a finish time) if the full disk still took
# that write, else it is left 'running' and unfinished; never 'complete'
expect_eq "the failed run's row is not complete" "1" "$(q "$db" "SELECT (status = 'failed' AND finished IS NOT NULL)
	OR (status = 'running' AND finished IS NULL) FROM runs WHERE id = 2")"
echo "disk-full: the failed run's status: $(q "$db" "SELECT status FROM runs WHERE id = 2")"
expect_eq "verdicts kept" "2|before the disk filled" "$(q "$db" "SELECT count(*), min(note) FROM verdicts")"

# with space again, a re-run does the rest
mount -o remount,size=64m "$M"
"$CLAIMCHECK" run -q -o "$db" "$C"; expect_status "re-run with space" 0 $?
expect_eq "all documents there" "2020" "$(q "$db" "SELECT count(*) FROM documents")"
expect_eq "the re-run skipped what was committed" "$committed|complete" "$(q "$db" "SELECT skipped, status FROM runs WHERE id = 3")"
expect_eq "verdicts still there and on current sentences" "2|2" \
	"$(q "$db" "SELECT count(*), (SELECT count(DISTINCT doc_hash) FROM verdicts v JOIN documents d ON d.text_hash = v.doc_hash) FROM verdicts")"

# a disk too small for even the schema
mkdir -p "$M/tiny"
mount -t tmpfs -o size=16k tmpfs "$M/tiny"
"$CLAIMCHECK" run -q -o "$M/tiny/t.db" "$top_srcdir/corpora/sample" 2>"$T/tiny.err"; expect_status "no room for the schema" 3 $?
expect_grep "names the tiny database" "$M/tiny/t.db: " "$T/tiny.err"
umount "$M/tiny"

# read-only file system: the existing database, and a new one. The sqlite3
# shell, the last to close it, removed its -wal and -shm files: a reader
# must do without them.
q "$db" "SELECT 1" >/dev/null
[ -e "$db-shm" ] && fail "the sqlite3 shell left $db-shm"
sum_before=$(cat "$M"/claims.db* | md5sum)
mount -o remount,ro "$M"
"$CLAIMCHECK" run -q -o "$db" "$C" 2>"$T/ro.err"; expect_status "read-only file system" 3 $?
expect_grep "read-only: clear error" "$db: cannot open the database for writing (the file, its folder or its file system is read-only)" "$T/ro.err"
"$CLAIMCHECK" run -q -o "$M/new.db" "$C" 2>"$T/ro-new.err"; expect_status "new database on a read-only file system" 3 $?
expect_grep "new database: clear error" "$M/new.db: cannot open the database" "$T/ro-new.err"
expect_eq "nothing changed" "$sum_before" "$(cat "$M"/claims.db* | md5sum)"
"$CLAIMCHECK" report -d "$db" --format csv --limit 3 >"$T/ro-report.csv"; expect_status "report reads a read-only database" 0 $?
mount -o remount,rw "$M"

# a read-only database file in a writable folder (a read-only bind mount)
cp "$db" "$T/ro-file.db"
sqlite3 "$T/ro-file.db" "PRAGMA journal_mode" >/dev/null
if mount --bind "$T/ro-file.db" "$T/ro-file.db" 2>/dev/null && mount -o remount,ro,bind "$T/ro-file.db" 2>/dev/null; then
	sum_before=$(md5sum <"$T/ro-file.db")
	"$CLAIMCHECK" run -q -o "$T/ro-file.db" "$C" 2>"$T/ro-file.err"; expect_status "read-only file" 3 $?
	expect_grep "read-only file: clear error" "$T/ro-file.db: cannot" "$T/ro-file.err"
	expect_eq "read-only file: nothing changed" "$sum_before" "$(md5sum <"$T/ro-file.db")"
	umount "$T/ro-file.db"
else
	echo "disk-full: read-only bind mount of a file not possible here: that case not tested"
fi

finish
