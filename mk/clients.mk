# clients.mk: the client cookbook (clients/run). Included by the top Makefile, which defines
# BIN and TWIN. Not part of `make check`: it installs language runtimes.
#   make clients        installs what the nine libraries need (apt-get and npm, as root; otherwise
#                       it prints what to install), runs every scenario of clients/scenarios.py
#                       with each and writes doc/clients.md; fails when a run broke a badsmtp rule
#   make clients-fast   smtplib, curl, swaks and msmtp only, as TAP, installing nothing (the
#                       packages are those of `make check`); well under a minute
# CLIENTS_ARGS is passed to clients/run (e.g. CLIENTS_ARGS="--libraries curl --scenarios plain").
# Built and fetched things (nodemailer, the Go and Java clients) and each run's evidence go to
# $(CLIENTS_BUILD).

CLIENTS_BUILD ?= build/clients

.PHONY: clients clients-fast
clients: $(BIN) $(TWIN)
	clients/run --bin $(abspath $(BIN)) --build $(abspath $(CLIENTS_BUILD)) \
	  --doc doc/clients.md $(CLIENTS_ARGS)

clients-fast: $(BIN) $(TWIN)
	clients/run --fast --tap --bin $(abspath $(BIN)) --build $(abspath $(CLIENTS_BUILD)) \
	  $(CLIENTS_ARGS)
