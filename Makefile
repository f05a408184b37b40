# badsmtp: one plain Makefile. `make` builds src/badsmtp-session (and its twin,
# src/badsmtp-session-tls); `make check` runs every test (see "tests" below).
# O= puts objects and test programs elsewhere (the sanitizer build uses build/sanitize).
# LINK=static (default): badsmtp-session is linked statically, since process start-up is what a
# session per connection costs, and hands sessions that need GnuTLS or libsystemd to the
# dynamically linked badsmtp-session-tls beside it (src/handoff.h). LINK=dynamic: one dynamically
# linked program that loads them itself (sanitizers and valgrind need that), under both names,
# since the smtps and starttls-required units start badsmtp-session-tls directly.

MAKEFLAGS += -r
CC      ?= cc
O       ?= src
CFLAGS  ?= -O2 -g
STDFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -fno-strict-aliasing
ALL_CFLAGS = $(STDFLAGS) $(CFLAGS) $(SANFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
LINK    ?= static
# b64_pton/b64_ntop (auth.c): from libresolv.a, so that no session loads libresolv.so.
LIBS     = -l:libresolv.a

LIB_SRCS  = $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJS  = $(LIB_SRCS:src/%.c=$(O)/%.o)
BIN       = $(O)/badsmtp-session
TWIN      = $(O)/badsmtp-session-tls
UNIT_SRCS = $(wildcard test/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:test/unit/%.c=$(O)/unit/%)

.PHONY: all check check-sanitize unit clean
all: $(BIN) $(TWIN)

ifeq ($(LINK),static)
$(BIN): $(O)/main.o $(filter-out $(O)/library.o,$(LIB_OBJS)) $(O)/library-static.o
	$(CC) -static $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(TWIN): $(O)/main.o $(LIB_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)
else
$(BIN): $(O)/main.o $(LIB_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(TWIN): $(BIN)
	ln -f $< $@
endif

$(O)/library-static.o: src/library.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DLIBRARY_STATIC -c -o $@ $<

$(O)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/unit/%: test/unit/%.c $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Isrc -Itest/unit $(ALL_LDFLAGS) -o $@ $< $(LIB_OBJS) $(LIBS)

unit: $(UNIT_BINS)

# ---- tests ----------------------------------------------------------------------------------
# `make check` is the one test command (README, CI). It builds three programs and runs each test
# once, on the build it is about; test/run-tests counts the TAP of every run and ends with
# "N passed, N failed" (", N skipped" when tests were skipped; with CI=true a skip fails).
#   ASan+UBSan (build/sanitize, clang, LINK=dynamic): the unit tests, and every pipe suite
#     (test/bats/) but the tests tagged release or heavy.
#   release (src/, the static badsmtp-session and its twin): the pipe tests tagged release (they
#     need the static binary and the handoff) or heavy (100 MB bodies, RSS: slow and meaningless
#     under a sanitizer), and the TCP suites (test/integration/), all on the program as deployed:
#     launchers.bats and units.bats are about systemd-socket-activate, xinetd and the installed
#     units starting it; bench-smoke.bats about the bench scripts that measure it; tls-tcp.bats
#     is the one place where STARTTLS and smtps sessions go through the handoff to the twin on a
#     real socket, with the clients people use (TLS itself runs under ASan+UBSan in tls.bats);
#     faults.bats is 300 concurrent sessions (heavy); and the client cookbook's fast subset
#     (smtplib, curl, swaks, msmtp against every scenario of clients/scenarios.py, mk/clients.mk).
#   valgrind (build/valgrind, gcc, LINK=dynamic): the few sessions tagged smoke (a stored
#     message, AUTH, BDAT, a pipelined group, STARTTLS), for the uninitialised reads ASan does
#     not see.
# Tags are documented in test/bats/helpers.bash. `make check-sanitize` is the ASan+UBSan run
# alone; `make check-valgrind` (mk/fuzz.mk) every pipe test valgrind can run.
SAN_DIR      = build/sanitize
SAN_BIN      = $(abspath $(SAN_DIR))/badsmtp-session
SAN_MAKE     = $(MAKE) O=$(SAN_DIR) LINK=dynamic CC=clang CFLAGS="-O1 -g" \
               SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# Reports go to files that test/run-tests checks: a sanitizer's exit status alone could pass for
# the one a test expects.
SAN_REPORTS  = $(abspath $(SAN_DIR))/reports
SAN_ENV      = ASAN_OPTIONS=log_path=$(SAN_REPORTS)/san UBSAN_OPTIONS=log_path=$(SAN_REPORTS)/san:print_stacktrace=1
PIPE_SUITES  = $(wildcard test/bats/*.bats)
TCP_SUITES   = $(wildcard test/integration/*.bats)
RUN_SANITIZE = units --reports $(SAN_REPORTS) $(SAN_DIR)/unit -- \
               bats ASan+UBSan $(SAN_BIN) '!release,!heavy' --reports $(SAN_REPORTS) $(PIPE_SUITES)
RUN_RELEASE  = bats release $(abspath $(BIN)) 'release heavy' $(PIPE_SUITES) -- \
               bats release-TCP $(abspath $(BIN)) - $(TCP_SUITES) -- \
               tap clients clients/run --fast --tap --bin $(abspath $(BIN)) \
                 --build $(abspath build/clients)

check:
	@scripts/ensure-deps check
	$(MAKE) $(BIN) $(TWIN)
	$(SAN_MAKE) all unit
	$(MAKE) valgrind-build
	$(SAN_ENV) test/run-tests $(RUN_SANITIZE) -- $(RUN_RELEASE) -- $(RUN_VALGRIND_SMOKE)

check-sanitize:
	@scripts/ensure-deps test sanitize
	$(SAN_MAKE) all unit
	$(SAN_ENV) test/run-tests $(RUN_SANITIZE)

clean:
	rm -rf build src/*.o src/*.d src/unit src/badsmtp-session src/badsmtp-session-tls

-include $(wildcard $(O)/*.d $(O)/unit/*.d)
-include $(wildcard mk/*.mk)
