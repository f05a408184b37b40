#!/usr/bin/env bats
# The benchmark scripts (bench/run, see bench/README.md) in their smoke mode: tiny counts, one
# run of every measurement, TAP lines, the table and the PASS/FAIL lines. Timings are not judged
# here (make bench does that); this only proves the bench still runs.

# bats file_tags=tcp

load helpers

@test "bench: make bench-smoke's script runs every measurement and prints the table" {
	[ -x "$BADSMTP_BIN" ] || skip "no binary at $BADSMTP_BIN (run make)"
	if ! command -v smtp-source > /dev/null && [ ! -x /usr/sbin/smtp-source ]; then
		skip "smtp-source is missing (scripts/ensure-deps test installs postfix)"
	fi
	run timeout 120 env BENCH_BUILD="$REPO/build/bench" "$REPO/bench/run" --smoke --bin "$BADSMTP_BIN"
	echo "$output"
	[ "$status" -eq 0 ]
	local plan
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' <<< "$output")
	[ -n "$plan" ] && [ "$(grep -c '^ok [0-9]* - ' <<< "$output")" -eq "$plan" ] ||
		fail "TAP plan '$plan': not one ok line per planned test"
	[[ "$output" != *"not ok"* ]]
	[[ "$output" == *"figure "*"badsmtp/sa"*"floor/sa"*"smtp-sink"* ]]
	[[ "$output" == *"sessions/s, 1 parallel"* ]]
	[[ "$output" =~ (PASS|FAIL)\ sessions/s\ 1\ parallel\ vs\ floor ]]
}
