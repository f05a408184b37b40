#!/usr/bin/env bats
# PROXY protocol over TCP (SPEC §20, §21): headers v1 and v2 from a trusted peer give the client's
# address; LOCAL and UNKNOWN keep the socket's peer; a peer outside --proxy-from is refused before
# a byte of it is read; bytes behind the header, smtps behind the header, in wait mode and one
# process per connection. Then Debian's haproxy with deploy/haproxy/haproxy.cfg in front of two
# acceptors on loopback. The pipe cases are test/bats/proxy.bats.
# bats file_tags=tcp

load helpers

setup() {
	need_launcher
	PIDS=()
	export BADSMTP_TIME_SCALE=0.01
	unset BADSMTP_PROFILE BADSMTP_PORT BADSMTP_MAILDIR BADSMTP_LOG_TARGET BADSMTP_LOG_FORMAT \
		BADSMTP_PROXY_PROTOCOL BADSMTP_PROXY_FROM LISTEN_FDS LISTEN_PID LISTEN_FDNAMES
}

teardown() {
	stop_pids "${PIDS[@]}"
}

# serve MODE PORT LOG ARGS...: badsmtp on 127.0.0.1:PORT, MODE "wait" (an acceptor) or "inetd"
# (one process per connection), logging to LOG.
serve() {
	local mode=$1 port=$2 log=$3 a=()
	shift 3
	[ "$mode" = inetd ] && a=(--inetd -a)
	setsid systemd-socket-activate "${a[@]}" -l "127.0.0.1:$port" -E BADSMTP_TIME_SCALE \
		"$BADSMTP_BIN" --log-target "file:$log" "$@" > /dev/null 2> "$log.launcher" 3>&- &
	PIDS+=($!)
	wait_listen "$port"
}

@test "PROXY v1 and v2 over TCP, in wait mode and per connection: the header's client, its port" {
	local mode p kind log
	for mode in wait inetd; do
		read -r p < <(free_ports 1)
		log=$BATS_TEST_TMPDIR/$mode.log
		serve "$mode" "$p" "$log" --proxy-protocol --port 2525
		for kind in v1 v2; do
			run client proxied "$p" "$kind"
			echo "$mode $kind: $output"
			[ "$output" = "220 250 221 " ]
		done
		log_has "$log" "[(e['client_ip'], e['client_port']) for e in f('SMTP connection established')] == [('192.0.2.7', 4242)] * 2" \
			"{e['fields']['client_ip'] for e in ev if 'session_id' in e['fields']} == {'192.0.2.7'}"
	done
}

@test "PROXY v2 LOCAL and v1 UNKNOWN over TCP: the socket's peer is logged, with its port" {
	local p log=$BATS_TEST_TMPDIR/log
	read -r p < <(free_ports 1)
	serve wait "$p" "$log" --proxy-protocol
	for kind in local unknown; do
		run client proxied "$p" "$kind" 127.0.0.5
		echo "$kind: $output"
		[ "$output" = "220 250 221 " ]
	done
	log_has "$log" "[e['client_ip'] for e in f('SMTP connection established')] == ['127.0.0.5'] * 2" \
		"all(e['client_port'] > 0 for e in f('SMTP connection established'))"
}

@test "a malformed header, none at all, or one from a peer outside --proxy-from: no greeting, refused" {
	local p q log=$BATS_TEST_TMPDIR/log log2=$BATS_TEST_TMPDIR/log2
	read -r p q < <(free_ports 2)
	serve wait "$p" "$log" --proxy-protocol --port 2525
	run client proxied "$p" bad
	echo "bad: $output"
	[[ $output == "nothing "* ]]
	run client proxied "$p" none
	echo "none: $output"
	[[ $output == "nothing "* ]]
	log_has "$log" "[(e['client_ip'], e['port'], e['reason']) for e in f('SMTP connection refused')] == [('127.0.0.1', 2525, 'proxy_header')] * 2" \
		"not f('SMTP connection established')"
	# only 127.0.0.1 is trusted: a good header from 127.0.0.3 is refused all the same
	serve wait "$q" "$log2" --proxy-protocol --proxy-from 127.0.0.1/32
	run client proxied "$q" v1 127.0.0.3
	echo "untrusted: $output"
	[[ $output == "nothing "* ]]
	run client proxied "$q" v1 127.0.0.1
	[ "$output" = "220 250 221 " ]
	log_has "$log2" "[(e['client_ip'], e['reason']) for e in f('SMTP connection refused')] == [('127.0.0.3', 'proxy_header')]" \
		"[e['client_ip'] for e in f('SMTP connection established')] == ['192.0.2.7']"
}

@test "smtps behind a PROXY header: the ClientHello that follows it reaches the handshake" {
	local mode p log
	for mode in wait inetd; do
		read -r p < <(free_ports 1)
		log=$BATS_TEST_TMPDIR/$mode.log
		serve "$mode" "$p" "$log" --proxy-protocol --profile smtps --cert-cache "$BATS_TEST_TMPDIR/cache"
		run client proxied-smtps "$p" v2
		echo "$mode: $output"
		[ "$output" = $'220 badsmtp.test ESMTP BadSMTP Server\n221 Bye' ]
		log_has "$log" "[(e['client_ip'], e['client_port']) for e in f('SMTP connection established')] == [('192.0.2.7', 4242)]" \
			"len(f('TLS handshake successful')) == 1"
	done
}

@test "haproxy (deploy/haproxy/haproxy.cfg) in front of two acceptors: sessions spread, the real client logged and in Received:" {
	command -v haproxy > /dev/null || skip "haproxy is missing (apt-get install haproxy)"
	local pf pa pb md=$BATS_TEST_TMPDIR/md la=$BATS_TEST_TMPDIR/a.log lb=$BATS_TEST_TMPDIR/b.log
	read -r pf pa pb < <(free_ports 3)
	sed -e "s/127\.0\.0\.1:2525\$/127.0.0.1:$pf/" -e "s/127\.0\.0\.1:12525 /127.0.0.1:$pa /" \
		-e "s/127\.0\.0\.1:22525 /127.0.0.1:$pb /" "$REPO/deploy/haproxy/haproxy.cfg" > "$BATS_TEST_TMPDIR/haproxy.cfg"
	grep -q ":$pf\$" "$BATS_TEST_TMPDIR/haproxy.cfg"
	[ "$(grep -c -e ":$pa send-proxy-v2" -e ":$pb send-proxy-v2" "$BATS_TEST_TMPDIR/haproxy.cfg")" -eq 2 ]
	serve wait "$pa" "$la" --proxy-protocol --port 2525 --maildir "$md"
	serve wait "$pb" "$lb" --proxy-protocol --port 2525 --maildir "$md"
	haproxy -f "$BATS_TEST_TMPDIR/haproxy.cfg" -db > "$BATS_TEST_TMPDIR/haproxy.out" 2>&1 3>&- &
	PIDS+=($!)
	wait_listen "$pf"
	# the client from 127.0.0.2, HAProxy from 127.0.0.1: the logs must show the client's
	run client txn-from "$pf" 10 127.0.0.2
	echo "client ports: $output"
	[ "$status" -eq 0 ]
	ports=$output
	"$PY" - "$la" "$lb" "$ports" <<'EOF'
import json, sys
got = {}
for path in sys.argv[1:3]:
    ev = [json.loads(l) for l in open(path) if l.strip()]
    est = [e["fields"] for e in ev if e["message"] == "SMTP connection established"]
    # HAProxy's own checks come with LOCAL headers: logged with its address
    clients = [e for e in est if e["client_ip"] != "127.0.0.1"]
    assert all(e["client_ip"] == "127.0.0.2" for e in clients), clients
    got[path] = sorted(e["client_port"] for e in clients)
    ids = {e["session_id"] for e in clients}
    assert {e["fields"]["client_ip"] for e in ev if e["fields"].get("session_id") in ids} == {"127.0.0.2"}
print({k.rsplit("/", 1)[1]: len(v) for k, v in got.items()})
assert all(len(v) >= 3 for v in got.values()), f"not spread over both: {got}"
assert sorted(sum(got.values(), [])) == sorted(map(int, sys.argv[3].split())), (got, sys.argv[3])
EOF
	[ "$(ls "$md/new" | wc -l)" -eq 10 ]
	[ "$(grep -l '^Received: from c[0-9]*.example (127.0.0.2) by badsmtp.test with ESMTP id sess_' "$md"/new/* | wc -l)" -eq 10 ]
}
