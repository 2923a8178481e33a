/*
 * pty-drive.c — run a command on a pseudo-terminal and drive it from a
 * script, for the tests of interactive commands (`claimcheck review`).
 *
 * Reads: a script (a file, or '-' for standard input) of lines
 *   expect TEXT      wait until the output since the last match holds TEXT
 *   send TEXT        type TEXT (escapes: \r \n \t \e \\ \xHH)
 *   resize ROWS COLS set the window size (the command gets SIGWINCH)
 *   signal NAME      send INT, TERM or HUP to the command
 *   sleep MS         wait
 *   # ...            a comment
 * Adds: the command's whole output in the log file (-l), and its exit
 * status as ours; 124 when an expect or the exit times out (-t seconds,
 * default 10), 125 for a bad script or a driver failure, 128+N when the
 * command died of signal N.
 *
 * Usage: pty-drive [-r ROWS] [-c COLS] [-t SECONDS] [-l LOG] SCRIPT -- COMMAND [ARG]...
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *out;      /* everything the command wrote */
static size_t out_len, out_cap, mark;
static int master = -1;
static FILE *log_fp;
static pid_t child;
static double timeout_s = 10;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read what the command wrote, waiting up to ms; returns 0, or -1 at end
 * of output. */
static int pump(int ms)
{
	struct pollfd p = {.fd = master, .events = POLLIN};
	int r = poll(&p, 1, ms);
	if (r <= 0) return 0;
	char buf[4096];
	ssize_t n = read(master, buf, sizeof buf);
	if (n <= 0) return -1; /* EIO: the other side is closed */
	if (out_len + (size_t)n + 1 > out_cap) {
		out_cap = (out_len + (size_t)n + 1) * 2;
		out = realloc(out, out_cap);
		if (!out) abort();
	}
	memcpy(out + out_len, buf, (size_t)n);
	out_len += (size_t)n;
	out[out_len] = '\0';
	if (log_fp) fwrite(buf, 1, (size_t)n, log_fp);
	return 0;
}

static const char *find(const char *needle)
{
	size_t nl = strlen(needle);
	if (nl == 0) return out + mark;
	for (size_t i = mark; i + nl <= out_len; i++)
		if (memcmp(out + i, needle, nl) == 0) return out + i;
	return NULL;
}

static int expect(const char *text, int lineno)
{
	double end = now() + timeout_s;
	for (;;) {
		const char *m = out ? find(text) : NULL;
		if (m) {
			mark = (size_t)(m - out) + strlen(text);
			return 0;
		}
		if (now() > end) {
			fprintf(stderr, "pty-drive: line %d: timed out waiting for [%s]\n", lineno, text);
			return 124;
		}
		if (pump(50) < 0) {
			m = out ? find(text) : NULL;
			if (m) {
				mark = (size_t)(m - out) + strlen(text);
				return 0;
			}
			fprintf(stderr, "pty-drive: line %d: output ended before [%s]\n", lineno, text);
			return 124;
		}
	}
}

static int unescape(const char *s, char *dst, size_t *n)
{
	size_t k = 0;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] != '\\') {
			dst[k++] = s[i];
			continue;
		}
		switch (s[++i]) {
		case 'r': dst[k++] = '\r'; break;
		case 'n': dst[k++] = '\n'; break;
		case 't': dst[k++] = '\t'; break;
		case 'e': dst[k++] = 0x1b; break;
		case '\\': dst[k++] = '\\'; break;
		case 's': dst[k++] = ' '; break;
		case 'x': {
			unsigned v;
			if (sscanf(s + i + 1, "%2x", &v) != 1) return -1;
			dst[k++] = (char)v;
			i += 2;
			break;
		}
		default: return -1;
		}
	}
	*n = k;
	return 0;
}

int main(int argc, char **argv)
{
	int rows = 24, cols = 80, opt;
	const char *logpath = NULL;
	while ((opt = getopt(argc, argv, "+r:c:t:l:")) != -1) {
		switch (opt) {
		case 'r': rows = atoi(optarg); break;
		case 'c': cols = atoi(optarg); break;
		case 't': timeout_s = atof(optarg); break;
		case 'l': logpath = optarg; break;
		default: goto usage;
		}
	}
	if (optind + 2 >= argc || strcmp(argv[optind + 1], "--") != 0) {
usage:
		fprintf(stderr, "usage: pty-drive [-r ROWS] [-c COLS] [-t SECONDS] [-l LOG] SCRIPT"
			" -- COMMAND [ARG]...\n");
		return 125;
	}
	const char *script_path = argv[optind];
	FILE *script = strcmp(script_path, "-") == 0 ? stdin : fopen(script_path, "r");
	if (!script) {
		fprintf(stderr, "pty-drive: %s: %s\n", script_path, strerror(errno));
		return 125;
	}
	if (logpath && !(log_fp = fopen(logpath, "w"))) {
		fprintf(stderr, "pty-drive: %s: %s\n", logpath, strerror(errno));
		return 125;
	}

	struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
	child = forkpty(&master, NULL, NULL, &ws);
	if (child < 0) {
		fprintf(stderr, "pty-drive: forkpty: %s\n", strerror(errno));
		return 125;
	}
	if (child == 0) {
		execvp(argv[optind + 2], argv + optind + 2);
		fprintf(stderr, "pty-drive: %s: %s\n", argv[optind + 2], strerror(errno));
		_exit(127);
	}

	char line[4096], bytes[4096];
	int lineno = 0, rc = 0;
	while (rc == 0 && fgets(line, sizeof line, script)) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		char *arg = strchr(line, ' ');
		if (arg) *arg++ = '\0';
		else arg = line + strlen(line);
		if (line[0] == '#' || line[0] == '\0') continue;
		if (strcmp(line, "expect") == 0) {
			rc = expect(arg, lineno);
		} else if (strcmp(line, "send") == 0) {
			size_t n;
			if (unescape(arg, bytes, &n) < 0) {
				fprintf(stderr, "pty-drive: line %d: bad escape\n", lineno);
				rc = 125;
				break;
			}
			if (write(master, bytes, n) != (ssize_t)n) {
				fprintf(stderr, "pty-drive: line %d: write: %s\n", lineno, strerror(errno));
				rc = 125;
			}
			pump(0);
		} else if (strcmp(line, "resize") == 0) {
			if (sscanf(arg, "%d %d", &rows, &cols) != 2) {
				fprintf(stderr, "pty-drive: line %d: resize ROWS COLS\n", lineno);
				rc = 125;
				break;
			}
			ws.ws_row = (unsigned short)rows;
			ws.ws_col = (unsigned short)cols;
			ioctl(master, TIOCSWINSZ, &ws); /* the kernel sends SIGWINCH */
		} else if (strcmp(line, "signal") == 0) {
			int sig = strcmp(arg, "INT") == 0 ? SIGINT : strcmp(arg, "TERM") == 0 ? SIGTERM
				  : strcmp(arg, "HUP") == 0 ? SIGHUP : 0;
			if (!sig) {
				fprintf(stderr, "pty-drive: line %d: signal INT, TERM or HUP\n", lineno);
				rc = 125;
				break;
			}
			kill(child, sig);
		} else if (strcmp(line, "sleep") == 0) {
			double end = now() + atoi(arg) / 1000.0;
			while (now() < end)
				if (pump(10) < 0) break;
		} else {
			fprintf(stderr, "pty-drive: line %d: unknown command '%s'\n", lineno, line);
			rc = 125;
		}
	}
	if (script != stdin) fclose(script);

	/* drain the output and wait for the command */
	double end = now() + timeout_s;
	int status = 0, done = 0;
	while (!done) {
		if (pump(50) < 0) {
			waitpid(child, &status, 0);
			done = 1;
			break;
		}
		pid_t w = waitpid(child, &status, WNOHANG);
		if (w == child) {
			while (pump(20) == 0 && out_len && now() < end) {
				struct pollfd p = {.fd = master, .events = POLLIN};
				if (poll(&p, 1, 20) <= 0) break;
			}
			done = 1;
		} else if (now() > end) {
			fprintf(stderr, "pty-drive: the command did not exit; killing it\n");
			kill(child, SIGKILL);
			waitpid(child, &status, 0);
			if (rc == 0) rc = 124;
			done = 1;
		}
	}
	if (log_fp) fclose(log_fp);
	free(out);
	if (rc) return rc;
	if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
