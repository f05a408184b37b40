# fuzz.mk: fuzzing and the valgrind run (test/README.md). Included by the top Makefile, which defines
# STDFLAGS, LIB_SRCS, BIN and O.
#   make fuzz             build every libFuzzer target into build/fuzz/ (clang, ASan+UBSan) and
#                         run each for FUZZ_SECONDS (default 60); the working corpus grows in
#                         build/fuzz/corpus/<name>, crashes land in build/fuzz/crashes/, and a
#                         summary (executions per target, crashes) in build/fuzz/report.txt
#   make fuzz-build       only build them
#   make fuzz-afl         the whole binary under AFL++ through stdin (test/README.md, "Fuzzing")
#   make check-valgrind   the bats suite with every session under valgrind
# `make check` replays test/fuzz/corpus/ through test/unit/test_fuzz_replay.c (no clang needed).

FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_ARGS     ?=
FUZZ_DIR       = build/fuzz
FUZZ_SANFLAGS  = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                 -fno-omit-frame-pointer
FUZZ_CFLAGS    = $(STDFLAGS) -O1 -g $(FUZZ_SANFLAGS) -MMD -MP
FUZZ_TARGETS   = $(patsubst test/fuzz/fuzz_%.c,%,$(wildcard test/fuzz/fuzz_*.c))
FUZZ_OBJS      = $(LIB_SRCS:src/%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_BINS      = $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

.PHONY: fuzz fuzz-build fuzz-afl check-valgrind

fuzz-build: $(FUZZ_BINS)

$(FUZZ_DIR)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: test/fuzz/fuzz_%.c test/fuzz/libfuzzer.c $(FUZZ_OBJS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Isrc -DFUZZ_ENTRY=fuzz_$* -o $@ \
	  test/fuzz/libfuzzer.c $< $(FUZZ_OBJS) $(LIBS)

# One target after another, each for FUZZ_SECONDS; a crash stops nothing (the others still
# run) but fails the make at the end. libFuzzer's final stats give the execution counts.
fuzz: $(FUZZ_BINS)
	@mkdir -p $(FUZZ_DIR)/crashes $(FUZZ_DIR)/logs
	@: > $(FUZZ_DIR)/report.txt; failed=0; total=0; \
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t; \
	  dict=; [ -f test/fuzz/dict/$$t.dict ] && dict=-dict=test/fuzz/dict/$$t.dict; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
	  ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=1} \
	  $(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/crashes/$$t- $$dict $(FUZZ_ARGS) \
	    $(FUZZ_DIR)/corpus/$$t test/fuzz/corpus/$$t > $(FUZZ_DIR)/logs/$$t.log 2>&1; rc=$$?; \
	  execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_DIR)/logs/$$t.log | tail -1); \
	  total=$$((total + $${execs:-0})); \
	  if [ $$rc -ne 0 ]; then failed=$$((failed + 1)); verdict="CRASH (see $(FUZZ_DIR)/logs/$$t.log)"; \
	  else verdict=ok; fi; \
	  printf '%-18s %12s executions  %s\n' $$t "$${execs:-?}" "$$verdict" | tee -a $(FUZZ_DIR)/report.txt; \
	done; \
	printf '%-18s %12s executions\n' total $$total | tee -a $(FUZZ_DIR)/report.txt; \
	[ $$failed -eq 0 ]

# AFL++ against the real binary: stdin is the client, stdout the replies (test/README.md, "Fuzzing").
FUZZ_AFL_DIR = $(FUZZ_DIR)/afl
fuzz-afl:
	command -v afl-clang-fast > /dev/null || { echo "apt-get install afl++"; exit 1; }
	$(MAKE) O=$(FUZZ_AFL_DIR)/build LINK=dynamic CC=afl-clang-fast CFLAGS="-O1 -g" \
	  SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" $(FUZZ_AFL_DIR)/build/badsmtp-session
	mkdir -p $(FUZZ_AFL_DIR)/maildir $(FUZZ_AFL_DIR)/out
	AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
	BADSMTP_TIME_SCALE=0.001 BADSMTP_LOG_TARGET=file:/dev/null \
	BADSMTP_MAILDIR=$(abspath $(FUZZ_AFL_DIR))/maildir \
	BADSMTP_CERT_CACHE=$(abspath $(FUZZ_AFL_DIR))/certs \
	  timeout --preserve-status $(FUZZ_SECONDS) afl-fuzz -i test/fuzz/corpus/session \
	  -o $(FUZZ_AFL_DIR)/out -x test/fuzz/dict/session.dict -t 2000 -m none \
	  -- $(FUZZ_AFL_DIR)/build/badsmtp-session

# The bats suite with BADSMTP_BIN = a wrapper that runs the binary under valgrind (and one beside
# it for the twin, which tests look for there); any error
# or definite leak makes the session exit 99, which the tests see, and leaves a report in
# build/valgrind/logs/. The binary is built for it (gcc, DWARF 4: valgrind 3.19 cannot read
# clang 14's DWARF 5). Timing tests skip themselves when BADSMTP_UNDER_VALGRIND=1.
VALGRIND_DIR = build/valgrind
VALGRIND_JOBS ?= $(shell nproc 2> /dev/null || echo 2)
# Each bats file is one job; VALGRIND_JOBS of them run at once (valgrind is CPU-bound).
# The default set is every pipe suite but those about delays and TLS: valgrind's start-up and
# a GnuTLS handshake under memcheck take seconds, which timing bounds cannot absorb, and those
# paths gain nothing over the ASan+UBSan run of `make check-sanitize`. 04-triggers is left out
# too: it runs the same paths once per reply code (a minute of CI for no new code); and so are
# 01-running (command line, start-up errors) and 03-ehlo (keyword parsing), which the ASan+UBSan
# run covers: CI runs all three checks within 15 minutes.
# VALGRIND_SUITES=all runs everything.
VALGRIND_SUITES ?= $(filter-out %/01-running.bats %/03-ehlo.bats %/08-profiles.bats %/10-timing.bats \
                     %/tls.bats %/04-triggers.bats,\
                     $(wildcard test/bats/*.bats))
override VALGRIND_SUITES := $(if $(filter all,$(VALGRIND_SUITES)),$(wildcard test/bats/*.bats),$(VALGRIND_SUITES))
check-valgrind:
	command -v valgrind > /dev/null || { echo "apt-get install valgrind"; exit 1; }
	$(MAKE) O=$(VALGRIND_DIR)/obj LINK=dynamic CC=gcc CFLAGS="-O1 -g -gdwarf-4" SANFLAGS= all
	rm -rf $(VALGRIND_DIR)/logs && mkdir -p $(VALGRIND_DIR)/logs && chmod 1777 $(VALGRIND_DIR)/logs
	for p in badsmtp-session badsmtp-session-tls; do \
	  printf '%s\n' '#!/bin/sh' \
	    'exec valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite -q \
	    --log-file="$(abspath $(VALGRIND_DIR)/logs)/%p.log" "$(abspath $(VALGRIND_DIR)/obj)/'"$$p"'" "$$@"' \
	    > $(VALGRIND_DIR)/$$p && chmod +x $(VALGRIND_DIR)/$$p || exit 1; \
	done
	rm -rf $(VALGRIND_DIR)/tap && mkdir -p $(VALGRIND_DIR)/tap
	@echo "check-valgrind: $(words $(VALGRIND_SUITES)) bats files, $(VALGRIND_JOBS) at a time"
	@export BADSMTP_BIN=$(abspath $(VALGRIND_DIR)/badsmtp-session) BADSMTP_UNDER_VALGRIND=1; \
	printf '%s\n' $(VALGRIND_SUITES) | xargs -P $(VALGRIND_JOBS) -I{} sh -c \
	  'bats --tap "$$1" > "$(VALGRIND_DIR)/tap/$${1##*/}.tap" 2>&1; echo $$? > "$(VALGRIND_DIR)/tap/$${1##*/}.rc"' sh {}; \
	rc=0; for f in $(VALGRIND_DIR)/tap/*.tap; do \
	  echo "# $$f (bats exit $$(cat $${f%.tap}.rc))"; cat "$$f"; \
	  [ "$$(cat $${f%.tap}.rc)" = 0 ] || rc=1; \
	done; \
	for f in $(VALGRIND_DIR)/logs/*.log; do \
	  [ -s "$$f" ] || continue; echo "valgrind reported ($$f):"; head -60 "$$f"; rc=1; \
	done; \
	ok=$$(cat $(VALGRIND_DIR)/tap/*.tap | grep -c '^ok'); \
	notok=$$(cat $(VALGRIND_DIR)/tap/*.tap | grep -c '^not ok'); \
	skipped=$$(cat $(VALGRIND_DIR)/tap/*.tap | grep -ci '^ok.*# skip'); \
	[ $$rc -ne 0 ] && [ $$notok -eq 0 ] && notok=1; \
	echo "check-valgrind:"; \
	[ $$skipped -gt 0 ] && echo "# $$skipped of these were skipped (their reasons are on their ok lines)"; \
	echo "$$ok passed, $$notok failed"; \
	exit $$rc

-include $(wildcard $(FUZZ_DIR)/obj/*.d $(FUZZ_DIR)/*.d)
