#!/bin/sh
# shard.sh — `run --shard K/N` takes the documents whose key hashes to K:
# N shard runs over the same inputs partition them exactly (files and
# JSONL records alike, failed documents included), whatever -j; each
# shard's rows equal those of a single run for the same keys; the shard
# is in runs.args; bad K/N is a usage error.
. "$top_srcdir/tests/cli/lib.sh"
need_sqlite3

C="$T/corpus"
mkdir -p "$C/a" "$C/b"
cp -r "$top_srcdir/corpora/sample" "$C/sample"
i=1
while [ $i -le 24 ]; do
	printf 'Note %d\n\nThe plan may slip by %d weeks, officials said.\n' $i $i >"$C/a/n$i.txt"
	printf '{"id": "r%d", "text": "Prices could rise %d%% next year, according to Reuters."}\n' $i $i >>"$C/b/recs.jsonl"
	i=$((i + 1))
done
printf '{"id": "bad1", "text": 17}\nnot json at all\n' >>"$C/b/recs.jsonl"
printf 'NUL\000byte\n' >"$C/a/binary.txt"

"$CLAIMCHECK" run -q -j2 -o "$T/all.db" "$C" 2>/dev/null; expect_status "single run" 1 $?
all_keys=$(q "$T/all.db" "SELECT key FROM documents ORDER BY key")
total=$(q "$T/all.db" "SELECT count(*) FROM documents")
expect_eq "single run: sample 20 + 24 files + 1 binary + 26 records" "71" "$total"

# content of a database without ids or times, one line per row
content() {
	q "$1" "SELECT key, raw_hash, coalesce(text_hash, ''), coalesce(error, ''), n_sentences, n_tags FROM documents ORDER BY key;
		SELECT d.key, s.idx, s.start, s.\"end\", s.flagged FROM sentences s JOIN documents d ON d.id = s.doc_id ORDER BY d.key, s.idx;
		SELECT d.key, t.sentence, t.idx, t.rule, t.start, t.\"end\", coalesce(t.source, ''), coalesce(t.role, '') FROM tags t JOIN documents d ON d.id = t.doc_id ORDER BY d.key, t.sentence, t.idx;"
}
content "$T/all.db" | sort >"$T/all.content"

# same_rows WHAT FILE: FILE (sorted) holds the single run's rows
same_rows() {
	if ! cmp -s "$T/all.content" "$2"; then
		fail "$1: rows differ from the single run's:"
		diff "$T/all.content" "$2" | head -10 >&2
	fi
}

for n in 1 2 3; do
	k=1
	: >"$T/keys.$n"
	: >"$T/content.$n"
	while [ $k -le $n ]; do
		db="$T/s$k-of-$n.db"
		"$CLAIMCHECK" run -q -j2 --shard "$k/$n" -o "$db" "$C" 2>/dev/null
		st=$?
		if [ "$st" != 0 ] && [ "$st" != 1 ]; then fail "shard $k/$n: exit status $st"; fi
		expect_eq "shard $k/$n in runs.args" "1" \
			"$(q "$db" "SELECT count(*) FROM runs WHERE args LIKE '%--shard $k/$n%'")"
		q "$db" "SELECT key FROM documents" >>"$T/keys.$n"
		content "$db" >>"$T/content.$n"
		if [ "$n" -gt 1 ]; then
			cnt=$(q "$db" "SELECT count(*) FROM documents")
			if [ "$cnt" -ge "$total" ] || [ "$cnt" -eq 0 ]; then
				fail "shard $k/$n holds $cnt of $total documents"
			fi
			# the run totals count only the shard's documents
			expect_eq "shard $k/$n run totals" "$cnt" \
				"$(q "$db" "SELECT documents + failed FROM runs WHERE id = 1")"
		fi
		k=$((k + 1))
	done
	expect_eq "N=$n: no key twice" "" "$(sort "$T/keys.$n" | uniq -d)"
	expect_eq "N=$n: union of the shards' keys is the single run's" "$all_keys" "$(sort "$T/keys.$n")"
	sort -o "$T/content.$n" "$T/content.$n"
	same_rows "N=$n: the shards' rows are the single run's" "$T/content.$n"
done

# the assignment does not depend on -j
"$CLAIMCHECK" run -q -j1 --shard 2/3 -o "$T/j1.db" "$C" 2>/dev/null
expect_eq "-j1 picks the same documents as -j2" \
	"$(q "$T/s2-of-3.db" "SELECT key FROM documents ORDER BY key")" \
	"$(q "$T/j1.db" "SELECT key FROM documents ORDER BY key")"

# a re-run of a shard redoes nothing
"$CLAIMCHECK" run -q -j2 --shard 2/3 -o "$T/s2-of-3.db" "$C" 2>/dev/null
expect_eq "shard re-run analyses nothing" "0" "$(q "$T/s2-of-3.db" "SELECT documents FROM runs WHERE id = 2")"

# all the shards into one database add up to the single run (a shard's
# record of a JSONL file must not hide the other shards' records; files
# older than two seconds are the ones a run records)
sleep 2
for k in 1 2 3; do "$CLAIMCHECK" run -q --shard "$k/3" -o "$T/one.db" "$C" 2>/dev/null; done
content "$T/one.db" | sort >"$T/one.content"
same_rows "three shards into one database" "$T/one.content"

# bad K/N: usage errors
for bad in 0/3 4/3 3 /3 3/ a/b 1/0 -1/2 1/2x " 1/2" 1/99999999999999999999; do
	"$CLAIMCHECK" run -q --shard "$bad" -o "$T/bad.db" "$C" 2>"$T/bad.err"
	expect_status "--shard '$bad'" 2 $?
	expect_grep "--shard '$bad' message" "--shard wants K/N" "$T/bad.err"
done
[ -e "$T/bad.db" ] && fail "a usage error created the database"
"$CLAIMCHECK" run --help >"$T/help"
expect_grep "--help documents --shard" "--shard K/N" "$T/help"

finish
