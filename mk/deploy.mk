# deploy.mk: running, installing and checking badsmtp as a socket-activated service (SPEC §13).
# Included by the top Makefile, which defines O and BIN.
#   make run              every default port on 127.0.0.1, no root (scripts/badsmtp-run)
#   make install          binary, systemd units, man page (DESTDIR, PREFIX honoured)
#   make install-xinetd   xinetd service files into $(XINETDDIR)
#   make install-inetd    inetd.conf lines appended to $(INETDCONF)
#   make check-units      systemd-analyze verify + security (exposure <= 2.0) on the units
#   make deploy-files     rewrite the units, inetd.conf and xinetd files that list ports from
#                         --list-profiles (scripts/deploy-files)

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
UNITDIR   ?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
XINETDDIR ?= /etc/xinetd.d
INETDCONF ?= /etc/inetd.conf
INSTALL   ?= install
# Highest accepted `systemd-analyze security` exposure, in tenths (20 = 2.0).
UNIT_EXPOSURE_MAX ?= 20

UNIT_FILES   = $(wildcard systemd/*.socket systemd/*.service systemd/*.target)
UNIT_DROPINS = $(wildcard systemd/*.d/*.conf)
XINETD_FILES = $(wildcard inetd/xinetd.d/badsmtp-*)
SUBST_BINDIR = sed 's|@BINDIR@|$(BINDIR)|g'

.PHONY: run install uninstall install-xinetd uninstall-xinetd install-inetd uninstall-inetd \
        check-units deploy-files

deploy-files: $(BIN)
	scripts/deploy-files --bin $(abspath $(BIN))

run:
	@scripts/ensure-deps build
	$(MAKE) $(BIN) $(TWIN)
	scripts/badsmtp-run --bin $(abspath $(BIN)) $(RUN_ARGS)

# The twin must sit beside badsmtp-session: the static one execs it for TLS (src/handoff.h).
install: $(BIN) $(TWIN)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR)
	$(INSTALL) -m 0755 $(BIN) $(TWIN) $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 0755 scripts/badsmtp-run $(DESTDIR)$(BINDIR)/badsmtp-run
	$(INSTALL) -m 0644 man/badsmtp-session.8 $(DESTDIR)$(MANDIR)/man8/badsmtp-session.8
	set -e; for f in $(UNIT_FILES) $(UNIT_DROPINS); do \
	  d=$(DESTDIR)$(UNITDIR)/$${f#systemd/}; \
	  $(INSTALL) -d $$(dirname $$d); \
	  $(SUBST_BINDIR) $$f > $$d.tmp && chmod 0644 $$d.tmp && mv $$d.tmp $$d; \
	done
	@echo "installed; now: systemctl daemon-reload && systemctl enable --now badsmtp.target"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/badsmtp-session $(DESTDIR)$(BINDIR)/badsmtp-session-tls \
	  $(DESTDIR)$(BINDIR)/badsmtp-run
	rm -f $(DESTDIR)$(MANDIR)/man8/badsmtp-session.8
	rm -f $(patsubst systemd/%,$(DESTDIR)$(UNITDIR)/%,$(UNIT_FILES) $(UNIT_DROPINS))
	-rmdir $(sort $(patsubst systemd/%,$(DESTDIR)$(UNITDIR)/%,$(dir $(UNIT_DROPINS)))) 2>/dev/null

install-xinetd:
	$(INSTALL) -d $(DESTDIR)$(XINETDDIR)
	set -e; for f in $(XINETD_FILES); do \
	  $(SUBST_BINDIR) $$f > $(DESTDIR)$(XINETDDIR)/$${f##*/}; \
	  chmod 0644 $(DESTDIR)$(XINETDDIR)/$${f##*/}; \
	done
	@echo "installed; now: systemctl reload xinetd (or restart it)"

uninstall-xinetd:
	rm -f $(patsubst inetd/xinetd.d/%,$(DESTDIR)$(XINETDDIR)/%,$(XINETD_FILES))

# Appends between marker lines, once; uninstall-inetd removes exactly that block.
install-inetd: uninstall-inetd
	$(INSTALL) -d $(dir $(DESTDIR)$(INETDCONF))
	{ echo '# BEGIN badsmtp'; $(SUBST_BINDIR) inetd/inetd.conf; echo '# END badsmtp'; } \
	  >> $(DESTDIR)$(INETDCONF)
	@echo "installed; now: systemctl restart inetd"

uninstall-inetd:
	if [ -f $(DESTDIR)$(INETDCONF) ]; then \
	  sed -i '/^# BEGIN badsmtp$$/,/^# END badsmtp$$/d' $(DESTDIR)$(INETDCONF); fi

# Verifies the units as installed: @BINDIR@ pointing at the built binary, the man page reachable
# for Documentation=, drop-ins beside the units (systemd-analyze adds the units' directory to its
# search path, so the prefix drop-ins apply as they will once installed).
check-units: $(BIN)
	@command -v systemd-analyze >/dev/null || { echo "check-units: systemd-analyze is missing (apt-get install systemd)"; exit 1; }
	@set -e; t=$$(mktemp -d); trap 'rm -rf "$$t"' EXIT; \
	mkdir -p $$t/units $$t/man/man8; \
	cp man/badsmtp-session.8 $$t/man/man8/; \
	for f in $(UNIT_FILES) $(UNIT_DROPINS); do \
	  mkdir -p $$(dirname $$t/units/$${f#systemd/}); \
	  sed 's|@BINDIR@|$(patsubst %/,%,$(dir $(abspath $(BIN))))|g' $$f > $$t/units/$${f#systemd/}; \
	done; \
	services="$$(for s in $$t/units/*.service; do \
	  case $$s in *@.service) echo $${s%@.service}@0.service ;; *) echo $$s ;; esac; done)"; \
	echo "systemd-analyze verify $(notdir $(UNIT_FILES))"; \
	MANPATH=$$t/man systemd-analyze verify $$t/units/*.socket $$t/units/*.target $$services; \
	for u in $$services; do \
	  line=$$(systemd-analyze security --offline=true --threshold=$(UNIT_EXPOSURE_MAX) $$u 2>&1 | tail -n 1); \
	  echo "$${u##*/}: $${line#*: }"; \
	  systemd-analyze security --offline=true --threshold=$(UNIT_EXPOSURE_MAX) $$u >/dev/null 2>&1 || \
	    { echo "check-units: $${u##*/} exposure above $(UNIT_EXPOSURE_MAX)/10"; exit 1; }; \
	done; \
	echo "check-units: ok"
