# jiesu — plain make. Targets: all (default), check, unit, integration, fuzz, valgrind, clean.
# Options: SANITIZER=address,undefined   DEBUG=1   CC=clang   FUZZ_SECONDS=60
CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS := libmicrohttpd jansson sqlite3 libsodium xlsxwriter geos
TEST_PKGS := cmocka libcurl

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wwrite-strings \
        -Wno-unused-parameter -Werror
OPT := $(if $(DEBUG),-O0,-O2)
CFLAGS ?= $(OPT) -g
ALL_CFLAGS := -std=c17 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Isrc -Ibuild \
              $(shell $(PKG_CONFIG) --cflags $(PKGS))
# gperftools' tcmalloc in place of the C library's malloc: SQLite (built by
# Debian without its lookaside allocator) allocates for each statement step,
# and the server's threads allocate at once (docs/PERFORMANCE.md, "Memory
# allocator"). Not under the sanitizers or valgrind, which bring their own.
MALLOC_LIBS ?= $(if $(SANITIZER),,$(shell $(PKG_CONFIG) --libs libtcmalloc_minimal))
LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS)) $(MALLOC_LIBS) -lpthread -lm
TEST_LIBS := $(shell $(PKG_CONFIG) --libs $(TEST_PKGS) 2>/dev/null)
ifneq ($(SANITIZER),)
  ALL_CFLAGS += -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=all
  LDFLAGS += -fsanitize=$(SANITIZER)
endif

B := build$(if $(SANITIZER),-san)
SRC := $(wildcard src/core/*.c src/store/*.c src/domain/*.c src/api/*.c src/http/*.c src/cli/*.c)
LIB_SRC := $(filter-out src/cli/main.c,$(SRC))
LIB_OBJ := $(patsubst %.c,$(B)/%.o,$(LIB_SRC)) $(B)/embedded.o
EMBED_FILES := $(sort $(wildcard data/beijing/*.csv data/beijing/*.geojson data/*.csv data/calendar/*.csv src/store/sql/sqlite/*.sql))

UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(wildcard tests/unit/test_*.c))
INTEG_TESTS := $(patsubst tests/integration/%.c,$(B)/tests/integration/%,$(wildcard tests/integration/test_*.c))

all: $(B)/jiesu

$(B)/jiesu: $(B)/src/cli/main.o $(LIB_OBJ)
	@echo "  LINK    $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(B)/%.o: %.c $(wildcard src/*/*.h) | $(B)/embedded.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -o $@ $<

# The web pages (web/): built by npm + esbuild into web/dist, embedded whole.
WEB_STAMP := $(if $(wildcard web/package.json),web/dist/index.html)
WEB_SRC := $(shell find web/src -type f 2>/dev/null) $(wildcard web/package.json web/package-lock.json web/build.mjs)

web: $(WEB_STAMP)

web/dist/index.html: $(WEB_SRC)
	@echo "  WEB     web/dist"
	@scripts/web-build.sh

$(B)/embedded.c: $(B)/tools/embed $(EMBED_FILES) $(WEB_STAMP) Makefile
	$(B)/tools/embed $@ $(foreach f,$(EMBED_FILES),$(f)=$(f)) web/dist/=web/dist

$(B)/embedded.o: $(B)/embedded.c
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(B)/tests/unit/%: tests/unit/%.c tests/unit/fixture.c tests/unit/fixture.h tests/unit/assert_code.h $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< tests/unit/fixture.c $(LIB_OBJ) $(LIBS) $(TEST_LIBS)

# zlib: the harness unzips Excel replies for its privacy scan; test_privacy writes one with libxlsxwriter.
$(B)/tests/integration/test_%: tests/integration/test_%.c tests/integration/harness.c tests/integration/harness.h
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Itests/integration -o $@ $< tests/integration/harness.c \
	      $(shell $(PKG_CONFIG) --cflags --libs jansson zlib xlsxwriter sqlite3) $(TEST_LIBS)

# The benchmarks that run jiesu's own code link the library objects: geo.c times the resolver,
# gen.c writes a year of cases through the domain and store, reads.c times the unit inbox and
# the rankings, case_read.c the store's read of one case, gazetteer_eval.c the address gazetteer.
LIB_BENCH := $(addprefix $(B)/bench/,geo gen reads case_read gazetteer_eval)
$(LIB_BENCH): $(B)/bench/%: bench/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  BENCH   $@"
	@$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(LDFLAGS) -o $@ $< $(LIB_OBJ) $(LIBS)

$(B)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	@echo "  BENCH   $@"
	@$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(LDFLAGS) -o $@ $< $(LIBS)

# make bench: every benchmark at a smoke size (CI may run it), figures into
# $(B)/PERFORMANCE-smoke.md; make bench FULL=1: full sizes (a generated year of
# GEN_CASES cases, reads and HTTP on it) into docs/PERFORMANCE.md.
GEN_CASES ?= 1000000
ifeq ($(FULL),1)
bench: all $(B)/bench/gazetteer_eval $(B)/bench/gen $(B)/bench/reads
	bench/gen.sh 100000 $(GEN_CASES)
	bench/reads.sh build/gen/year-$(GEN_CASES).db
	BENCH_DB=build/gen/year-$(GEN_CASES).db BENCH_WARM=1 bench/run.sh 10
	bench/geo.sh 1000000
	$(B)/bench/gazetteer_eval --data ../shared/data --write $(B)/gazetteer.md
	bench/section.sh gazetteer $(B)/gazetteer.md
else
bench: all $(B)/bench/gen $(B)/bench/reads
	rm -f $(B)/PERFORMANCE-smoke.md
	GEN_DIR=$(B)/gen-smoke PERFORMANCE_DOC=$(B)/PERFORMANCE-smoke.md bench/gen.sh 3000
	PERFORMANCE_DOC=$(B)/PERFORMANCE-smoke.md bench/reads.sh $(B)/gen-smoke/year-3000.db 1
	BENCH_DB=$(B)/gen-smoke/year-3000.db PERFORMANCE_DOC=$(B)/PERFORMANCE-smoke.md bench/run.sh 2
	PERFORMANCE_DOC=$(B)/PERFORMANCE-smoke.md bench/geo.sh 100000
	@echo "bench: smoke figures in $(B)/PERFORMANCE-smoke.md (make bench FULL=1 writes docs/PERFORMANCE.md)"
endif
# make soak: SOAK_MINUTES (30) of mixed load on one server, no 5xx, bounded
# memory, jiesu verify at the end (bench/soak.sh; not in CI).
SOAK_MINUTES ?= 30
soak:
	bench/soak.sh $(SOAK_MINUTES)
.PHONY: soak

bench-smoke:
	$(MAKE) bench

# fuzz/: a target per parser of outside input (fuzz/fuzz_*.c, see fuzz/harness.h).
# Built with fuzz/replay.c as main() for make check, which replays every
# file of fuzz/corpus/ through each; with LIBFUZZER=1 (make fuzz), libFuzzer's.
FUZZ_TARGETS := $(patsubst fuzz/%.c,$(B)/fuzz/%,$(wildcard fuzz/fuzz_*.c))
FUZZ_MAIN := $(if $(LIBFUZZER),-fsanitize=fuzzer,fuzz/replay.c)

$(B)/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/harness.c fuzz/harness.h fuzz/replay.c $(wildcard src/*/*.h) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< fuzz/harness.c $(FUZZ_MAIN) $(LIB_OBJ) $(LIBS)

fuzz-targets: $(FUZZ_TARGETS)

# make fuzz: every target built by clang with libFuzzer, ASan and UBSan into
# build-fuzz/, then run FUZZ_SECONDS each on its corpus (fuzz/run.sh).
FUZZ_SECONDS ?= 60
fuzz:
	@nice $(MAKE) --no-print-directory B=build-fuzz CC=clang SANITIZER=fuzzer-no-link,address,undefined \
	      LIBFUZZER=1 fuzz-targets
	@nice fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

integration: $(B)/jiesu $(INTEG_TESTS) $(B)/bench/gen
	@set -e; for t in $(INTEG_TESTS); do echo "== $$t"; JIESU_BIN=$(B)/jiesu $$t; done

check: all $(UNIT_TESTS) $(INTEG_TESTS) $(B)/bench/gen $(FUZZ_TARGETS)
	@scripts/check.sh $(B)

test-binaries: all $(UNIT_TESTS) $(INTEG_TESTS) $(B)/bench/gen

# make valgrind: the unit tests and the integration suite (every jiesu
# process the harness starts) under valgrind's memcheck, built into
# build-vg/ with the normal flags; fails on any memory error or definite
# leak (scripts/valgrind.sh; not in CI: about 40 minutes on two cores).
valgrind:
	@nice $(MAKE) --no-print-directory B=build-vg MALLOC_LIBS= test-binaries
	@nice scripts/valgrind.sh build-vg

clean:
	rm -rf build build-san

format:
	clang-format -i $(SRC) $(wildcard src/*/*.h tests/*/*.c tests/*/*.h fuzz/*.c fuzz/*.h)

.PHONY: all unit integration check clean format bench bench-smoke web fuzz fuzz-targets test-binaries valgrind
.SECONDARY:
