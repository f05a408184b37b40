#!/usr/bin/env bats
# The deployment files (SPEC §8, §13): systemd units verified and scored by systemd-analyze,
# every default port covered by the units, the xinetd files and inetd.conf, and make
# install/uninstall into a DESTDIR. No launcher is started here (launchers.bats does that).

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BADSMTP_BIN=${BADSMTP_BIN:-$REPO/src/badsmtp-session}

# The default port table is the binary's (--list-profiles): one home for it.
DEFAULT_PORTS=$("$BADSMTP_BIN" --list-profiles | awk 'NR > 1 { print $1 }' | paste -sd ' ')
NPORTS=$(wc -w <<< "$DEFAULT_PORTS")

need_analyze() {
	command -v systemd-analyze > /dev/null ||
		skip "systemd-analyze is missing (apt-get install systemd)"
}

need_bin() {
	[ -x "$BADSMTP_BIN" ] || skip "no binary at $BADSMTP_BIN (run make)"
}

# Units as they will be installed, @BINDIR@ = the binary under test, the man page reachable.
stage_units() {
	STAGE=$BATS_TEST_TMPDIR/units
	mkdir -p "$STAGE" "$BATS_TEST_TMPDIR/man/man8"
	cp "$REPO/man/badsmtp-session.8" "$BATS_TEST_TMPDIR/man/man8/"
	cp -r "$REPO/systemd/." "$STAGE/"
	local bindir
	bindir=$(cd "$(dirname "$BADSMTP_BIN")" && pwd)
	find "$STAGE" -type f -exec sed -i "s|@BINDIR@|$bindir|g" {} +
}

# All values of KEY= in a unit and its prefix drop-ins (badsmtp-.socket.d/ or badsmtp-.service.d/).
unit_values() {
	local file=$1 key=$2 kind=${1##*.}
	cat "$file" "$REPO/systemd/badsmtp-.$kind.d/"*.conf 2> /dev/null |
		sed -n "s/^$key=//p"
}

@test "units: systemd-analyze verify passes on every unit" {
	need_analyze
	need_bin
	stage_units
	local instances=()
	for s in "$STAGE"/*@.service; do instances+=("${s%@.service}@0.service"); done
	run env MANPATH="$BATS_TEST_TMPDIR/man" systemd-analyze verify \
		"$STAGE"/*.socket "$STAGE"/*.target "${instances[@]}"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "units: verify catches a broken unit (the check is not vacuous)" {
	need_analyze
	need_bin
	stage_units
	sed -i 's/^ExecStart=.*/ExecStart=\/nonexistent\/badsmtp-session/' \
		"$STAGE/badsmtp-.service.d/50-badsmtp.conf"
	run systemd-analyze verify --man=no "$STAGE/badsmtp-plain@0.service"
	echo "$output"
	[ "$status" -ne 0 ]
}

@test "units: systemd-analyze security --offline rates every service at 2.0 or lower" {
	need_analyze
	need_bin
	stage_units
	for s in "$STAGE"/*@.service; do
		u=${s%@.service}@0.service
		run systemd-analyze security --offline=true --threshold=20 "$u"
		line=$(printf '%s\n' "$output" | grep 'Overall exposure level')
		echo "${u##*/}: $line"
		[ "$status" -eq 0 ]
		score=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9.]*\) .*/\1/p')
		[ -n "$score" ]
		awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'
	done
}

@test "units: every default port is a 127.0.0.1 Accept=yes listener of exactly one socket" {
	for port in $DEFAULT_PORTS; do
		n=$(cat "$REPO"/systemd/*.socket | grep -c "^ListenStream=127.0.0.1:$port\$")
		[ "$n" -eq 1 ] || { echo "port $port: $n listeners"; false; }
	done
	# and nothing else is listened on
	total=$(cat "$REPO"/systemd/*.socket | grep -c '^ListenStream=')
	[ "$total" -eq "$NPORTS" ]
	for s in "$REPO"/systemd/*.socket; do
		[ "$(unit_values "$s" Accept | tail -n 1)" = yes ] || { echo "$s: not Accept=yes"; false; }
	done
}

@test "units: badsmtp.target wants every socket, every socket has its service template" {
	wants=$(sed -n 's/^Wants=//p' "$REPO/systemd/badsmtp.target" | tr ' ' '\n')
	for s in "$REPO"/systemd/*.socket; do
		name=${s##*/}
		grep -qx "$name" <<< "$wants" || { echo "badsmtp.target does not want $name"; false; }
		[ -f "${s%.socket}@.service" ] || { echo "no ${name%.socket}@.service"; false; }
	done
}

@test "units: the shared settings SPEC §13 requires" {
	conf=$REPO/systemd/badsmtp-.service.d/50-badsmtp.conf
	sock=$REPO/systemd/badsmtp-.socket.d/50-badsmtp.conf
	grep -qx 'StandardInput=socket' "$conf"
	grep -qx 'StandardOutput=socket' "$conf"
	grep -qx 'StandardError=journal' "$conf"
	grep -qx 'CollectMode=inactive-or-failed' "$conf"
	grep -qx 'DynamicUser=yes' "$conf"
	grep -qx 'User=badsmtp' "$conf"
	grep -qx 'StateDirectory=badsmtp' "$conf"
	grep -qx 'CacheDirectory=badsmtp' "$conf"
	grep -qx 'ProtectSystem=strict' "$conf"
	grep -q '^ExecStart=@BINDIR@/badsmtp-session' "$conf"
	# smtps and starttls-required start the twin directly: every one of their sessions needs TLS
	for f in smtps starttls-required; do
		[ "$(sed -n 's/^ExecStart=//p' "$REPO/systemd/badsmtp-$f@.service.d/"*.conf | tr '\n' '|')" = \
			'|@BINDIR@/badsmtp-session-tls|' ]
	done
	grep -Eqx 'TriggerLimit(IntervalSec|Burst)=0' "$sock"
	grep -Eq '^MaxConnections=[0-9]+$' "$sock"
	grep -Eq '^MaxConnectionsPerSource=[0-9]+$' "$sock"
	# no DeferAcceptSec=: the server speaks first
	! grep -q '^DeferAcceptSec=' "$REPO"/systemd/*.socket "$sock"
	# every service outlives the longest delay (600 s)
	need_analyze
	for s in "$REPO"/systemd/*@.service; do
		v=$(unit_values "$s" RuntimeMaxSec | tail -n 1)
		[ -n "$v" ] || { echo "$s: no RuntimeMaxSec="; false; }
		us=$(systemd-analyze timespan "$v" | sed -n 's/^ *μs: //p')
		[ "$us" -gt 600000000 ] || { echo "$s: RuntimeMaxSec=$v is not above 600 s"; false; }
	done
}

@test "xinetd: one service per default port, --port carried, cps raised, wait = no" {
	# one line per service block: port|server_args|wait|bind|type|cps
	rows=$(cat "$REPO"/inetd/xinetd.d/badsmtp-* | awk -F '[[:space:]]*=[[:space:]]*' '
		/^service /{ delete v }
		/^\t/{ k = $1; sub(/^\t+/, "", k); v[k] = $2 }
		/^}/{ print v["port"] "|" v["server_args"] "|" v["wait"] "|" v["bind"] "|" v["type"] "|" v["cps"] }')
	[ "$(wc -l <<< "$rows")" -eq "$NPORTS" ]
	for port in $DEFAULT_PORTS; do
		row=$(grep "^$port|" <<< "$rows") || { echo "no xinetd service for $port"; false; }
		IFS='|' read -r _ args wait bind type cps <<< "$row"
		[ "$args" = "--port $port" ]
		[ "$wait $bind $type" = "no 127.0.0.1 UNLISTED" ]
		[ "${cps%% *}" -gt 50 ]
	done
}

@test "inetd.conf: one nowait line per default port with --port" {
	for port in $DEFAULT_PORTS; do
		line=$(grep -E "^127\.0\.0\.1:$port[[:space:]]" "$REPO/inetd/inetd.conf")
		[ -n "$line" ] || { echo "no inetd.conf line for $port"; false; }
		read -r svc type proto wait user server argv0 arg1 arg2 rest <<< "$line"
		[ "$type $proto" = "stream tcp" ]
		[[ $wait == nowait.* ]]
		# every smtps, starttls-required and tls- session needs TLS: those start the twin directly
		local prog=badsmtp-session
		case $port in 25465 | 25587 | 257[01][0-9]) prog=badsmtp-session-tls ;; esac
		[ "$server" = "@BINDIR@/$prog" ]
		[ "$argv0 $arg1 $arg2" = "$prog --port $port" ]
		[ -z "$rest" ]
	done
	[ "$(grep -c '^127' "$REPO/inetd/inetd.conf")" -eq "$NPORTS" ]
}

@test "make install and uninstall honour DESTDIR and PREFIX" {
	need_bin
	d=$BATS_TEST_TMPDIR/root
	run make -s -C "$REPO" -o "$BADSMTP_BIN" BIN="$BADSMTP_BIN" DESTDIR="$d" PREFIX=/opt/bs \
		UNITDIR=/lib/systemd/system install install-xinetd
	echo "$output"
	[ "$status" -eq 0 ]
	[ -x "$d/opt/bs/bin/badsmtp-session" ]
	[ ! -x "${BADSMTP_BIN%/*}/badsmtp-session-tls" ] || [ -x "$d/opt/bs/bin/badsmtp-session-tls" ]
	[ -x "$d/opt/bs/bin/badsmtp-run" ]
	[ -f "$d/opt/bs/share/man/man8/badsmtp-session.8" ]
	[ -f "$d/lib/systemd/system/badsmtp.target" ]
	[ -f "$d/lib/systemd/system/badsmtp-.service.d/50-badsmtp.conf" ]
	grep -qx 'ExecStart=/opt/bs/bin/badsmtp-session' "$d/lib/systemd/system/badsmtp-.service.d/50-badsmtp.conf"
	grep -q 'server		= /opt/bs/bin/badsmtp-session' "$d/etc/xinetd.d/badsmtp-plain"
	! grep -rq '@BINDIR@' "$d"
	run make -s -C "$REPO" DESTDIR="$d" PREFIX=/opt/bs UNITDIR=/lib/systemd/system \
		uninstall uninstall-xinetd
	[ "$status" -eq 0 ]
	left=$(find "$d" -type f)
	echo "left: $left"
	[ -z "$left" ]
}

@test "make install-inetd appends once, uninstall-inetd removes exactly its block" {
	d=$BATS_TEST_TMPDIR/root
	mkdir -p "$d/etc"
	printf 'ftp stream tcp nowait root /usr/sbin/ftpd ftpd\n' > "$d/etc/inetd.conf"
	for _ in 1 2; do
		run make -s -C "$REPO" DESTDIR="$d" PREFIX=/usr install-inetd
		[ "$status" -eq 0 ]
	done
	[ "$(grep -c '^127.0.0.1:' "$d/etc/inetd.conf")" -eq "$NPORTS" ]
	grep -q '/usr/bin/badsmtp-session	badsmtp-session --port 2525$' "$d/etc/inetd.conf"
	run make -s -C "$REPO" DESTDIR="$d" uninstall-inetd
	[ "$(cat "$d/etc/inetd.conf")" = 'ftp stream tcp nowait root /usr/sbin/ftpd ftpd' ]
}

@test "man page: groff finds no problem" {
	command -v groff > /dev/null || skip "groff is missing"
	run groff -man -Tutf8 -ww -z "$REPO/man/badsmtp-session.8"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "man page: names every flag and environment variable of SPEC §1" {
	page=$(groff -man -Tutf8 "$REPO/man/badsmtp-session.8" 2> /dev/null | col -b)
	for w in --profile --port --hostname --maildir --tls-cert --tls-key --cert-cache \
		--log-format --log-level --log-target --timeout --data-timeout --help --version \
		BADSMTP_PROFILE BADSMTP_PORT BADSMTP_HOSTNAME BADSMTP_MAILDIR BADSMTP_TLS_CERT \
		BADSMTP_TLS_KEY BADSMTP_CERT_CACHE BADSMTP_LOG_FORMAT BADSMTP_LOG_LEVEL \
		BADSMTP_LOG_TARGET BADSMTP_TIMEOUT BADSMTP_DATA_TIMEOUT BADSMTP_TIME_SCALE \
		BADSMTP_GREETING_DELAY_PORT_START BADSMTP_COMMAND_DELAY_PORT_START \
		BADSMTP_DROP_DELAY_PORT_START; do
		grep -qe "$w" <<< "$page" || { echo "man page lacks $w"; false; }
	done
}

# SPEC §13 for real: systemd 252 as PID 1 in a container sharing the host's loopback, the units
# installed by make install, badsmtp.target enabled, one exchange per port family. Needs root,
# systemd-nspawn and the default ports free; BADSMTP_SKIP_NSPAWN=1 skips it.
# bats test_tags=units,tcp
@test "nspawn: booted systemd serves every family through the installed units" {
	need_bin
	[ -z "${BADSMTP_SKIP_NSPAWN:-}" ] || skip "BADSMTP_SKIP_NSPAWN is set"
	[ "$(id -u)" = 0 ] || skip "booting systemd in a container needs root"
	command -v systemd-nspawn > /dev/null || skip "systemd-nspawn is missing (apt-get install systemd-container)"
	for p in 2525 25201 25401 25587 25600 25601; do
		! ss -Hltn "sport = :$p" | grep -q . || skip "port $p is busy"
	done
	r=$BATS_TEST_TMPDIR/ns
	make -s -C "$REPO" -o "$BADSMTP_BIN" BIN="$BADSMTP_BIN" DESTDIR="$r" PREFIX=/opt/badsmtp \
		UNITDIR=/etc/systemd/system install > /dev/null
	mkdir -p "$r/etc/systemd/system/multi-user.target.wants" "$r/journal"
	ln -s ../badsmtp.target "$r/etc/systemd/system/multi-user.target.wants/badsmtp.target"
	setsid systemd-nspawn -D / --volatile=yes --register=no --keep-unit --console=read-only \
		-M "badsmtp-test-$$" --bind-ro="$r/etc/systemd/system:/etc/systemd/system" \
		--bind-ro="$r/opt/badsmtp:/opt/badsmtp" --bind="$r/journal:/var/log/journal" \
		-b systemd.firstboot=off > "$BATS_TEST_TMPDIR/console" 2>&1 3>&- &
	NSPAWN_PID=$!
	for _ in $(seq 120); do
		[ "$(ss -Hltn | grep -cE '127\.0\.0\.1:(2525|25[24678][0-9]{2}|25465|25587) ')" -eq "$NPORTS" ] &&
			break
		kill -0 "$NSPAWN_PID" 2> /dev/null || break
		sleep 0.5
	done
	run /usr/bin/python3 - <<'PY'
import smtplib, socket, ssl, time
H = "127.0.0.1"
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
c = smtplib.SMTP(H, 2525, timeout=20); c.ehlo("x")
print("plain", c.mail("a@example.com")[0], c.rcpt("b@example.com")[0],
      c.data(b"Subject: x\r\n\r\nhi\r\n")[0], c.quit()[0])
c = smtplib.SMTP(H, 25587, timeout=20); c.ehlo("x")
print("starttls-required", c.mail("a@example.com")[0], c.starttls(context=ctx)[0], c.ehlo("x")[0],
      c.mail("a@example.com")[0]); c.quit()
c = smtplib.SMTP_SSL(H, 25465, timeout=20, context=ctx)
print("smtps", c.noop()[0]); c.quit()
t = time.monotonic(); c = smtplib.SMTP(H, 25201, timeout=20)
print("greeting-delay-1", int(time.monotonic() - t >= 0.95)); c.quit()
c = smtplib.SMTP(H, 25401, timeout=20); t = time.monotonic(); c.noop()
print("command-delay-1", int(time.monotonic() - t >= 0.95)); c.close()
for port in (25600, 25601):
    s = socket.create_connection((H, port), timeout=20); n = 0
    while True:
        b = s.recv(4096)
        if not b: break
        n += len(b)
    print("drop", port, n)
PY
	echo "$output"
	kill -TERM "$NSPAWN_PID" 2> /dev/null || true
	for _ in $(seq 60); do kill -0 "$NSPAWN_PID" 2> /dev/null || break; sleep 0.5; done
	kill -KILL "$NSPAWN_PID" 2> /dev/null || true
	[ "$status" -eq 0 ] || { tail -n 30 "$BATS_TEST_TMPDIR/console"; false; }
	[ "$output" = $'plain 250 250 250 221\nstarttls-required 530 220 250 250\nsmtps 250\ngreeting-delay-1 1\ncommand-delay-1 1\ndrop 25600 0\ndrop 25601 0' ]
	# structured journal entries, one field per log field
	run journalctl -D "$(ls -d "$r"/journal/*/ | head -n 1)" -o json --no-pager \
		MESSAGE="SMTP message stored successfully"
	echo "$output" | head -c 2000
	[[ $output == *'"SMTP_SESSION_ID":"sess_'* ]]
	[[ $output == *'"SMTP_PATH":"/var/lib/badsmtp/maildir/new/'* ]]
	[[ $output == *'"_SYSTEMD_UNIT":"badsmtp-plain@'* ]]
}
