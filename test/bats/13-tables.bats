#!/usr/bin/env bats
# One home per fact. The option table (src/config.c, printed by --help) and the port table
# (src/profile.c, printed by --list-profiles) against every file that repeats them: the man page,
# README.md, the systemd units, inetd.conf, the xinetd files and scripts/badsmtp-run. Each check
# reads the binary's output, never a list of its own.

load helpers

setup() {
	common_setup
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	"$BADSMTP_BIN" --list-profiles > "$T/list" || fail "--list-profiles failed"
	"$BADSMTP_BIN" --help > "$T/help" || fail "--help failed"
}

# check_py PYTHON: run PYTHON with the repository in `repo`, the port table of --list-profiles in
# `rows` (port -> profile, in its order), the lines of --help in `help`, and helpers: family(),
# grouped(), man_section(), man_entries(), same(). An assert fails the test.
check_py() {
	/usr/bin/python3 - "$REPO" "$T/list" "$T/help" "$1" << 'EOF'
import collections, glob, os, re, sys
repo, list_path, help_path, code = sys.argv[1:5]
listing = open(list_path).read().split('\n')
assert listing[0].split() == ['port', 'profile', 'behaviour'], f'header: {listing[0]!r}'
rows = {}
for line in listing[1:-1]:
    port, profile, _ = line.split(None, 2)
    rows[int(port)] = profile
help = open(help_path).read().split('\n')

def family(profile):
    """greeting-delay-8 -> greeting-delay, greeting-421 -> greeting: the name less its last part
    when other rows share what is left; plain, starttls-required -> themselves."""
    stem = profile.rsplit('-', 1)[0]
    shared = sum(1 for q in rows.values() if '-' in q and q.rsplit('-', 1)[0] == stem)
    return stem if '-' in profile and shared > 1 else profile

def families():
    """family -> its ports, as scripts/deploy-files groups them: a run of rows on consecutive
    ports whose profiles share their name up to the last '-'; any other row on its own."""
    out, prev = {}, None
    for port, profile in rows.items():
        prefix = profile.rsplit('-', 1)[0]
        if prev and port == prev[0] + 1 and prefix == prev[1] and prefix != profile:
            ports = out.pop(prev[2])
            out[prefix] = ports + [port]
            prev = (port, prefix, prefix)
        else:
            out[profile] = [port]
            prev = (port, prefix, profile)
    return out

def family_of(port):
    return next(f for f, ports in families().items() if port in ports)

def grouped():
    """The table as "port profile" for the fixed ports and "first-last family" for families."""
    out, fams = set(), {}
    for port, profile in rows.items():
        if family(profile) == profile:
            out.add(f'{port} {profile}')
        else:
            fams.setdefault(family(profile), []).append(port)
    for fam, ports in fams.items():
        assert ports == list(range(ports[0], ports[0] + len(ports))), f'{fam}: {ports}'
        out.add(f'{ports[0]}-{ports[-1]} {fam}')
    return out

man = open(os.path.join(repo, 'man/badsmtp-session.8')).read().split('\n')

def plain(line):
    return re.sub(r'\\f[BIRP]', '', line).replace('\\-', '-')

def man_section(name):
    out, on = [], False
    for line in man:
        if line.startswith('.SH '):
            on = line[4:].strip('" ') == name
        elif on:
            out.append(line)
    return out

def man_entries(name):
    """The .TP entries of a section: (tag lines, body lines), .TQ tags joined to their entry."""
    out, cur, tag = [], None, False
    for line in man_section(name):
        if line.startswith('.TP'):
            cur, tag = ([], []), True
            out.append(cur)
        elif line.startswith('.TQ'):
            tag = True
        elif line.startswith('.PD'):
            continue
        elif line.startswith('.PP') or cur is None:
            cur = None
        else:
            cur[1 - tag].append(plain(line))
            tag = False
    return out

def same(got, want, what, got_name, want_name):
    """the same items, each as many times (order aside)"""
    got, want = collections.Counter(got), collections.Counter(want)
    assert got == want, (f'{what} disagree:\n  only in {got_name}: {sorted((got - want).elements())}\n'
                         f'  only in {want_name}: {sorted((want - got).elements())}')

exec(code)
EOF
}

# --- the port table itself ------------------------------------------------------------------------

# line_is N TEXT: line N of the last `run`'s output is exactly TEXT
line_is() {
	[ "${lines[$1]}" = "$2" ] || fail "line $1: want '$2'" "got '${lines[$1]}'"
}

@test "--list-profiles: the default port table, one port a line, exit 0" {
	run "$BADSMTP_BIN" --list-profiles
	[ "$status" -eq 0 ] || fail "exit status $status: $output"
	[ "${#lines[@]}" -eq 57 ] || fail "want a header and 56 rows, got ${#lines[@]} lines: $output"
	line_is 0 "port   profile              behaviour"
	line_is 1 "2525   plain                a normal session"
	line_is 2 "25465  smtps                implicit TLS: the handshake comes before the greeting"
	line_is 3 "25587  starttls-required    MAIL and AUTH get 530 until STARTTLS"
	line_is 4 "25200  greeting-delay-0     a normal session (no delay)"
	line_is 7 "25203  greeting-delay-8     greeting after 8 s, then a normal session"
	line_is 23 "25409  command-delay-600    greeting at once, every reply after 600 s"
	line_is 24 "25600  drop-0               closes at once, writing nothing"
	line_is 33 "25609  drop-600             closes after 600 s, writing nothing"
	line_is 34 "25700  tls-trusted          implicit TLS with the TLS fault trusted"
	line_is 51 "25717  tls-clientcert       implicit TLS with the TLS fault clientcert"
	line_is 52 "25800  greeting-multiline   a three-line greeting, then a normal session"
	line_is 56 "25804  greeting-trickle     the greeting one octet per 100 ms"
}

@test "--list-profiles: every row is the profile a session on that port logs" {
	export BADSMTP_TIME_SCALE=0
	local port profile rest n=0
	while read -r port profile rest; do
		smtp_input 'QUIT'
		smtp_session --port "$port"
		log_check "assert fields('SMTP connection established')['profile'] == '$profile', \
			fields('SMTP connection established')" || fail "port $port"
		n=$((n + 1))
	done < <(tail -n +2 "$T/list")
	[ "$n" -eq 56 ] || fail "checked $n ports"
}

@test "--list-profiles: the BADSMTP_*_PORT_START bases move the families" {
	BADSMTP_DROP_DELAY_PORT_START=3000 BADSMTP_COMMAND_DELAY_PORT_START=3100 \
		BADSMTP_TLS_FAULT_PORT_START=3200 run "$BADSMTP_BIN" --list-profiles
	[ "$status" -eq 0 ] || fail "exit status $status: $output"
	line_is 14 "3100   command-delay-0      a normal session (no delay)"
	line_is 24 "3000   drop-0               closes at once, writing nothing"
	line_is 33 "3009   drop-600             closes after 600 s, writing nothing"
	line_is 51 "3217   tls-clientcert       implicit TLS with the TLS fault clientcert"
	# the whole table is the default one with those three families' ports moved, nothing else
	local line port want=()
	while IFS= read -r line; do
		port=${line%% *}
		case ${line:7} in
		drop-*) port=$((port - 25600 + 3000)) ;;
		command-delay-*) port=$((port - 25400 + 3100)) ;;
		tls-*) port=$((port - 25700 + 3200)) ;;
		esac
		want+=("$(printf '%-7s%s' "$port" "${line:7}")")
	done < "$T/list"
	diff <(printf '%s\n' "${want[@]}") <(printf '%s\n' "$output") ||
		fail "moved bases: not the default table moved (< want, > got)"
}

@test "--list-profiles: overlapping bases are a configuration error (exit 100, nothing on stdout)" {
	smtp_input
	BADSMTP_DROP_DELAY_PORT_START=25205 smtp_session --list-profiles
	expect_status 100
	expect_out
	[ "$(wc -l < "$SMTP_ERR")" -eq 1 ] || fail "want one error line: $(cat "$SMTP_ERR")"
	grep -q 'overlap' "$SMTP_ERR" || fail "$(cat "$SMTP_ERR")"
}

# --- the deployment files -----------------------------------------------------------------------

@test "systemd: each kind of socket unit listens on exactly the listed ports, one family per unit" {
	check_py '
fams = families()
for kind, pattern in (("wait", r"badsmtp-(?!inetd-)(.+)\.socket"), ("inetd", r"badsmtp-inetd-(.+)\.socket")):
    served = []
    for path in sorted(glob.glob(os.path.join(repo, "systemd/*.socket"))):
        unit = os.path.basename(path)
        m = re.fullmatch(pattern, unit)
        if not m:
            continue
        fam = m.group(1)
        text = open(path).read()
        ports = [int(p) for p in re.findall(r"^ListenStream=(?:.*:)?([0-9]+)$", text, re.M)]
        assert ports, f"{unit}: no ListenStream="
        for p in ports:
            assert p in rows, f"{unit}: port {p} is not in --list-profiles"
            assert family_of(p) == fam, f"{unit}: port {p} is {rows[p]}, not of family {fam}"
        assert ports == fams[fam], f"{unit}: ports {ports}, family {fam} has {fams[fam]}"
        accept = re.findall(r"^Accept=(.*)$", text, re.M)
        assert accept == (["no"] if kind == "wait" else ["yes"]), f"{unit}: Accept={accept}"
        # a socket of one port is named by its profile, a family of several by its family,
        # which is no profile name: each connection then takes the profile of its port
        names = re.findall(r"^FileDescriptorName=(.*)$", text, re.M)
        want = rows[ports[0]] if len(ports) == 1 else fam
        assert names == [want], f"{unit}: FileDescriptorName={names}, want {want}"
        served += ports
    assert len(served) == len(set(served)), f"{kind}: a port in two socket units: {sorted(served)}"
    same([str(p) for p in served], [str(p) for p in rows], f"{kind} ports", "systemd/*.socket",
         "--list-profiles")
'
}

@test "systemd: each socket unit has its service, whose --port/--profile name its own family" {
	check_py '
shared = glob.glob(os.path.join(repo, "systemd/badsmtp-.service.d/*.conf"))
shared_inetd = glob.glob(os.path.join(repo, "systemd/badsmtp-inetd-.service.d/*.conf"))
sockets = {"wait": [], "inetd": []}
for path in sorted(glob.glob(os.path.join(repo, "systemd/*.socket"))):
    unit = os.path.basename(path)
    m = re.fullmatch(r"badsmtp-inetd-(.+)\.socket", unit)
    if m:
        fam, service, kind = m.group(1), f"badsmtp-inetd-{m.group(1)}@.service", "inetd"
    else:
        fam = re.fullmatch(r"badsmtp-(.+)\.socket", unit).group(1)
        service, kind = f"badsmtp-{fam}.service", "wait"
    sockets[kind].append(unit)
    service = os.path.join(repo, "systemd", service)
    assert os.path.exists(service), f"no {service} for {path}"
    confs = [service] + glob.glob(service + ".d/*.conf") + shared + (shared_inetd if kind == "inetd" else [])
    for conf in confs:
        for line in re.findall(r"^ExecStart=(.*)$", open(conf).read(), re.M):
            args = line.replace("=", " ").split()
            for flag, value in zip(args, args[1:]):
                if flag == "--port":
                    assert family_of(int(value)) == fam, f"{conf}: --port {value} is not of family {fam}"
                if flag == "--profile":
                    assert family(value) == fam, f"{conf}: --profile {value} is not of {fam}"
for kind, target in (("wait", "badsmtp.target"), ("inetd", "badsmtp-inetd.target")):
    text = open(os.path.join(repo, "systemd", target)).read()
    wanted = " ".join(re.findall(r"^Wants=(.*)$", text, re.M)).split()
    same(wanted, sockets[kind], "socket units", f"{target} Wants=", f"systemd/ ({kind})")
'
}

@test "inetd.conf: per listed port a wait line and a commented nowait line, --port and profile agree" {
	check_py '
served = {"wait": [], "nowait": []}
comment = None
for line in open(os.path.join(repo, "inetd/inetd.conf")):
    line = line.rstrip("\n")
    kind = "wait"
    if line.startswith("#nowait "):
        line, kind = line[len("#nowait "):], "nowait"
    elif line.startswith("#"):
        comment = line[1:].strip()
        continue
    if not line.strip():
        continue
    f = line.split()
    port = int(f[0].rsplit(":", 1)[1])
    args = f[6:]
    assert port in rows, f"inetd.conf: port {port} is not in --list-profiles"
    assert f[3].split(".")[0] == kind, f"inetd.conf: port {port}: {f[3]} in a {kind} line"
    assert "--port" in args and args[args.index("--port") + 1] == str(port), \
        f"inetd.conf: port {port} runs {args}"
    assert comment == rows[port], f"inetd.conf: port {port} is {rows[port]}, commented {comment!r}"
    served[kind].append(str(port))
for kind, ports in served.items():
    assert len(ports) == len(set(ports)), f"{kind}: a port twice: {ports}"
    same(ports, [str(p) for p in rows], f"{kind} ports", "inetd.conf", "--list-profiles")
'
}

@test "xinetd: per listed port a wait service and a disabled nowait one, in the file of its family" {
	check_py '
served = {"yes": [], "no": []}
for path in sorted(glob.glob(os.path.join(repo, "inetd/xinetd.d/badsmtp-*"))):
    name = os.path.basename(path)
    fam = name[len("badsmtp-"):]
    text = open(path).read()
    blocks = list(re.finditer(r"^# profile ([^\s,]+)(, one process per connection)?\nservice (\S+)\n\{\n(.*?)\n\}",
                              text, re.M | re.S))
    assert len(blocks) == len(re.findall(r"^service ", text, re.M)), f"{name}: a service unparsed"
    for b in blocks:
        attrs = dict(re.match(r"\s*(\S+)\s*=\s*(.*)$", l).groups() for l in b.group(4).split("\n"))
        port = int(attrs["port"])
        assert port in rows, f"{name}: port {port} is not in --list-profiles"
        assert rows[port] == b.group(1), f"{name}: port {port} is {rows[port]}, commented {b.group(1)}"
        assert family_of(port) == fam, f"{name}: port {port} ({rows[port]}) is not of {fam}"
        wait, disable = attrs["wait"], attrs["disable"]
        assert wait == ("no" if b.group(2) else "yes"), f"{name}: {b.group(3)}: wait = {wait}"
        assert disable == {"yes": "no", "no": "yes"}[wait], \
            f"{name}: {b.group(3)}: wait = {wait}, disable = {disable}: wait mode is the default"
        args = attrs["server_args"]
        assert args.split() == ["--port", str(port)], f"{name}: port {port} runs {args}"
        served[attrs["wait"]].append(str(port))
for kind, ports in served.items():
    assert len(ports) == len(set(ports)), f"wait = {kind}: a port twice: {ports}"
    same(ports, [str(p) for p in rows], f"wait = {kind} ports", "inetd/xinetd.d", "--list-profiles")
'
}

@test "scripts/deploy-files: the committed units, inetd.conf and xinetd files are what it writes" {
	"$REPO/scripts/deploy-files" --bin "$BADSMTP_BIN" --out "$T/gen" || fail "deploy-files failed"
	local f rel n=0
	while IFS= read -r f; do
		rel=${f#"$T/gen/"}
		diff -u "$REPO/$rel" "$f" || fail "$rel differs from what scripts/deploy-files writes (make deploy-files)"
		n=$((n + 1))
	done < <(find "$T/gen" -type f | sort)
	[ "$n" -gt 30 ] || fail "deploy-files wrote only $n files"
	# and no family file is left over that it would no longer write
	for f in "$REPO"/systemd/*.socket "$REPO"/systemd/*.target "$REPO"/inetd/xinetd.d/*; do
		[ -e "$T/gen/${f#"$REPO/"}" ] || fail "${f#"$REPO/"}: not written by scripts/deploy-files any more"
	done
}

@test "scripts/badsmtp-run --list prints the binary's port table, bases moved or not" {
	run "$REPO/scripts/badsmtp-run" --bin "$BADSMTP_BIN" --list
	[ "$status" -eq 0 ] || fail "exit status $status: $output"
	diff <(printf '%s\n' "$output") "$T/list" || fail "badsmtp-run --list differs (< script, > binary)"
	export BADSMTP_GREETING_DELAY_PORT_START=4000
	"$BADSMTP_BIN" --list-profiles > "$T/moved"
	run "$REPO/scripts/badsmtp-run" --bin "$BADSMTP_BIN" --list
	[ "$status" -eq 0 ] || fail "exit status $status: $output"
	diff <(printf '%s\n' "$output") "$T/moved" || fail "moved bases: badsmtp-run --list differs"
	grep -qx '4009   greeting-delay-600   greeting after 600 s, then a normal session' "$T/moved" ||
		fail "the moved base is not in the listing"
}

# --- the documentation --------------------------------------------------------------------------

@test "man page OPTIONS: the flags of --help, each with the same environment twin" {
	check_py '
def pairs(entries):
    out = []
    for flags, envs in entries:
        assert not envs or len(envs) == len(flags), f"{flags} with twins {envs}"
        out += [f"{f} {e}" for f, e in zip(flags, envs or ["-"] * len(flags))]
    return out

man_opts = []
for tags, body in man_entries("OPTIONS"):
    flags = re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", " ".join(tags))
    twin = re.search(r"^\.RB \[(.*?)\]", "\n".join(body), re.M | re.S)
    man_opts.append((flags, re.findall(r"BADSMTP_[A-Z][A-Z_]*", twin.group(1)) if twin else []))

start = next(i for i, l in enumerate(help) if l.startswith("Options"))
help_opts = []
for line in help[start + 1:help.index("Environment only:")]:
    if re.match(r"  -", line):
        help_opts.append((re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", line[:26]), []))
    elif re.match(r"    BADSMTP_", line):
        help_opts[-1][1].append(line.split()[0])
assert len(help_opts) >= 15, f"--help parsed to {help_opts}"
same(pairs(man_opts), pairs(help_opts), "options", "the man page", "--help")
'
}

@test "man page ENVIRONMENT: the variables --help lists as environment only" {
	check_py '
man_env = [v for tags, _ in man_entries("ENVIRONMENT")
           for v in re.findall(r"BADSMTP_[A-Z][A-Z_]*", " ".join(tags))]
start = help.index("Environment only:")
help_env = [l.split()[0] for l in help[start + 1:] if re.match(r"  BADSMTP_", l)]
assert len(help_env) >= 4, f"--help parsed to {help_env}"
same(man_env, help_env, "environment variables", "the man page", "--help")
'
}

@test "man page PORTS and README.md: the port table of --list-profiles" {
	check_py '
man_ports = []
for tags, body in man_entries("PORTS"):
    name = re.match(r"\.BI? ([a-z-]+)", body[0]).group(1).rstrip("-")
    man_ports.append(re.sub(r"^\.B ", "", tags[0]) + " " + name)
same(man_ports, grouped(), "port tables", "the man page", "--list-profiles")
readme = open(os.path.join(repo, "README.md")).read()
readme_ports = [f"{m.group(1)} {m.group(2)}" for m in
                re.finditer(r"^\| ([0-9]+(?:-[0-9]+)?) \| `([a-z-]+?)(?:-\{[a-z]+\})?` \|",
                            readme, re.M)]
same(readme_ports, grouped(), "port tables", "README.md", "--list-profiles")
'
}

@test "man page ERROR TRIGGERS: each reply text is what a trigger gets on the wire" {
	check_py '
texts = {}
for tags, body in man_entries("ERROR TRIGGERS"):
    code = re.sub(r"^\.[BI] ", "", tags[0])
    if re.fullmatch(r"[0-9]{3}|other", code):
        texts[code] = " ".join(body)
assert len(texts) >= 20 and "other" in texts, texts
with open(sys.argv[2] + ".codes", "w") as f:
    for code in sorted(c for c in texts if c not in ("421", "other")) + ["599", "421"]:
        f.write(code + " " + texts.get(code, texts["other"]) + "\n")
'
	local code text cmds=() want=("$G" "${EHLO_DEFAULT[@]}")
	while read -r code text; do
		cmds+=("MAIL FROM:<mail$code@example.com>")
		want+=("$code $text")
	done < "$T/list.codes"
	smtp_input 'EHLO x' "${cmds[@]}" 'QUIT'
	smtp_session
	expect_status 1
	expect_out "${want[@]}"
}
