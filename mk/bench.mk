# bench.mk: the side-by-side benchmark (bench/run, bench/README.md). Included by the top Makefile,
# which defines O and BIN. `make bench` is not part of `make check` (timings are noisy); its smoke
# run is (test/integration/bench-smoke.bats).
#   make bench         installs what it needs, builds, measures, prints the table and PASS/FAIL
#   make bench-smoke   the same scripts with tiny counts (TAP), a few seconds
# BENCH_ARGS is passed to bench/run; BENCH_REPS, BENCH_SCALE, BENCH_STRICT=1 are read from the
# environment (see bench/run).

BENCH_BUILD ?= build/bench

.PHONY: bench bench-smoke
# badsmtp-session with the client-violation recorder off (bench/unwatched.c), from the same
# objects: bench/run builds it with this rule and compares it with badsmtp-session.
$(BENCH_BUILD)/badsmtp-session-unwatched: bench/unwatched.c $(O)/main.o \
		$(filter-out $(O)/library.o,$(LIB_OBJS)) $(O)/library-static.o
	@mkdir -p $(@D)
	$(CC) $(STDFLAGS) $(CFLAGS) -Isrc -static $(LDFLAGS) -o $@ $^ $(LIBS)

bench: $(BIN)
	@scripts/ensure-deps bench
	BENCH_BUILD=$(abspath $(BENCH_BUILD)) bench/run --bin $(abspath $(BIN)) $(BENCH_ARGS)

bench-smoke: $(BIN)
	@scripts/ensure-deps bench
	BENCH_BUILD=$(abspath $(BENCH_BUILD)) bench/run --smoke --bin $(abspath $(BIN)) $(BENCH_ARGS)
