# fuzz.mk: fuzzing and the valgrind runs (test/README.md). Included by the top Makefile, which
# defines STDFLAGS, LIB_SRCS, BIN, O and PIPE_SUITES.
#   make fuzz             build every libFuzzer target into build/fuzz/ (clang, ASan+UBSan) and
#                         run each for FUZZ_SECONDS (default 60); the working corpus grows in
#                         build/fuzz/corpus/<name>, crashes land in build/fuzz/crashes/, and a
#                         summary (executions per target, crashes) in build/fuzz/report.txt
#   make fuzz-build       only build them
#   make fuzz-afl         the whole binary under AFL++ through stdin (test/README.md, "Fuzzing")
#   make check-valgrind   the pipe suites with every session under valgrind (see below)
# `make check` replays test/fuzz/corpus/ through test/unit/test_fuzz_replay.c (under ASan+UBSan).

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
# Dictionaries: test/fuzz/dict/NAME.dict for target NAME; the targets fed SMTP lines share the
# session's.
FUZZ_SESSION_DICT = command ehlo bdat
fuzz_dict = $(or $(wildcard test/fuzz/dict/$(1).dict),$(if $(filter $(1),$(FUZZ_SESSION_DICT)),test/fuzz/dict/session.dict))

.PHONY: fuzz fuzz-build fuzz-afl check-valgrind valgrind-build

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
	for td in $(foreach t,$(FUZZ_TARGETS),$(t):$(call fuzz_dict,$(t))); do \
	  t=$${td%%:*} dict=$${td#*:}; dict=$${dict:+-dict=$$dict}; \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t; \
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

# Valgrind: BADSMTP_BIN is a wrapper that runs the binary under memcheck (and one beside it for
# the twin, which tests look for there); any error or definite leak makes the session exit 99 and
# leaves a report in build/valgrind/logs/, which test/run-tests counts as a failure. The binary
# is built for it: gcc, DWARF 4 (valgrind 3.19 cannot read clang 14's DWARF 5).
#   make check runs the tests tagged smoke (a stored message, AUTH, BDAT, a pipelined group,
#   STARTTLS);
#   make check-valgrind every pipe test but those tagged timing (valgrind's start-up alone takes
#   longer than their bounds allow), release (LINK=dynamic has no twin) and heavy (minutes each,
#   and valgrind's own memory in the RSS figures). VALGRIND_JOBS tests run at once.
VALGRIND_DIR   = build/valgrind
VALGRIND_BIN   = $(abspath $(VALGRIND_DIR))/badsmtp-session
VALGRIND_LOGS  = $(abspath $(VALGRIND_DIR))/logs
VALGRIND_JOBS ?= $(shell nproc 2> /dev/null || echo 2)
RUN_VALGRIND_SMOKE = bats valgrind $(VALGRIND_BIN) smoke --reports $(VALGRIND_LOGS) $(PIPE_SUITES)

valgrind-build:
	$(MAKE) O=$(VALGRIND_DIR)/obj LINK=dynamic CC=gcc CFLAGS="-O1 -g -gdwarf-4" SANFLAGS= all
	for p in badsmtp-session badsmtp-session-tls; do \
	  printf '%s\n' '#!/bin/sh' \
	    'exec valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite -q \
	    --log-file="$(VALGRIND_LOGS)/%p.log" "$(abspath $(VALGRIND_DIR)/obj)/'"$$p"'" "$$@"' \
	    > $(VALGRIND_DIR)/$$p.tmp && chmod +x $(VALGRIND_DIR)/$$p.tmp && \
	  mv -f $(VALGRIND_DIR)/$$p.tmp $(VALGRIND_DIR)/$$p || exit 1; \
	done

check-valgrind:
	@scripts/ensure-deps test valgrind
	$(MAKE) valgrind-build
	BATS_JOBS=$(VALGRIND_JOBS) test/run-tests \
	  bats valgrind $(VALGRIND_BIN) '!timing,!release,!heavy' --reports $(VALGRIND_LOGS) $(PIPE_SUITES)

-include $(wildcard $(FUZZ_DIR)/obj/*.d $(FUZZ_DIR)/*.d)
