/*
 * proc.h - long-running ordo commands (serve, demo) started by a test, for
 * the tests of the command line and of the README.
 *
 * The harness runs one `ordo serve` per group and short commands with
 * cli_run(); these helpers start any other ordo command in the background
 * with its stdout and stderr in files, wait for what it prints, and stop
 * it. Static functions: each test file that includes this gets its own
 * copy, and need not use them all.
 */
#ifndef ORDO_TESTS_API_PROC_H
#define ORDO_TESTS_API_PROC_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

struct proc {
	pid_t pid;
	char out_path[HARNESS_PATH_MAX]; /* its stdout */
	char err_path[HARNESS_PATH_MAX]; /* its stderr */
};

/* A loopback port nobody listens on right now. */
static __attribute__((unused)) int proc_free_port(void)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	assert_true(fd >= 0);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
		port = ntohs(addr.sin_port);
	close(fd);
	assert_true(port > 0);
	return port;
}

/* Whole file, NUL-terminated ("" when it cannot be read); caller frees. */
static __attribute__((unused)) char *proc_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	buf = malloc(1);
	assert_non_null(buf);
	buf[0] = '\0';
	if (!f)
		return buf;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap + 1);
			assert_non_null(buf);
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* Start ORDO_BIN with args (NULL-terminated, without the program name) in
 * directory cwd (NULL: this one); its output goes to files named after
 * `tag` in srv->dir. */
static __attribute__((unused)) void proc_start(struct proc *p, const char *tag, const char *cwd,
		       const char *const *args)
{
	const char *argv[32];
	size_t n = 0;
	int out_fd, err_fd;

	memset(p, 0, sizeof(*p));
	snprintf(p->out_path, sizeof(p->out_path), "%s/%s.out", srv->dir, tag);
	snprintf(p->err_path, sizeof(p->err_path), "%s/%s.err", srv->dir, tag);
	argv[n++] = "ordo";
	for (size_t i = 0; args[i]; i++) {
		assert_true(n < sizeof(argv) / sizeof(argv[0]) - 1);
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	out_fd = open(p->out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	err_fd = open(p->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(out_fd >= 0 && err_fd >= 0);
	fflush(NULL);
	p->pid = fork();
	assert_true(p->pid >= 0);
	if (p->pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(out_fd, STDOUT_FILENO);
		dup2(err_fd, STDERR_FILENO);
		if (cwd && chdir(cwd) != 0)
			_exit(126);
		execv(ORDO_BIN, (char *const *)argv);
		_exit(127);
	}
	close(out_fd);
	close(err_fd);
}

/* Wait until the process's stdout holds `needle`: 0, or -1 when it exited
 * or timeout_ms passed first. */
static __attribute__((unused)) int proc_wait_output(struct proc *p, const char *needle,
			    long timeout_ms)
{
	long deadline = harness_now_ms() + timeout_ms;

	for (;;) {
		char *out = proc_slurp(p->out_path);
		int found = strstr(out, needle) != NULL, status;

		free(out);
		if (found)
			return 0;
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			p->pid = 0;
			return -1;
		}
		if (harness_now_ms() > deadline)
			return -1;
		harness_sleep_ms(50);
	}
}

/* SIGTERM, then wait (SIGKILL after 30 s); its exit status, 128 + signal
 * when killed, or -1 when it had already gone. */
static __attribute__((unused)) int proc_stop(struct proc *p)
{
	long deadline = harness_now_ms() + 30000;
	int status;

	if (p->pid <= 0)
		return -1;
	kill(p->pid, SIGTERM);
	while (waitpid(p->pid, &status, WNOHANG) != p->pid) {
		if (harness_now_ms() > deadline) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &status, 0);
			break;
		}
		harness_sleep_ms(20);
	}
	p->pid = 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* Print what the process wrote, after a failure. */
static __attribute__((unused)) void proc_dump(const struct proc *p)
{
	char *out = proc_slurp(p->out_path), *err = proc_slurp(p->err_path);

	print_error("stdout:\n%s\nstderr:\n%s\n", out, err);
	free(out);
	free(err);
}

/*
 * Every non-empty line of text is a JSON object with "level" and "msg":
 * NULL, or the first line that is not (a pointer into text).
 */
static __attribute__((unused)) const char *proc_non_json_line(const char *text)
{
	const char *line = text;

	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		json_t *j;

		if (len > 0) {
			j = json_loadb(line, len, 0, NULL);
			if (!json_is_object(j) ||
			    !json_is_string(json_object_get(j, "level")) ||
			    !json_is_string(json_object_get(j, "msg"))) {
				json_decref(j);
				return line;
			}
			json_decref(j);
		}
		if (!end)
			break;
		line = end + 1;
	}
	return NULL;
}

#endif
