/*
 * replay.c — main() for a fuzz target built without libFuzzer (make
 * check): each file named on the command line is read whole and handed to
 * LLVMFuzzerTestOneInput once, in order. A crash, a sanitizer report or an
 * abort in the target ends the run with its status; a file that cannot be
 * read fails it. Names each file on stderr before it runs, and prints how
 * many ran.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	int ran = 0;
	for (int i = 1; i < argc; i++) {
		struct err e;
		char *data;
		size_t len;
		err_init(&e);
		if (file_read_all(argv[i], 16 * 1024 * 1024, &data, &len, &e) != OK) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], e.msg);
			return 1;
		}
		fprintf(stderr, "replay: %s\n", argv[i]); /* the last one named is the one that failed */
		/* exactly the file's bytes, as libFuzzer hands them over (no NUL after them) */
		uint8_t *copy = xmalloc(len ? len : 1);
		memcpy(copy, data, len);
		free(data);
		LLVMFuzzerTestOneInput(copy, len);
		free(copy);
		ran++;
	}
	printf("replay: %d inputs, no failure\n", ran);
	return 0;
}
