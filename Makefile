# badsmtp: one plain Makefile. `make` builds src/badsmtp-session (and its twin,
# src/badsmtp-session-tls); `make check` runs every test.
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

.PHONY: all check check-sanitize unit clean deps
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

# Every test layer prints TAP; test/run-tests counts it and ends with "N passed, N failed".
check: deps
	$(MAKE) $(BIN) $(TWIN) $(UNIT_BINS)
	BADSMTP_BIN=$(abspath $(BIN)) test/run-tests $(O)/unit

deps:
	@scripts/ensure-deps $(if $(SANFLAGS),sanitize,test)

# The same tests on an ASan+UBSan build, less the TCP suites that test launchers, units and the
# bench scripts rather than the session's memory (tls-tcp.bats stays: TLS over real sockets),
# and two pipe suites that add sessions but no code path: 04-triggers (the same paths once per
# reply code) and 10-timing (waits). CI runs all three checks within 15 minutes.
check-sanitize:
	@scripts/ensure-deps sanitize
	BADSMTP_TEST_SKIP="integration/units.bats integration/bench-smoke.bats \
	  integration/launchers.bats integration/faults.bats bats/04-triggers.bats bats/10-timing.bats" \
	$(MAKE) O=build/sanitize LINK=dynamic CC=clang CFLAGS="-O1 -g" \
	  SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" check

clean:
	rm -rf build src/*.o src/*.d src/unit src/badsmtp-session src/badsmtp-session-tls

-include $(wildcard $(O)/*.d $(O)/unit/*.d)
-include $(wildcard mk/*.mk)
