/*
 * cmd-review.c — `claimcheck review`: reviewers' verdicts on flagged claims.
 *
 * Reads: the command line, the database, keys typed on a terminal, and
 * verdict files (--import). Adds: rows in the verdicts table, written as
 * they are given (each key press is its own transaction, so nothing is lost
 * when the session ends abruptly); verdict files (--export); the claim
 * list and counts (--list, --status). The interactive review is a small
 * full-screen terminal UI (raw mode + ANSI escapes) that puts the terminal
 * back on quit, on SIGINT/SIGTERM/SIGHUP and around a suspend. The verdict
 * logic is verdict.c's; ids and file formats are in doc/review.md.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <utf8proc.h>

#include "cli.h"
#include "ruleset.h"
#include "store.h"
#include "verdict.h"

static const char usage[] =
	"Usage: claimcheck review [OPTION]...\n"
	"Review the flagged claims of a database, most check-worthy first: on a\n"
	"terminal interactively (it resumes at the first claim without a verdict),\n"
	"or from scripts with --set, --import, --export, --list and --status.\n"
	"\n"
	"  -d, --db DB            the database (default: claims.db)\n"
	"      --set ID=VERDICT   record a verdict (repeatable); VERDICT is confirmed,\n"
	"                         false_positive (fp), unsure, or clear (remove it)\n"
	"      --note TEXT        the note for the --set before it ('' removes the note;\n"
	"                         without --note a verdict keeps its note)\n"
	"      --reviewer NAME    who reviews (default: $CLAIMCHECK_REVIEWER, else $USER)\n"
	"      --export FILE      write every verdict to FILE ('-': standard output)\n"
	"      --import FILE      merge the verdicts of FILE ('-': standard input); for\n"
	"                         each key the later `updated` time wins\n"
	"      --format FMT       csv or jsonl for --export and --import (default: by\n"
	"                         the file's extension; '-' exports JSONL and imports\n"
	"                         what it finds)\n"
	"      --list             list the claims: id, verdict (- if none), check-\n"
	"                         worthiness, document:sentence, text (tab-separated)\n"
	"      --status           count claims, verdicts and claims left\n"
	"  -c, --category CAT     only claims with a tag of category CAT\n"
	"  -s, --min-score X      only claims with check-worthiness >= X (0 to 1)\n"
	"  -D, --document D       only documents whose key, path or id contains D\n"
	"  -h, --help             show this help and exit\n"
	"\n"
	"Claim ids: HASH@START (the first 8 hex digits of the document's text hash,\n"
	"and the sentence's start byte, as --list prints them), or DOCUMENT:SENTENCE\n"
	"as `claimcheck report` prints them; add /RULE for a verdict on that rule's\n"
	"tags instead of the whole sentence.\n"
	"Keys: c confirmed, f false positive, u unsure, s skip, z undo, n note,\n"
	"r select a rule (c, f, u then judge its tags), arrows or j/k move, ? help,\n"
	"q quit.\n"
	"Exit status: 0 ok, 1 some ids or rows failed (the others were recorded),\n"
	"2 bad invocation, no usable database, or no terminal for the interactive\n"
	"review, 3 failure while writing.\n";

enum { OPT_SET = 256, OPT_NOTE, OPT_REVIEWER, OPT_EXPORT, OPT_IMPORT, OPT_FORMAT, OPT_LIST,
       OPT_STATUS };

static const struct option longopts[] = {
	{"db", required_argument, NULL, 'd'},
	{"set", required_argument, NULL, OPT_SET},
	{"note", required_argument, NULL, OPT_NOTE},
	{"reviewer", required_argument, NULL, OPT_REVIEWER},
	{"export", required_argument, NULL, OPT_EXPORT},
	{"import", required_argument, NULL, OPT_IMPORT},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"list", no_argument, NULL, OPT_LIST},
	{"status", no_argument, NULL, OPT_STATUS},
	{"category", required_argument, NULL, 'c'},
	{"min-score", required_argument, NULL, 's'},
	{"document", required_argument, NULL, 'D'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

typedef struct set_req {
	const char *arg;  /* ID=VERDICT as given */
	char *id;
	verdict_value v;
	int has_note;
	const char *note;
} set_req;

static const char *default_reviewer(void)
{
	const char *r = getenv("CLAIMCHECK_REVIEWER");
	if (r && *r) return r;
	r = getenv("USER");
	if (r && *r) return r;
	r = getenv("LOGNAME");
	return r && *r ? r : NULL;
}

/* Text for a terminal or a tab-separated line: controls and tabs as spaces. */
static void put_plain(strbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		strbuf_putc(b, ch < 0x20 || ch == 0x7f ? ' ' : (char)ch);
	}
}

/* ---- --set ------------------------------------------------------------- */

static int do_set(sqlite3 *db, set_req *reqs, size_t n, const char *reviewer)
{
	int failed = 0;
	cc_error err;
	strbuf id = {0};
	for (size_t i = 0; i < n; i++) {
		verdict_target t;
		if (verdict_resolve(db, reqs[i].id, &t, &err) < 0) {
			fprintf(stderr, "claimcheck review: --set %s: %s\n", reqs[i].arg, err.msg);
			failed++;
			continue;
		}
		for (size_t k = 0; k < t.keys.n; k++) {
			const verdict_key *key = &t.keys.v[k];
			if (verdict_set(db, key, reqs[i].v, reqs[i].has_note, reqs[i].note, reviewer,
					&err) < 0) {
				fprintf(stderr, "claimcheck review: --set %s: %s\n", reqs[i].arg, err.msg);
				verdict_target_free(&t);
				strbuf_free(&id);
				return 3;
			}
			strbuf_reset(&id);
			verdict_claim_id(&id, key->doc_hash, key->rule[0] ? key->start : t.start,
					 key->rule);
			printf("%s\t%s\n", id.data, verdict_name(reqs[i].v));
		}
		verdict_target_free(&t);
	}
	strbuf_free(&id);
	return failed ? EXIT_PARTIAL : EXIT_OK;
}

/* ---- --export / --import ------------------------------------------------ */

static int do_export(sqlite3 *db, const char *path, int have_fmt, verdict_format fmt)
{
	if (!have_fmt && verdict_format_from_name(path, &fmt) < 0) {
		if (strcmp(path, "-") != 0)
			return cli_usage_error("review", "cannot tell the format of '%s' from its name;"
					       " use --format csv or jsonl", path);
		fmt = VERDICT_JSONL;
	}
	FILE *out = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	if (!out) {
		fprintf(stderr, "claimcheck review: cannot write '%s': %s\n", path, strerror(errno));
		return 3;
	}
	cc_error err;
	long n = verdict_export(db, out, fmt, &err);
	int rc = EXIT_OK;
	if (out != stdout && fclose(out) != 0 && n >= 0) {
		cc_error_set(&err, -1, "cannot write '%s': %s", path, strerror(errno));
		n = -1;
	}
	if (n < 0) {
		fprintf(stderr, "claimcheck review: %s\n", err.msg);
		if (out != stdout) remove(path);
		return 3;
	}
	fprintf(stderr, "claimcheck review: exported %ld verdict%s to %s\n", n, n == 1 ? "" : "s",
		strcmp(path, "-") == 0 ? "standard output" : path);
	if (out == stdout) rc = cli_close_stdout();
	return rc;
}

static int do_import(sqlite3 *db, const char *path, int have_fmt, verdict_format fmt)
{
	int is_stdin = strcmp(path, "-") == 0;
	FILE *in = is_stdin ? stdin : fopen(path, "r");
	if (!in) {
		fprintf(stderr, "claimcheck review: cannot read '%s': %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	if (!have_fmt && verdict_format_from_name(path, &fmt) < 0) {
		/* sniff: a JSON object first means JSONL, anything else CSV */
		int ch;
		while ((ch = getc(in)) == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {}
		fmt = ch == '{' ? VERDICT_JSONL : VERDICT_CSV;
		if (ch != EOF) ungetc(ch, in);
		/* the skipped blank lines are not counted: only leading ones */
	}
	verdict_import_stats st;
	diags d = {0};
	const char *name = is_stdin ? "<stdin>" : path;
	int rc = verdict_import(db, in, name, fmt, &st, &d);
	if (!is_stdin) fclose(in);
	diags_print(&d, stderr);
	diags_free(&d);
	if (rc < 0) {
		fprintf(stderr, "claimcheck review: nothing imported from %s\n", name);
		return 3;
	}
	fprintf(stderr, "claimcheck review: %s: %ld row%s: %ld new, %ld updated, %ld removed,"
		" %ld unchanged, %ld failed", name, st.rows, st.rows == 1 ? "" : "s", st.inserted,
		st.updated, st.deleted, st.unchanged, st.failed);
	if (st.unmatched)
		fprintf(stderr, "; %ld verdict%s for claims not in this database (kept)", st.unmatched,
			st.unmatched == 1 ? "" : "s");
	fputc('\n', stderr);
	return st.failed ? EXIT_PARTIAL : EXIT_OK;
}

/* ---- --list / --status --------------------------------------------------- */

static int do_list(sqlite3 *db, const verdict_queue *q)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT d.key, CAST(substr(CAST(d.text AS BLOB), ?2 + 1, ?3 - ?2)"
			       " AS TEXT) FROM documents d WHERE d.id = ?1", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "claimcheck review: %s\n", sqlite3_errmsg(db));
		return EXIT_USAGE;
	}
	strbuf b = {0};
	for (size_t i = 0; i < q->items.n; i++) {
		const verdict_claim *c = &q->items.v[i];
		sqlite3_bind_int64(st, 1, c->doc_id);
		sqlite3_bind_int64(st, 2, c->start);
		sqlite3_bind_int64(st, 3, c->end);
		strbuf_reset(&b);
		verdict_claim_id(&b, c->doc_hash, c->start, NULL);
		strbuf_printf(&b, "\t%s\t%.2f\t", c->verdict ? verdict_name(c->verdict) : "-",
			      c->checkworthy);
		if (sqlite3_step(st) == SQLITE_ROW) {
			const char *key = (const char *)sqlite3_column_text(st, 0);
			const char *text = (const char *)sqlite3_column_text(st, 1);
			if (key) put_plain(&b, key, strlen(key));
			strbuf_printf(&b, ":%ld\t", c->sentence);
			if (text) put_plain(&b, text, (size_t)sqlite3_column_bytes(st, 1));
		}
		sqlite3_reset(st);
		strbuf_putc(&b, '\n');
		fwrite(b.data, 1, b.len, stdout);
		if (ferror(stdout)) break;
	}
	sqlite3_finalize(st);
	strbuf_free(&b);
	return cli_close_stdout();
}

static int do_status(sqlite3 *db, const verdict_queue *q)
{
	long by[5] = {0};
	for (size_t i = 0; i < q->items.n; i++) by[q->items.v[i].verdict]++;
	long reviewed = by[VERDICT_CONFIRMED] + by[VERDICT_FALSE_POSITIVE] + by[VERDICT_UNSURE];
	printf("claims    %zu\n", q->items.n);
	printf("reviewed  %ld (confirmed %ld, false_positive %ld, unsure %ld)\n", reviewed,
	       by[VERDICT_CONFIRMED], by[VERDICT_FALSE_POSITIVE], by[VERDICT_UNSURE]);
	size_t next = verdict_queue_next(q, 0);
	printf("left      %ld", by[VERDICT_NONE]);
	if (next < q->items.n) {
		strbuf id = {0};
		verdict_claim_id(&id, q->items.v[next].doc_hash, q->items.v[next].start, NULL);
		printf(" (next: %s)", id.data);
		strbuf_free(&id);
	}
	putchar('\n');
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT count(*), (SELECT count(*) FROM (SELECT DISTINCT doc_hash,"
			       " start, \"end\", rule FROM verdict_tags WHERE current = 0))"
			       " FROM verdicts", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		printf("verdicts  %lld in the database, %lld no longer on a claim or tag\n",
		       (long long)sqlite3_column_int64(st, 0), (long long)sqlite3_column_int64(st, 1));
	sqlite3_finalize(st);
	return cli_close_stdout();
}

/* ---- the terminal ------------------------------------------------------- */

static volatile sig_atomic_t got_quit, got_winch, got_tstp;
static struct termios saved_tio;
static int tty_raw;

static void on_signal(int sig)
{
	if (sig == SIGWINCH) got_winch = 1;
	else if (sig == SIGTSTP) got_tstp = 1;
	else got_quit = sig;
}

static void term_write(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, s, n);
		if (w < 0) {
			if (errno == EINTR) continue;
			return;
		}
		s += w;
		n -= (size_t)w;
	}
}

static const char enter_seq[] = "\033[?1049h\033[?25l\033[H\033[2J";
static const char leave_seq[] = "\033[0m\033[?25h\033[?1049l";

static void term_restore(void)
{
	if (!tty_raw) return;
	term_write(leave_seq, sizeof leave_seq - 1);
	tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tio);
	tty_raw = 0;
}

static int term_raw(void)
{
	struct termios t = saved_tio;
	t.c_iflag &= ~(tcflag_t)(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
	t.c_oflag &= ~(tcflag_t)OPOST;
	t.c_cflag |= CS8;
	t.c_lflag &= ~(tcflag_t)(ECHO | ICANON | IEXTEN); /* ISIG stays: ^C is SIGINT */
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &t) != 0) return -1;
	tty_raw = 1;
	term_write(enter_seq, sizeof enter_seq - 1);
	return 0;
}

/* The signals the session handles stay blocked except while it waits for
 * a key (ppoll with wait_mask), so none can slip in between checking the
 * flags and waiting. */
static sigset_t wait_mask;

static void install_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGTSTP};
	struct sigaction sa;
	sigset_t mask;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&mask, sigs[i]);
	}
	sigprocmask(SIG_BLOCK, &mask, &wait_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigdelset(&wait_mask, sigs[i]);
}

/* Stop the process for ^Z the usual way; returns when continued. */
static void suspend_self(void)
{
	sigset_t tstp;
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	signal(SIGTSTP, SIG_DFL);
	raise(SIGTSTP);                            /* pending while blocked */
	sigprocmask(SIG_UNBLOCK, &tstp, NULL);     /* delivered: stopped here */
	sigprocmask(SIG_BLOCK, &tstp, NULL);
	install_signals();
}

enum { KEY_NONE = -1, KEY_UP = 1000, KEY_DOWN, KEY_LEFT, KEY_RIGHT, KEY_PGUP, KEY_PGDN,
       KEY_HOME, KEY_END, KEY_ESC, KEY_EINTR };

/* One key; KEY_EINTR when a signal came first, KEY_NONE at end of input. */
static int read_key(void)
{
	unsigned char ch;
	struct pollfd in = {.fd = STDIN_FILENO, .events = POLLIN};
	if (ppoll(&in, 1, NULL, &wait_mask) < 0) return errno == EINTR ? KEY_EINTR : KEY_NONE;
	ssize_t r = read(STDIN_FILENO, &ch, 1);
	if (r < 0) return errno == EINTR ? KEY_EINTR : KEY_NONE;
	if (r == 0) return KEY_NONE;
	if (ch != 0x1b) return ch;
	struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
	unsigned char seq[4];
	if (poll(&p, 1, 50) <= 0 || read(STDIN_FILENO, &seq[0], 1) != 1) return KEY_ESC;
	if (seq[0] != '[' && seq[0] != 'O') return KEY_ESC;
	if (poll(&p, 1, 50) <= 0 || read(STDIN_FILENO, &seq[1], 1) != 1) return KEY_ESC;
	switch (seq[1]) {
	case 'A': return KEY_UP;
	case 'B': return KEY_DOWN;
	case 'C': return KEY_RIGHT;
	case 'D': return KEY_LEFT;
	case 'H': return KEY_HOME;
	case 'F': return KEY_END;
	}
	if (seq[1] >= '0' && seq[1] <= '9') {
		if (poll(&p, 1, 50) <= 0 || read(STDIN_FILENO, &seq[2], 1) != 1) return KEY_ESC;
		if (seq[2] == '~') {
			if (seq[1] == '5') return KEY_PGUP;
			if (seq[1] == '6') return KEY_PGDN;
			if (seq[1] == '1' || seq[1] == '7') return KEY_HOME;
			if (seq[1] == '4' || seq[1] == '8') return KEY_END;
		}
	}
	return KEY_NONE;
}

/* ---- the review session --------------------------------------------------- */

typedef struct vtag {
	size_t rule, category, source, role, cue; /* offsets in strings; NO_STR = NULL */
	long long cue_start, cue_end;  /* in the sentence */
	long long start, end;          /* in the document: a rule verdict's key */
	int anonymous;
} vtag;

/* A rule of the current claim: its first tag, and the verdict on its tags
 * (that of the first; `review --set ID/RULE` and this UI give all the
 * same one). */
typedef struct vrule {
	size_t rule;   /* offset in strings */
	size_t first;  /* index in tags */
	verdict_value verdict;
} vrule;

#define NO_STR ((size_t)-1)

typedef struct undo_entry {
	verdict_key key;
	size_t pos;
	unsigned long group;  /* the action it belongs to: undo takes back a whole group */
	int had;             /* the row existed before */
	verdict_row prev;    /* its state then */
	verdict_value now;   /* what this session set (for the message) */
} undo_entry;

typedef struct session {
	sqlite3 *db;
	const char *db_path;
	const char *reviewer;
	int color;
	int rows, cols;
	verdict_queue q;
	size_t cur;
	int help;
	/* the current claim */
	strbuf key, title, text, prev, next, strings;
	VEC(vtag) tags;
	VEC(vrule) rules;
	size_t sel;          /* 0: verdicts go to the claim; k: to the tags of rules.v[k - 1] */
	size_t sel_pos;      /* the claim sel was chosen on */
	VEC(span) cues;
	VEC(uint8_t) cuecat;
	verdict_row row;
	int have_row;
	/* editing a note */
	int editing;
	strbuf edit;
	char *pending_note;
	size_t pending_pos;
	/* status line and the undo stack */
	strbuf msg;
	VEC(undo_entry) undo;
	unsigned long group;
	long recorded;
	sqlite3_stmt *st_doc, *st_ctx, *st_tags;
	strbuf screen;
	int lines;
} session;

static const char *sstr(const session *s, size_t off)
{
	return off == NO_STR ? NULL : s->strings.data + off;
}

static size_t sput(session *s, const unsigned char *p)
{
	if (!p) return NO_STR;
	size_t off = s->strings.len;
	strbuf_puts(&s->strings, (const char *)p);
	strbuf_putc(&s->strings, '\0');
	return off;
}

static void set_msg(session *s, const char *fmt, ...) CC_PRINTF(2, 3);
static void set_msg(session *s, const char *fmt, ...)
{
	va_list ap;
	strbuf_reset(&s->msg);
	va_start(ap, fmt);
	strbuf_vprintf(&s->msg, fmt, ap);
	va_end(ap);
}

static int cat_index(const char *name)
{
	static const char *const names[] = {"hedge", "speculation", "weasel", "source"};
	for (int i = 0; i < 4; i++)
		if (name && strcmp(name, names[i]) == 0) return i;
	return 4;
}

/* The verdict key of tag i of the current claim (its rule and span). */
static void rule_key(const session *s, size_t i, verdict_key *k)
{
	const verdict_claim *c = &s->q.items.v[s->cur];
	const vtag *t = &s->tags.v[i];
	memset(k, 0, sizeof *k);
	memcpy(k->doc_hash, c->doc_hash, sizeof k->doc_hash);
	k->start = t->start;
	k->end = t->end;
	snprintf(k->rule, sizeof k->rule, "%s", sstr(s, t->rule));
}

/* Load the current claim's document, text, context, tags and verdicts. */
static int load_current(session *s)
{
	cc_error err;
	strbuf_reset(&s->key);
	strbuf_reset(&s->title);
	strbuf_reset(&s->text);
	strbuf_reset(&s->prev);
	strbuf_reset(&s->next);
	strbuf_reset(&s->strings);
	s->tags.n = s->rules.n = s->cues.n = s->cuecat.n = 0;
	if (s->have_row) verdict_row_free(&s->row);
	s->have_row = 0;
	if (s->cur >= s->q.items.n) return 0;
	const verdict_claim *c = &s->q.items.v[s->cur];

	sqlite3_bind_int64(s->st_doc, 1, c->doc_id);
	sqlite3_bind_int64(s->st_doc, 2, c->start);
	sqlite3_bind_int64(s->st_doc, 3, c->end);
	if (sqlite3_step(s->st_doc) == SQLITE_ROW) {
		const unsigned char *k = sqlite3_column_text(s->st_doc, 0);
		const unsigned char *t = sqlite3_column_text(s->st_doc, 1);
		const unsigned char *x = sqlite3_column_text(s->st_doc, 2);
		if (k) strbuf_puts(&s->key, (const char *)k);
		if (t) strbuf_puts(&s->title, (const char *)t);
		if (x) strbuf_append(&s->text, (const char *)x, (size_t)sqlite3_column_bytes(s->st_doc, 2));
	}
	sqlite3_reset(s->st_doc);

	sqlite3_bind_int64(s->st_ctx, 1, c->doc_id);
	sqlite3_bind_int64(s->st_ctx, 2, c->sentence);
	while (sqlite3_step(s->st_ctx) == SQLITE_ROW) {
		long idx = (long)sqlite3_column_int64(s->st_ctx, 0);
		const unsigned char *t = sqlite3_column_text(s->st_ctx, 1);
		if (!t) continue;
		strbuf *dst = idx < c->sentence ? &s->prev : &s->next;
		strbuf_append(dst, (const char *)t, (size_t)sqlite3_column_bytes(s->st_ctx, 1));
	}
	sqlite3_reset(s->st_ctx);

	sqlite3_bind_int64(s->st_tags, 1, c->doc_id);
	sqlite3_bind_int64(s->st_tags, 2, c->sentence);
	while (sqlite3_step(s->st_tags) == SQLITE_ROW) {
		vtag t;
		t.rule = sput(s, sqlite3_column_text(s->st_tags, 0));
		t.category = sput(s, sqlite3_column_text(s->st_tags, 1));
		t.cue_start = sqlite3_column_int64(s->st_tags, 2) - c->start;
		t.cue_end = sqlite3_column_int64(s->st_tags, 3) - c->start;
		t.cue = sput(s, sqlite3_column_text(s->st_tags, 4));
		t.source = sput(s, sqlite3_column_text(s->st_tags, 5));
		t.role = sput(s, sqlite3_column_text(s->st_tags, 6));
		t.anonymous = sqlite3_column_int(s->st_tags, 7);
		t.start = sqlite3_column_int64(s->st_tags, 8);
		t.end = sqlite3_column_int64(s->st_tags, 9);
		VEC_PUSH(&s->tags, t);
	}
	sqlite3_reset(s->st_tags);

	/* cue spans, sorted and merged, for highlighting */
	for (size_t i = 0; i < s->tags.n; i++) {
		long long a = s->tags.v[i].cue_start, b = s->tags.v[i].cue_end;
		if (a < 0) a = 0;
		if (b > (long long)s->text.len) b = (long long)s->text.len;
		if (a >= b) continue;
		size_t k = s->cues.n;
		VEC_RESERVE(&s->cues, 1);
		VEC_RESERVE(&s->cuecat, 1);
		while (k > 0 && s->cues.v[k - 1].start > a) {
			s->cues.v[k] = s->cues.v[k - 1];
			s->cuecat.v[k] = s->cuecat.v[k - 1];
			k--;
		}
		s->cues.v[k] = (span){(uint32_t)a, (uint32_t)b};
		s->cuecat.v[k] = (uint8_t)cat_index(sstr(s, s->tags.v[i].category));
		s->cues.n++;
		s->cuecat.n++;
	}
	size_t w = 0;
	for (size_t i = 0; i < s->cues.n; i++) {
		if (w > 0 && s->cues.v[i].start <= s->cues.v[w - 1].end) {
			if (s->cues.v[i].end > s->cues.v[w - 1].end) s->cues.v[w - 1].end = s->cues.v[i].end;
			continue;
		}
		s->cues.v[w] = s->cues.v[i];
		s->cuecat.v[w] = s->cuecat.v[i];
		w++;
	}
	s->cues.n = s->cuecat.n = w;

	verdict_key k;
	verdict_claim_key(c, &k);
	int got = verdict_get(s->db, &k, &s->row, &err);
	if (got < 0) set_msg(s, "%s", err.msg);
	s->have_row = got == 1;

	/* the distinct rules, in tag order, with their verdicts */
	for (size_t i = 0; i < s->tags.n; i++) {
		const char *r = sstr(s, s->tags.v[i].rule);
		int dup = !r || strlen(r) >= VERDICT_RULE_MAX;
		for (size_t j = 0; j < s->rules.n && !dup; j++)
			dup = strcmp(sstr(s, s->rules.v[j].rule), r) == 0;
		if (dup) continue;
		vrule vr = {s->tags.v[i].rule, i, VERDICT_NONE};
		verdict_row row;
		rule_key(s, i, &k);
		got = verdict_get(s->db, &k, &row, &err);
		if (got < 0) set_msg(s, "%s", err.msg);
		if (got == 1) {
			vr.verdict = row.verdict;
			verdict_row_free(&row);
		}
		VEC_PUSH(&s->rules, vr);
	}
	if (s->sel_pos != s->cur || s->sel > s->rules.n) s->sel = 0;
	return 0;
}

/* ---- drawing ---------------------------------------------------------- */

static const char *const cat_color[] = {
	"\033[1;33m", "\033[1;35m", "\033[1;31m", "\033[1;36m", "\033[1m",
};

/* One UTF-8 character at s (n bytes left): its length and display width. */
static size_t char_at(const char *s, size_t n, int *width)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &cp);
	if (len <= 0) {
		*width = 1;
		return 1;
	}
	int w = utf8proc_charwidth(cp);
	*width = cp < 0x20 || cp == 0x7f ? 1 : (w < 0 ? 0 : w);
	return (size_t)len;
}

static void end_line(session *s)
{
	strbuf_puts(&s->screen, "\033[0m\033[K\r\n");
	s->lines++;
}

/* Text wrapped to the screen: at most maxlines lines, each starting with
 * prefix (pw columns wide) in `base` style; cue spans (sorted, relative to
 * text) in their category's style. */
static void put_wrapped(session *s, const char *prefix, int pw, const char *base, const char *text,
			size_t len, const span *cues, const uint8_t *cat, size_t ncues, int maxlines)
{
	int width = s->cols - pw - 1;
	if (width < 10) width = 10;
	size_t pos = 0, ci = 0;
	int used = 0;
	while (pos < len && used < maxlines && s->lines < s->rows - 3) {
		while (pos < len && text[pos] == ' ') pos++;
		if (pos >= len) break;
		/* how far this line goes */
		size_t i = pos, brk = 0;
		int w = 0;
		while (i < len) {
			int cw;
			size_t cl = char_at(text + i, len - i, &cw);
			if (w + cw > width) break;
			w += cw;
			i += cl;
			if (text[i - cl] == ' ' || text[i - cl] == '\n') brk = i;
		}
		size_t end = i >= len ? len : (brk > pos ? brk : (i > pos ? i : pos + 1));
		int last = used + 1 == maxlines && end < len;
		strbuf_puts(&s->screen, prefix);
		strbuf_puts(&s->screen, base);
		int in_cue = -1;
		for (size_t j = pos; j < end;) {
			while (ci < ncues && cues[ci].end <= j) ci++;
			int want = ci < ncues && cues[ci].start <= j ? (int)ci : -1;
			if (want != in_cue) {
				strbuf_puts(&s->screen, "\033[0m");
				strbuf_puts(&s->screen, base);
				if (want >= 0)
					strbuf_puts(&s->screen, s->color ? cat_color[cat[want]] : "\033[1;4m");
				in_cue = want;
			}
			int cw;
			size_t cl = char_at(text + j, len - j, &cw);
			if ((unsigned char)text[j] < 0x20 || text[j] == 0x7f) strbuf_putc(&s->screen, ' ');
			else if (cl == 1 && (unsigned char)text[j] >= 0x80) strbuf_putc(&s->screen, '?');
			else strbuf_append(&s->screen, text + j, cl);
			j += cl;
		}
		if (last) strbuf_puts(&s->screen, "\033[0m…");
		end_line(s);
		used++;
		pos = end;
	}
}

static void put_line(session *s, const char *fmt, ...) CC_PRINTF(2, 3);
static void put_line(session *s, const char *fmt, ...)
{
	if (s->lines >= s->rows - 3) return;
	strbuf tmp = {0};
	va_list ap;
	va_start(ap, fmt);
	strbuf_vprintf(&tmp, fmt, ap);
	va_end(ap);
	/* clip to the width (by display columns; escapes pass through) */
	int w = 0;
	for (size_t i = 0; i < tmp.len;) {
		if (tmp.data[i] == '\033') {
			size_t j = i + 1;
			while (j < tmp.len && !(tmp.data[j] >= '@' && tmp.data[j] <= '~' && tmp.data[j] != '['))
				j++;
			strbuf_append(&s->screen, tmp.data + i, j < tmp.len ? j - i + 1 : tmp.len - i);
			i = j + 1;
			continue;
		}
		int cw;
		size_t cl = char_at(tmp.data + i, tmp.len - i, &cw);
		if (w + cw > s->cols - 1) break;
		w += cw;
		if ((unsigned char)tmp.data[i] < 0x20) strbuf_putc(&s->screen, ' ');
		else strbuf_append(&s->screen, tmp.data + i, cl);
		i += cl;
	}
	strbuf_free(&tmp);
	end_line(s);
}

static size_t count_reviewed(const session *s)
{
	size_t r = 0;
	for (size_t i = 0; i < s->q.items.n; i++) r += s->q.items.v[i].verdict != VERDICT_NONE;
	return r;
}

static void draw_help(session *s)
{
	static const char *const lines[] = {
		"Keys",
		"",
		"  c          confirmed: the flag is right, this claim needs checking",
		"  f          false positive: the flag is wrong",
		"  u          unsure",
		"  s, space   skip: go to the next claim without a verdict",
		"  z          undo the last verdict or note of this session (repeatable)",
		"  n          write a note (Enter saves, Esc cancels); kept with the verdict",
		"  x          clear this claim's verdict",
		"  r, Tab     judge one rule: select the claim's next rule; c, f, u, x and n",
		"             then go to that rule's tags in this sentence (as --set ID/RULE",
		"             does; `rules stats` counts them), and the claim stays; after",
		"             the last rule, or with Esc, verdicts go to the claim again",
		"  j, down, → next claim      k, up, ← previous claim",
		"  g / G      first / last claim",
		"  ?          this help",
		"  q          quit (every verdict is already saved)",
		"",
		"Verdicts are saved in the database at once, keyed by the document's",
		"text hash and the sentence's span, so they survive re-runs and rule",
		"changes. A new session starts at the first claim without a verdict.",
		"",
		"Cue colours: hedge yellow, speculation magenta, weasel red, source cyan.",
		"",
		"Press any key to go back.",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		put_line(s, "%s%s%s", i == 0 ? "\033[1m" : "", lines[i], i == 0 ? "\033[0m" : "");
}

static void draw_claim(session *s)
{
	const verdict_claim *c = &s->q.items.v[s->cur];
	strbuf id = {0};
	verdict_claim_id(&id, c->doc_hash, c->start, NULL);
	put_line(s, "\033[1m%s\033[0m   check-worthiness %.2f   uncertainty %.2f", id.data,
		 c->checkworthy, c->uncertainty);
	strbuf_free(&id);
	if (s->title.len)
		put_line(s, "%s", s->title.data);
	put_line(s, "\033[2m%s:%ld\033[0m", s->key.len ? s->key.data : "?", c->sentence);
	if (s->have_row) {
		put_line(s, "verdict: \033[1m%s\033[0m%s%s  (%s)", verdict_name(s->row.verdict),
			 s->row.reviewer ? " by " : "", s->row.reviewer ? s->row.reviewer : "",
			 s->row.updated);
	} else {
		put_line(s, "verdict: -");
	}
	if (s->sel) {
		const vrule *r = &s->rules.v[s->sel - 1];
		size_t ntags = 0;
		for (size_t i = 0; i < s->tags.n; i++)
			ntags += strcmp(sstr(s, s->tags.v[i].rule), sstr(s, r->rule)) == 0;
		put_line(s, "\033[7m verdicts on rule %s (%zu tag%s)  r: next rule  Esc: the claim \033[0m",
			 sstr(s, r->rule), ntags, ntags == 1 ? "" : "s");
	}
	put_line(s, "%s", "");
	if (s->prev.len)
		put_wrapped(s, "  ", 2, "\033[2m", s->prev.data, s->prev.len, NULL, NULL, 0, 2);
	put_wrapped(s, "\033[1m>\033[0m ", 2, "", s->text.data ? s->text.data : "", s->text.len,
		    s->cues.v, s->cuecat.v, s->cues.n, 12);
	if (s->next.len)
		put_wrapped(s, "  ", 2, "\033[2m", s->next.data, s->next.len, NULL, NULL, 0, 2);
	put_line(s, "%s", "");

	strbuf b = {0};
	/* categories, distinct, in tag order */
	for (size_t i = 0; i < s->tags.n; i++) {
		const char *v = sstr(s, s->tags.v[i].category);
		if (!v) continue;
		int dup = 0;
		for (size_t j = 0; j < i && !dup; j++) {
			const char *u = sstr(s, s->tags.v[j].category);
			dup = u && strcmp(u, v) == 0;
		}
		if (dup) continue;
		if (b.len) strbuf_puts(&b, ", ");
		if (s->color) strbuf_puts(&b, cat_color[cat_index(v)]);
		strbuf_puts(&b, v);
		if (s->color) strbuf_puts(&b, "\033[0m");
	}
	put_line(s, "categories: %s", b.len ? b.data : "(none)");
	/* rules, with their verdicts; the one r selected in reverse video */
	strbuf_reset(&b);
	for (size_t i = 0; i < s->rules.n; i++) {
		const vrule *r = &s->rules.v[i];
		if (b.len) strbuf_puts(&b, ", ");
		if (s->sel == i + 1) strbuf_puts(&b, "\033[7m");
		strbuf_puts(&b, sstr(s, r->rule));
		if (r->verdict != VERDICT_NONE) strbuf_printf(&b, " [%s]", verdict_name(r->verdict));
		if (s->sel == i + 1) strbuf_puts(&b, "\033[0m");
	}
	put_line(s, "rules:      %s", b.len ? b.data : "(none)");
	int nsrc = 0;
	for (size_t i = 0; i < s->tags.n; i++) {
		const vtag *t = &s->tags.v[i];
		const char *cat = sstr(s, t->category);
		if (!cat || strcmp(cat, "source") != 0) continue;
		const char *name = sstr(s, t->source), *role = sstr(s, t->role), *cue = sstr(s, t->cue);
		strbuf_reset(&b);
		put_plain(&b, name ? name : "(unnamed)", strlen(name ? name : "(unnamed)"));
		if (role) strbuf_printf(&b, " (%s)", role);
		strbuf_printf(&b, " — %s", t->anonymous ? "anonymous" : "named");
		if (cue) strbuf_printf(&b, ", cue \"%s\"", cue);
		put_line(s, "%s %s", nsrc++ ? "           " : "sources:   ", b.data);
	}
	if (!nsrc) put_line(s, "sources:    (none)");
	const char *note = s->have_row ? s->row.note : NULL;
	if (s->pending_note && s->pending_pos == s->cur) note = s->pending_note;
	if (note) {
		strbuf_reset(&b);
		put_plain(&b, note, strlen(note));
		put_line(s, "note:       %s%s", b.data,
			 s->pending_note && s->pending_pos == s->cur ? "  (saved with the verdict)" : "");
	}
	strbuf_free(&b);
}

static void draw(session *s)
{
	strbuf_reset(&s->screen);
	s->lines = 0;
	strbuf_puts(&s->screen, "\033[H");
	size_t n = s->q.items.n, done = count_reviewed(s);
	put_line(s, "\033[7m claimcheck review  %s   claim %zu of %zu   reviewed %zu   left %zu \033[0m",
		 s->db_path, s->cur < n ? s->cur + 1 : n, n, done, n - done);
	put_line(s, "%s", "");
	if (s->help) {
		draw_help(s);
	} else if (n == 0) {
		put_line(s, "No flagged claims to review (check the filters, or run `claimcheck run`).");
	} else if (s->cur >= n) {
		put_line(s, "\033[1mAll %zu claims have a verdict.\033[0m", n);
		put_line(s, "%s", "");
		put_line(s, "Press z to undo, k or ← to go back, q to quit.");
	} else {
		draw_claim(s);
	}
	/* clear the rest, then the status and key lines at the bottom */
	while (s->lines < s->rows - 2) end_line(s);
	strbuf tmp = {0};
	if (s->editing) {
		put_plain(&tmp, s->edit.data ? s->edit.data : "", s->edit.len);
		strbuf_printf(&s->screen, "\033[%d;1H\033[Knote: %s\033[?25h", s->rows - 1, tmp.data ? tmp.data : "");
	} else {
		if (s->msg.len) put_plain(&tmp, s->msg.data, s->msg.len);
		strbuf_printf(&s->screen, "\033[%d;1H\033[K%s", s->rows - 1, tmp.data ? tmp.data : "");
		strbuf_printf(&s->screen, "\033[%d;1H\033[K\033[7m c \033[0m confirmed \033[7m f \033[0m false"
			      " positive \033[7m u \033[0m unsure \033[7m s \033[0m skip \033[7m z \033[0m"
			      " undo \033[7m n \033[0m note \033[7m r \033[0m rule \033[7m ? \033[0m help"
			      " \033[7m q \033[0m quit"
			      "\033[?25l", s->rows);
	}
	strbuf_free(&tmp);
	if (s->editing) {
		/* the cursor after the note text */
		int w = 6;
		for (size_t i = 0; i < s->edit.len;) {
			int cw;
			i += char_at(s->edit.data + i, s->edit.len - i, &cw);
			w += cw;
		}
		strbuf_printf(&s->screen, "\033[%d;%dH", s->rows - 1, w + 1 < s->cols ? w + 1 : s->cols);
	}
	term_write(s->screen.data, s->screen.len);
}

static void get_size(session *s)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
		s->rows = ws.ws_row;
		s->cols = ws.ws_col;
	} else {
		s->rows = 24;
		s->cols = 80;
	}
	if (s->rows < 8) s->rows = 8;
	if (s->cols < 20) s->cols = 20;
}

/* ---- actions ---------------------------------------------------------------- */

/* Move on after a verdict or a skip: the next claim without a verdict after
 * the current one, else the first one before it; stays when the current
 * claim is the only one left (skip), or goes to the end page. */
static void advance(session *s, int skipping)
{
	size_t n = s->q.items.n;
	size_t i = verdict_queue_next(&s->q, s->cur + 1 > n ? n : s->cur + 1);
	if (i == n) i = verdict_queue_next(&s->q, 0);
	if (i == s->cur && skipping) {
		set_msg(s, "This is the last claim without a verdict.");
		return;
	}
	s->cur = i;
}

/* Remember key's row as it is (prev, or none) before this session's
 * action `group` changes it. */
static void push_undo(session *s, const verdict_key *k, verdict_value now, const verdict_row *prev)
{
	undo_entry u;
	memset(&u, 0, sizeof u);
	u.key = *k;
	u.pos = s->cur;
	u.group = s->group;
	u.now = now;
	u.had = prev != NULL;
	if (prev) {
		u.prev = *prev;
		u.prev.note = xstrdup(prev->note);
		u.prev.reviewer = xstrdup(prev->reviewer);
	}
	VEC_PUSH(&s->undo, u);
}

/* Write the rows of the selected rule's tags in this sentence (one per
 * tag span, as `review --set ID/RULE` does), as one action for undo: with
 * note NULL, verdict v on each (VERDICT_CLEAR deletes the rows there are);
 * else the note on each row there is, its verdict kept. Returns the number
 * of rows written, or -1 with the message set. */
static long set_rule_rows(session *s, verdict_value v, const char *note)
{
	const char *rule = sstr(s, s->rules.v[s->sel - 1].rule);
	long done = 0;
	s->group++;
	for (size_t i = 0; i < s->tags.n; i++) {
		if (strcmp(sstr(s, s->tags.v[i].rule), rule) != 0) continue;
		verdict_key k;
		verdict_row prev;
		cc_error err;
		rule_key(s, i, &k);
		int dup = 0;
		for (size_t j = s->undo.n; j > 0 && s->undo.v[j - 1].group == s->group && !dup; j--)
			dup = s->undo.v[j - 1].key.start == k.start && s->undo.v[j - 1].key.end == k.end;
		if (dup) continue; /* two tags of the rule on one span: one key */
		int got = verdict_get(s->db, &k, &prev, &err);
		if (got < 0) {
			set_msg(s, "Not saved: %s", err.msg);
			return -1;
		}
		if (!got && (note || v == VERDICT_CLEAR)) continue;
		push_undo(s, &k, note ? VERDICT_NONE : v, got ? &prev : NULL);
		int rc = note ? verdict_set(s->db, &k, prev.verdict, 1, note, s->reviewer, &err)
			      : verdict_set(s->db, &k, v, 0, NULL, s->reviewer, &err);
		if (got) verdict_row_free(&prev);
		if (rc < 0) {
			undo_entry *u = &s->undo.v[--s->undo.n];
			verdict_row_free(&u->prev);
			set_msg(s, "Not saved: %s", err.msg);
			return -1;
		}
		done++;
	}
	if (done) s->recorded++;
	return done;
}

/* A verdict on the selected rule's tags; the claim keeps its place: its
 * own verdict is given with the rule unselected. */
static void record_rule(session *s, verdict_value v)
{
	const char *rule = sstr(s, s->rules.v[s->sel - 1].rule);
	long done = set_rule_rows(s, v, NULL);
	if (done < 0) return;
	if (!done) {
		set_msg(s, "Rule %s has no verdict to clear here.", rule);
		return;
	}
	strbuf id = {0};
	verdict_claim_id(&id, s->q.items.v[s->cur].doc_hash, s->q.items.v[s->cur].start, rule);
	set_msg(s, "%s: %s (%ld tag%s)", id.data, v == VERDICT_CLEAR ? "verdict cleared" : verdict_name(v),
		done, done == 1 ? "" : "s");
	strbuf_free(&id);
}

/* r: select the claim's next rule (after the last, the claim again). */
static void select_next_rule(session *s)
{
	if (s->cur >= s->q.items.n) return;
	if (s->rules.n == 0) {
		set_msg(s, "This claim has no rules to judge one by one.");
		return;
	}
	s->sel = (s->sel + 1) % (s->rules.n + 1);
	s->sel_pos = s->cur;
	if (!s->sel) set_msg(s, "Verdicts go to the claim again.");
}

static void record(session *s, verdict_value v)
{
	if (s->cur >= s->q.items.n) return;
	if (s->sel) {
		record_rule(s, v);
		return;
	}
	verdict_claim *c = &s->q.items.v[s->cur];
	verdict_key k;
	cc_error err;
	verdict_claim_key(c, &k);
	int with_note = s->pending_note && s->pending_pos == s->cur;
	s->group++;
	push_undo(s, &k, v, s->have_row ? &s->row : NULL);
	if (verdict_set(s->db, &k, v, with_note, with_note ? s->pending_note : NULL, s->reviewer,
			&err) < 0) {
		undo_entry *u = &s->undo.v[--s->undo.n];
		verdict_row_free(&u->prev);
		set_msg(s, "Not saved: %s", err.msg);
		return;
	}
	if (with_note) {
		free(s->pending_note);
		s->pending_note = NULL;
	}
	c->verdict = v == VERDICT_CLEAR ? VERDICT_NONE : v;
	s->recorded++;
	strbuf id = {0};
	verdict_claim_id(&id, c->doc_hash, c->start, NULL);
	set_msg(s, "%s: %s", id.data, v == VERDICT_CLEAR ? "verdict cleared" : verdict_name(v));
	strbuf_free(&id);
	if (v != VERDICT_CLEAR) advance(s, 0);
}

static void undo(session *s)
{
	if (s->undo.n == 0) {
		set_msg(s, "Nothing to undo in this session.");
		return;
	}
	/* every row of the last action, last first */
	unsigned long group = s->undo.v[s->undo.n - 1].group;
	int rule = 0, had = 0;
	verdict_value now = VERDICT_NONE;
	while (s->undo.n > 0 && s->undo.v[s->undo.n - 1].group == group) {
		undo_entry *u = &s->undo.v[s->undo.n - 1];
		cc_error err;
		if (verdict_restore(s->db, &u->key, u->had ? &u->prev : NULL, &err) < 0) {
			set_msg(s, "Undo failed: %s", err.msg);
			return;
		}
		s->undo.n--;
		rule = u->key.rule[0] != '\0';
		had |= u->had;
		now = u->now;
		if (!rule && u->pos < s->q.items.n)
			s->q.items.v[u->pos].verdict = u->had ? u->prev.verdict : VERDICT_NONE;
		if (u->pos < s->q.items.n) s->cur = u->pos;
		verdict_row_free(&u->prev);
	}
	s->recorded--;
	set_msg(s, "Undone: %s%s%s", now == VERDICT_NONE ? "note" : verdict_name(now),
		rule ? " on a rule" : "", had ? " (the earlier verdict is back)" : "");
}

/* The note of the selected rule's verdicts, on each of its rows (a rule
 * gets a verdict before its note). */
static void save_rule_note(session *s, const char *text)
{
	long done = set_rule_rows(s, VERDICT_NONE, text);
	if (done > 0)
		set_msg(s, "%s on rule %s (%ld tag%s).", *text ? "Note saved" : "Note removed",
			sstr(s, s->rules.v[s->sel - 1].rule), done, done == 1 ? "" : "s");
}

static void save_note(session *s)
{
	const char *text = s->edit.data ? s->edit.data : "";
	if (s->cur >= s->q.items.n) return;
	if (s->sel) {
		save_rule_note(s, text);
		return;
	}
	verdict_claim *c = &s->q.items.v[s->cur];
	if (!s->have_row) {
		free(s->pending_note);
		s->pending_note = xstrdup(text);
		s->pending_pos = s->cur;
		set_msg(s, "Note kept: it is saved with this claim's verdict (c, f or u).");
		return;
	}
	verdict_key k;
	cc_error err;
	verdict_claim_key(c, &k);
	s->group++;
	push_undo(s, &k, VERDICT_NONE, &s->row);
	if (verdict_set(s->db, &k, s->row.verdict, 1, text, s->reviewer, &err) < 0) {
		undo_entry *u = &s->undo.v[--s->undo.n];
		verdict_row_free(&u->prev);
		set_msg(s, "Note not saved: %s", err.msg);
		return;
	}
	s->recorded++;
	set_msg(s, *text ? "Note saved." : "Note removed.");
}

/* Line editing of the note: returns 1 while editing. */
static void edit_key(session *s, int key)
{
	if (key == '\r' || key == '\n') {
		s->editing = 0;
		save_note(s);
	} else if (key == KEY_ESC || key == 7 /* ^G */) {
		s->editing = 0;
		set_msg(s, "Note not changed.");
	} else if (key == 0x7f || key == 8) {
		while (s->edit.len > 0) {
			unsigned char ch = (unsigned char)s->edit.data[--s->edit.len];
			if ((ch & 0xc0) != 0x80) break;
		}
		if (s->edit.data) s->edit.data[s->edit.len] = '\0';
	} else if (key == 0x15 /* ^U */) {
		strbuf_reset(&s->edit);
		if (s->edit.data) s->edit.data[0] = '\0';
	} else if (key >= 0x20 && key < 0x100 && key != 0x7f && s->edit.len < 2000) {
		strbuf_putc(&s->edit, (char)key);
	}
}

static void start_note(session *s)
{
	if (s->cur >= s->q.items.n) return;
	strbuf_reset(&s->edit);
	const char *note = s->pending_note && s->pending_pos == s->cur ? s->pending_note
			   : s->have_row ? s->row.note : NULL;
	verdict_row row;
	int got = 0;
	if (s->sel) {
		/* a rule's note goes on its verdict rows: it needs a verdict */
		const vrule *r = &s->rules.v[s->sel - 1];
		verdict_key k;
		cc_error err;
		if (r->verdict == VERDICT_NONE) {
			set_msg(s, "Give rule %s a verdict first (c, f or u); its note goes with it.",
				sstr(s, r->rule));
			return;
		}
		rule_key(s, r->first, &k);
		got = verdict_get(s->db, &k, &row, &err) == 1;
		note = got ? row.note : NULL;
	}
	if (note) strbuf_puts(&s->edit, note);
	if (got) verdict_row_free(&row);
	if (s->edit.data) s->edit.data[s->edit.len] = '\0';
	s->editing = 1;
}

/* The main loop; returns the exit status. */
static int session_run(session *s)
{
	size_t n = s->q.items.n;
	s->cur = verdict_queue_next(&s->q, 0);
	if (n && s->cur == n) set_msg(s, "Every claim has a verdict already; z, k or ← to revisit.");
	else if (s->cur > 0 && s->cur < n) set_msg(s, "Resuming at claim %zu: the first without a verdict.",
						   s->cur + 1);
	for (;;) {
		if (got_quit) break;
		if (got_tstp) {
			got_tstp = 0;
			term_restore();
			suspend_self();
			if (term_raw() < 0) break;
			got_winch = 1;
		}
		if (got_winch) {
			got_winch = 0;
			get_size(s);
			term_write("\033[2J", 4);
		}
		load_current(s);
		draw(s);
		int key = read_key();
		if (key == KEY_EINTR) continue;
		if (key == KEY_NONE) break; /* end of input: the terminal went away */
		if (s->help) {
			s->help = 0;
			continue;
		}
		if (s->editing) {
			edit_key(s, key);
			continue;
		}
		strbuf_reset(&s->msg);
		switch (key) {
		case 'c': case 'C': record(s, VERDICT_CONFIRMED); break;
		case 'f': case 'F': record(s, VERDICT_FALSE_POSITIVE); break;
		case 'u': case 'U': record(s, VERDICT_UNSURE); break;
		case 'x': case 'X':
			if (s->cur < n && (s->have_row || s->sel)) record(s, VERDICT_CLEAR);
			break;
		case 's': case 'S': case ' ':
			if (s->cur < n) advance(s, 1);
			break;
		case 'z': case 'Z': undo(s); break;
		case 'n': case 'N': start_note(s); break;
		case 'r': case 'R': case '\t': select_next_rule(s); break;
		case KEY_ESC:
			if (s->sel) set_msg(s, "Verdicts go to the claim again.");
			s->sel = 0;
			break;
		case 'j': case KEY_DOWN: case KEY_RIGHT: case KEY_PGDN:
			if (s->cur < n) s->cur++;
			break;
		case 'k': case KEY_UP: case KEY_LEFT: case KEY_PGUP:
			if (s->cur > 0) s->cur--;
			break;
		case 'g': case KEY_HOME: s->cur = 0; break;
		case 'G': case KEY_END: s->cur = n ? n - 1 : 0; break;
		case '?': case 'h': s->help = 1; break;
		case 'q': case 'Q': case 4 /* ^D */: goto out;
		case 0x0c /* ^L */: got_winch = 1; break;
		default: set_msg(s, "Unknown key; press ? for help."); break;
		}
	}
out:
	term_restore();
	size_t done = count_reviewed(s);
	if (got_quit)
		fprintf(stderr, "claimcheck review: interrupted (%s)\n", strsignal(got_quit));
	printf("%ld change%s saved this session; %zu of %zu claims have a verdict", s->recorded,
	       s->recorded == 1 ? "" : "s", done, n);
	size_t next = verdict_queue_next(&s->q, 0);
	if (next < n) {
		strbuf id = {0};
		verdict_claim_id(&id, s->q.items.v[next].doc_hash, s->q.items.v[next].start, NULL);
		printf("; next: %s", id.data);
		strbuf_free(&id);
	}
	printf(".\n");
	if (got_quit) return 128 + got_quit;
	return cli_close_stdout();
}

static void session_free(session *s)
{
	sqlite3_finalize(s->st_doc);
	sqlite3_finalize(s->st_ctx);
	sqlite3_finalize(s->st_tags);
	strbuf_free(&s->key);
	strbuf_free(&s->title);
	strbuf_free(&s->text);
	strbuf_free(&s->prev);
	strbuf_free(&s->next);
	strbuf_free(&s->strings);
	strbuf_free(&s->edit);
	strbuf_free(&s->msg);
	strbuf_free(&s->screen);
	VEC_FREE(&s->tags);
	VEC_FREE(&s->rules);
	VEC_FREE(&s->cues);
	VEC_FREE(&s->cuecat);
	if (s->have_row) verdict_row_free(&s->row);
	for (size_t i = 0; i < s->undo.n; i++) verdict_row_free(&s->undo.v[i].prev);
	VEC_FREE(&s->undo);
	free(s->pending_note);
	verdict_queue_free(&s->q);
}

static int interactive(sqlite3 *db, const char *db_path, const verdict_queue *q, const char *reviewer)
{
	session s;
	memset(&s, 0, sizeof s);
	s.db = db;
	s.db_path = db_path;
	s.reviewer = reviewer;
	s.q = *q;
	s.color = cli_use_color(stdout);
	if (sqlite3_prepare_v2(db, "SELECT key, title, CAST(substr(CAST(text AS BLOB), ?2 + 1, ?3 - ?2)"
			       " AS TEXT) FROM documents WHERE id = ?1", -1, &s.st_doc, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT s.idx, CAST(substr(CAST(d.text AS BLOB), s.start + 1,"
			       " s.\"end\" - s.start) AS TEXT) FROM sentences s JOIN documents d"
			       " ON d.id = s.doc_id WHERE s.doc_id = ?1 AND s.idx IN (?2 - 1, ?2 + 1)"
			       " ORDER BY s.idx", -1, &s.st_ctx, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT rule, category, cue_start, cue_end, cue, source, role,"
			       " anonymous, start, \"end\" FROM tags WHERE doc_id = ?1 AND sentence = ?2"
			       " ORDER BY idx",
			       -1, &s.st_tags, NULL) != SQLITE_OK) {
		fprintf(stderr, "claimcheck review: %s\n", sqlite3_errmsg(db));
		s.q = (verdict_queue){0};
		session_free(&s);
		return EXIT_USAGE;
	}
	if (tcgetattr(STDIN_FILENO, &saved_tio) != 0) {
		fprintf(stderr, "claimcheck review: cannot set up the terminal: %s\n", strerror(errno));
		s.q = (verdict_queue){0};
		session_free(&s);
		return EXIT_USAGE;
	}
	atexit(term_restore);
	install_signals();
	get_size(&s);
	if (term_raw() < 0) {
		fprintf(stderr, "claimcheck review: cannot set up the terminal: %s\n", strerror(errno));
		s.q = (verdict_queue){0};
		session_free(&s);
		return EXIT_USAGE;
	}
	int rc = session_run(&s);
	s.q = (verdict_queue){0}; /* the caller's */
	session_free(&s);
	return rc;
}

/* ---- the command -------------------------------------------------------- */

int cmd_review(int argc, char **argv)
{
	const char *db_path = "claims.db";
	const char *reviewer = default_reviewer();
	const char *export_path = NULL, *import_path = NULL;
	int have_fmt = 0, list = 0, status = 0;
	verdict_format fmt = VERDICT_CSV;
	verdict_filter filter = {0};
	VEC(set_req) sets = {0};
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:c:s:D:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db_path = optarg;
			break;
		case OPT_SET: {
			set_req r = {.arg = optarg};
			const char *eq = strrchr(optarg, '=');
			if (!eq || eq == optarg) {
				rc = cli_usage_error("review", "--set wants ID=VERDICT, not '%s'", optarg);
				goto out;
			}
			if (verdict_parse(eq + 1, &r.v) < 0) {
				rc = cli_usage_error("review", "--set %s: unknown verdict '%s' (use confirmed,"
						     " false_positive, unsure or clear)", optarg, eq + 1);
				goto out;
			}
			r.id = xstrndup(optarg, (size_t)(eq - optarg));
			VEC_PUSH(&sets, r);
			break;
		}
		case OPT_NOTE:
			if (sets.n == 0) {
				rc = cli_usage_error("review", "--note belongs after the --set it is for");
				goto out;
			}
			sets.v[sets.n - 1].has_note = 1;
			sets.v[sets.n - 1].note = optarg;
			break;
		case OPT_REVIEWER:
			reviewer = *optarg ? optarg : NULL;
			break;
		case OPT_EXPORT:
			export_path = optarg;
			break;
		case OPT_IMPORT:
			import_path = optarg;
			break;
		case OPT_FORMAT:
			if (verdict_format_parse(optarg, &fmt) < 0) {
				rc = cli_usage_error("review", "unknown format '%s' (use csv or jsonl)", optarg);
				goto out;
			}
			have_fmt = 1;
			break;
		case OPT_LIST:
			list = 1;
			break;
		case OPT_STATUS:
			status = 1;
			break;
		case 'c':
			if (category_from_name(optarg) < 0) {
				rc = cli_usage_error("review", "unknown category '%s' (use hedge, speculation,"
						     " weasel or source)", optarg);
				goto out;
			}
			filter.category = optarg;
			break;
		case 's': {
			char *end;
			errno = 0;
			double v = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(v) || v < 0 || v > 1) {
				rc = cli_usage_error("review", "--min-score wants a number from 0 to 1, not '%s'",
						     optarg);
				goto out;
			}
			filter.min_score = v;
			break;
		}
		case 'D':
			filter.document = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			rc = cli_close_stdout();
			goto out;
		case ':':
			rc = cli_usage_error("review", "option '%s' needs a value", argv[optind - 1]);
			goto out;
		default:
			rc = cli_usage_error("review", "unknown option '%s'", argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		rc = cli_usage_error("review", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	int modes = (sets.n > 0) + (export_path != NULL) + (import_path != NULL) + list + status;
	if (modes > 1) {
		rc = cli_usage_error("review", "use one of --set, --import, --export, --list and --status"
				     " at a time");
		goto out;
	}
	if (modes == 0 && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		fprintf(stderr, "claimcheck review: the interactive review needs a terminal on standard"
			" input and output.\nFrom scripts, use --set ID=VERDICT, --import FILE, --export"
			" FILE, --list or --status (see --help).\n");
		rc = EXIT_USAGE;
		goto out;
	}

	struct stat sb;
	if (stat(db_path, &sb) != 0) {
		fprintf(stderr, "claimcheck review: no database '%s' (create it with `claimcheck run"
			" PATH...`, or name another with -d DB)\n", db_path);
		rc = EXIT_USAGE;
		goto out;
	}
	cc_error err;
	int writes = sets.n > 0 || import_path || modes == 0;
	store *st = store_open(db_path, writes ? STORE_WRITE : STORE_READ, &err);
	if (!st) {
		fprintf(stderr, "claimcheck review: %s\n", err.msg);
		rc = EXIT_USAGE;
		goto out;
	}
	sqlite3 *db = store_db(st);
	if (sets.n) {
		rc = do_set(db, sets.v, sets.n, reviewer);
	} else if (export_path) {
		rc = do_export(db, export_path, have_fmt, fmt);
	} else if (import_path) {
		rc = do_import(db, import_path, have_fmt, fmt);
	} else {
		verdict_queue q = {0};
		if (verdict_queue_load(db, &filter, &q, &err) < 0) {
			fprintf(stderr, "claimcheck review: %s\n", err.msg);
			rc = EXIT_USAGE;
		} else if (list) {
			rc = do_list(db, &q);
		} else if (status) {
			rc = do_status(db, &q);
		} else {
			rc = interactive(db, db_path, &q, reviewer);
		}
		verdict_queue_free(&q);
	}
	store_close(st);
out:
	for (size_t i = 0; i < sets.n; i++) free(sets.v[i].id);
	VEC_FREE(&sets);
	return rc;
}
