# badsmtp: one plain Makefile. `make` builds src/badsmtp-session; `make check` runs every test.
# O= puts objects and test programs elsewhere (the sanitizer build uses build/sanitize).

MAKEFLAGS += -r
CC      ?= cc
O       ?= src
CFLAGS  ?= -O2 -g
STDFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -fno-strict-aliasing
ALL_CFLAGS = $(STDFLAGS) $(CFLAGS) $(SANFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

LIB_SRCS  = $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJS  = $(LIB_SRCS:src/%.c=$(O)/%.o)
BIN       = $(O)/badsmtp-session
UNIT_SRCS = $(wildcard test/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:test/unit/%.c=$(O)/unit/%)

.PHONY: all check check-sanitize unit clean deps
all: $(BIN)

$(BIN): $(O)/main.o $(LIB_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^

$(O)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/unit/%: test/unit/%.c $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Isrc -Itest/unit $(ALL_LDFLAGS) -o $@ $< $(LIB_OBJS)

unit: $(UNIT_BINS)

# Every test layer prints TAP; test/run-tests counts it and ends with "N passed, N failed".
check: deps
	$(MAKE) $(BIN) $(UNIT_BINS)
	BADSMTP_BIN=$(abspath $(BIN)) test/run-tests $(O)/unit

deps:
	@scripts/ensure-deps $(if $(SANFLAGS),sanitize,test)

check-sanitize:
	@scripts/ensure-deps sanitize
	$(MAKE) O=build/sanitize CC=clang CFLAGS="-O1 -g" \
	  SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" check

clean:
	rm -rf build src/*.o src/*.d src/unit src/badsmtp-session

-include $(wildcard $(O)/*.d $(O)/unit/*.d)
-include $(wildcard mk/*.mk)
