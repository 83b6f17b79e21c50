/*
 * cli.c — option parsing, errors and progress shared by the commands.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool cli_parse(int argc, char **argv, const struct cli_opt *opts, const char **pos, int min_pos, int max_pos,
	       const char *usage)
{
	int np = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("usage: %s\n", usage);
			for (const struct cli_opt *o = opts; o->name; o++)
				printf("  %-14s %s\n", o->name, o->help);
			exit(0);
		}
		if (str_has_prefix(a, "--")) {
			const struct cli_opt *o = opts;
			for (; o->name && strcmp(o->name, a) != 0; o++)
				;
			if (!o->name) {
				fprintf(stderr, "jiesu: unknown option %s\nusage: %s\n", a, usage);
				return false;
			}
			if (o->flag) {
				*o->flag = true;
			} else {
				if (i + 1 >= argc) {
					fprintf(stderr, "jiesu: option %s needs a value\nusage: %s\n", a, usage);
					return false;
				}
				*o->str = argv[++i];
			}
			continue;
		}
		if (np >= max_pos) {
			fprintf(stderr, "jiesu: unexpected argument '%s'\nusage: %s\n", a, usage);
			return false;
		}
		pos[np++] = a;
	}
	if (np < min_pos) {
		fprintf(stderr, "jiesu: missing argument\nusage: %s\n", usage);
		return false;
	}
	for (int i = np; i < max_pos; i++)
		pos[i] = NULL;
	return true;
}

int cli_fail(const struct err *e)
{
	if (*e->field)
		fprintf(stderr, "jiesu: %s (%s: %s)\n", *e->msg ? e->msg : err_default_message(e->code), err_code_name(e->code),
			e->field);
	else
		fprintf(stderr, "jiesu: %s (%s)\n", *e->msg ? e->msg : err_default_message(e->code),
			err_code_name(e->code));
	return 1;
}

bool cli_open_store(const char *db, struct store **st)
{
	struct err e;
	err_init(&e);
	if (!db || !*db) {
		fprintf(stderr, "jiesu: --db PATH is required\n");
		return false;
	}
	if (store_open(db, st, &e) != OK) {
		cli_fail(&e);
		return false;
	}
	return true;
}

void cli_progress(void *ctx, const char *what, size_t done, size_t total)
{
	static bool tty = false, checked = false;
	if (!checked) {
		tty = isatty(2);
		checked = true;
	}
	if (total == 0 || !tty) {
		if (done == total)
			fprintf(stderr, "  %s: %zu\n", what, done);
		return;
	}
	int width = 30, fill = (int)((double)done / (double)total * width);
	fprintf(stderr, "\r  %-12s [", what);
	for (int i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', stderr);
	fprintf(stderr, "] %zu/%zu", done, total);
	if (done >= total)
		fputc('\n', stderr);
	fflush(stderr);
}
