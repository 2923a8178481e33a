#!/bin/sh
# bad-input-files.sh — files that cannot be documents: unreadable files and
# folders, symlink loops and broken links, FIFOs, sockets, devices named on
# the command line, and files that vanish or change while a run is reading
# the folder. Each gets a message naming it and an error row; the batch goes
# on; the exit code is 1; nothing hangs or crashes.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

good='The ferry operator may raise fares next spring, officials said.\n'

# ---- symlink loops, broken links, FIFOs, sockets, devices -------------------
L="$T/links"
mkdir -p "$L/sub"
printf "$good" >"$L/a-good.txt"
ln -s self.txt "$L/self.txt"
ln -s ping.txt "$L/pong.txt"
ln -s pong.txt "$L/ping.txt"
ln -s .. "$L/sub/up"
ln -s nowhere.txt "$L/broken.txt"
mkfifo "$L/fifo.txt"
have_sock=0
if command -v perl >/dev/null 2>&1 &&
   perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $ARGV[0], Listen => 1) or exit 1' "$L/sock.txt" 2>/dev/null; then
	have_sock=1
fi
mkfifo "$T/named.fifo"

timeout 120 "$CLAIMCHECK" run -o "$T/l.db" "$L" /dev/null "$T/named.fifo" >"$T/out" 2>"$T/err"
expect_status "run over links and special files" 1 $?
expect_grep "self loop" "links/self.txt: symlink loop (skipped)" "$T/err"
expect_grep "two-link loop" "links/ping.txt: symlink loop (skipped)" "$T/err"
expect_grep "folder loop" "links/sub/up: symlink loop (folder already being walked; skipped)" "$T/err"
expect_grep "broken link" "links/broken.txt: broken symlink: its target does not exist (skipped)" "$T/err"
expect_grep "FIFO in a folder" "links/fifo.txt: not a regular file (a FIFO; skipped)" "$T/err"
expect_grep "FIFO named" "named.fifo: not a regular file (a FIFO; skipped)" "$T/err"
expect_grep "/dev/null named" "/dev/null: not a regular file (a character device; skipped)" "$T/err"
if [ "$have_sock" = 1 ]; then
	expect_grep "socket" "links/sock.txt: not a regular file (a socket; skipped)" "$T/err"
fi
expect_eq "good file analysed" "1" "$(q "$T/l.db" "SELECT count(*) FROM documents WHERE error IS NULL")"
expect_eq "one error row each" "$((8 + have_sock))" "$(q "$T/l.db" "SELECT count(*) FROM documents WHERE error IS NOT NULL")"
expect_eq "error row for /dev/null" "not a regular file (a character device; skipped)" \
	"$(q "$T/l.db" "SELECT error FROM documents WHERE key = '/dev/null'")"

# ---- unreadable files and folders ------------------------------------------
# root reads everything, so as root the run is made as nobody.
U="$T/unreadable"
mkdir -p "$U/locked" "$T/udb"
printf "$good" >"$U/a-good.txt"
printf "$good" >"$U/b-secret.txt"
printf "$good" >"$U/locked/c.txt"
chmod 000 "$U/b-secret.txt" "$U/locked"
chmod 777 "$T/udb"
as_user=""
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null 2>&1 &&
	   setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c 'test -x "$1" && test -r "$2" && test -w "$3"' sh \
		"$CLAIMCHECK" "$RULES/hedges.rules" "$T/udb" 2>/dev/null; then
		as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	else
		as_user="skip"
		echo "bad-input-files: unreadable files not tested (root, and user nobody cannot run $CLAIMCHECK here)"
	fi
fi
if [ "$as_user" != skip ]; then
	$as_user "$CLAIMCHECK" run -o "$T/udb/u.db" "$U" >"$T/out" 2>"$T/err"
	expect_status "run over unreadable files" 1 $?
	expect_grep "unreadable file named" "unreadable/b-secret.txt: cannot open: Permission denied" "$T/err"
	expect_grep "unreadable folder named" "unreadable/locked: cannot open folder: Permission denied" "$T/err"
	expect_eq "readable file analysed" "1" "$(q "$T/udb/u.db" "SELECT count(*) FROM documents WHERE error IS NULL")"
	expect_eq "error rows" "cannot open folder: Permission denied|cannot open: Permission denied" \
		"$(q "$T/udb/u.db" "SELECT group_concat(error, '|') FROM (SELECT error FROM documents WHERE error IS NOT NULL ORDER BY error)")"
fi
chmod 755 "$U/locked"
chmod 644 "$U/b-secret.txt"

# ---- files that vanish or change during a run --------------------------------
# A long first document keeps the one worker busy while a loop deletes,
# recreates and rewrites the other files; whatever it finds, each file ends
# up analysed or with an error row, and the database stays intact.
V="$T/volatile"
mkdir -p "$V"
yes 'The council may approve the budget on Friday, officials said.' | head -n 150000 >"$V/a-long.txt"
i=0
while [ $i -lt 40 ]; do
	printf "$good" >"$V/m-change-$i.txt"
	printf "$good" >"$V/z-gone-$i.txt"
	i=$((i + 1))
done
rm -f "$T/v.db"
"$CLAIMCHECK" run -j1 -o "$T/v.db" "$V" >"$T/out" 2>"$T/err" &
pid=$!
n=0
while [ ! -e "$T/v.db" ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
(
	round=0
	while kill -0 $pid 2>/dev/null && [ $round -lt 2000 ]; do
		i=0
		while [ $i -lt 40 ]; do
			rm -f "$V/z-gone-$i.txt"
			case $((round % 3)) in
			0) printf 'Bad byte \377 now.\n' >"$V/m-change-$i.txt" ;;
			1) : >"$V/m-change-$i.txt" ;;
			2) printf "$good$good$good" >"$V/m-change-$i.txt" ;;
			esac
			[ $((round % 2)) = 1 ] && printf "$good" >"$V/z-gone-$i.txt"
			i=$((i + 1))
		done
		round=$((round + 1))
	done
) &
loop=$!
wait $pid
st=$?
kill $loop 2>/dev/null
wait $loop 2>/dev/null
case $st in
0 | 1) ;;
*) fail "run over a changing folder exited with $st (a crash?)"; sed 's/^/    /' "$T/err" >&2 ;;
esac
expect_eq "database is intact" "ok" "$(q "$T/v.db" "PRAGMA integrity_check")"
expect_eq "the long document analysed" "1" "$(q "$T/v.db" "SELECT count(*) FROM documents WHERE key LIKE '%a-long.txt' AND error IS NULL")"
nerr=$(q "$T/v.db" "SELECT count(*) FROM documents WHERE error IS NOT NULL")
[ "$nerr" -gt 0 ] || fail "no file vanished or changed under the run (too fast?)"
[ "$nerr" -gt 0 ] && expect_status "some documents failed" 1 "$st"
# (a file deleted before the walk listed the folder was never seen)
expect_eq "every file that stayed has a row" "41" \
	"$(q "$T/v.db" "SELECT count(*) FROM documents WHERE key LIKE '%a-long.txt' OR key LIKE '%m-change-%'")"
expect_eq "at most one row per file" "1" "$(q "$T/v.db" "SELECT count(*) <= 81 FROM documents")"
expect_eq "every row is analysed or has an error" "0" \
	"$(q "$T/v.db" "SELECT count(*) FROM documents WHERE error IS NULL AND text IS NULL")"
q "$T/v.db" "SELECT key FROM documents WHERE error IS NOT NULL" >"$T/failed"
while read -r k; do
	expect_grep "failed file named on stderr" "$k" "$T/err"
done <"$T/failed"
expect_eq "run row counts the failures" "$nerr" "$(q "$T/v.db" "SELECT failed FROM runs")"

finish
