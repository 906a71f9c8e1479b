# retain: hand-written Makefile. `make help` lists the targets.
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= gcc
PYTHON  ?= /usr/bin/python3

WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CFLAGS  ?= -O2 -g
PGINC   := -I/usr/include/postgresql
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -pthread $(PGINC) $(WARN) $(CFLAGS)
LIBS    := -lmicrohttpd -ljansson -lsqlite3 -lpq -lsodium -lcurl -lm -pthread
ASAN    := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SRC     := $(sort $(wildcard src/base/*.c src/store/*.c src/core/*.c src/analytics/*.c src/http/*.c src/render/*.c src/api/*.c src/cli/*.c src/web/*.c))
SCHEMA  := $(sort $(wildcard src/store/schema/*.sql))
SCHEMA_PG := $(wildcard src/store/schema/pg/*.sql)
GEN     := build/migrations.c
OBJ     := $(SRC:%.c=build/obj/%.o) build/obj/migrations.o build/obj/widget_js.o
AOBJ    := $(SRC:%.c=build/asan/%.o) build/asan/migrations.o build/asan/widget_js.o
HDR     := $(wildcard src/*/*.h)
UNIT    := $(sort $(wildcard tests/unit/*.c))

.PHONY: all run test check asan unit api api-asan lint-openapi bench clean install help deps fuzz-template browser

all: build/retain

help:
	@echo "make              build build/retain"
	@echo "make run          install what is missing, build, start a demo shop on ./retain.db"
	@echo "                  at 127.0.0.1:8080 (another port: make run RETAIN_LISTEN=127.0.0.1:9090)"
	@echo "make test         install what is missing; unit tests, API tests (normal and sanitizer"
	@echo "                  builds, then on a throwaway PostgreSQL cluster), OpenAPI lint;"
	@echo "                  ends with \"tests: N passed, N failed\""
	@echo "make check        the same as make test"
	@echo "make unit         the Criterion unit tests only"
	@echo "make api          the API tests against build/retain only"
	@echo "make api-asan     the API tests against the sanitizer build only"
	@echo "make lint-openapi lint docs/openapi.yaml (skipped without Node.js)"
	@echo "make browser      the browser tests (tests/browser: Debian chromium, playwright-core)"
	@echo "make asan         build build/asan/retain with address and undefined sanitizers"
	@echo "make bench        run the benchmarks in bench/ and append figures to bench/README.md (needs wrk)"
	@echo "make fuzz-template  libFuzzer on the e-mail templates for RETAIN_FUZZ_SECONDS (60; clang)"
	@echo "make install      install retain into \$$(DESTDIR)\$$(PREFIX)/bin (PREFIX=/usr/local)"
	@echo "make clean        remove build/"
	@echo "make deps         check for the packages retain needs; run scripts/setup if any is missing"
	@echo "make help         this list"

$(GEN): $(SCHEMA) $(SCHEMA_PG) scripts/embed-sql
	@mkdir -p $(dir $@)
	scripts/embed-sql $(SCHEMA) > $@.tmp && mv $@.tmp $@

# Issue 14: the storefront widget's script, served from the binary.
build/widget_js.c: src/web/widget.js scripts/embed-asset
	@mkdir -p $(dir $@)
	scripts/embed-asset widget_js src/web/widget.js > $@.tmp && mv $@.tmp $@

build/obj/widget_js.o: build/widget_js.c
	$(CC) $(ALL_CFLAGS) -c $< -o $@

build/asan/widget_js.o: build/widget_js.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(ASAN) -c $< -o $@

build/obj/%.o: %.c $(HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

build/obj/migrations.o: $(GEN)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

build/obj/src/main.o: src/main.c $(HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

build/retain: $(OBJ) build/obj/src/main.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

build/asan/%.o: %.c $(HDR)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -pthread $(PGINC) $(WARN) $(ASAN) -c $< -o $@

build/asan/migrations.o: $(GEN)
	$(CC) -std=c11 -D_GNU_SOURCE -pthread $(PGINC) $(WARN) $(ASAN) -c $< -o $@

build/asan/retain: $(AOBJ) build/asan/src/main.o
	$(CC) $(ASAN) -o $@ $^ $(LIBS)

asan: build/asan/retain

build/unit-tests: $(OBJ) $(UNIT) $(HDR)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $(UNIT) $(OBJ) $(LIBS) -lcriterion

# `make run` and `make test` install what is missing: scripts/check-deps finds
# it, scripts/setup (idempotent; as root or through sudo) installs it and says
# what, and the check runs again. CHECK_DEPS and SETUP may be overridden (to
# try this logic without touching the machine's packages).
CHECK_DEPS ?= scripts/check-deps
SETUP      ?= scripts/setup
deps:
	@$(CHECK_DEPS) || { echo "retain: running $(SETUP) to install what is missing"; \
		$(SETUP) && $(CHECK_DEPS); }

unit: deps build/unit-tests
	build/unit-tests --jobs 2

api: deps build/retain
	RETAIN_BIN=$(CURDIR)/build/retain $(PYTHON) -m pytest -q -p no:cacheprovider tests/api

api-asan: deps build/asan/retain
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	RETAIN_BIN=$(CURDIR)/build/asan/retain RETAIN_ASAN=1 \
	$(PYTHON) -m pytest -q -p no:cacheprovider tests/api

lint-openapi:
	@scripts/lint-openapi

# Issue 14: the browser tests alone, against build/retain.
browser: deps build/retain
	RETAIN_BIN=$(CURDIR)/build/retain node --test --test-reporter=spec tests/browser/

test: deps
	@$(MAKE) --no-print-directory -j2 build/retain build/asan/retain build/unit-tests
	@scripts/run-tests

check: test

run: deps
	@$(MAKE) --no-print-directory build/retain
	@scripts/run-demo

bench: build/retain
	bench/run
	bench/coupons
	bench/shopify_inbound
	bench/showcase
	bench/service
	bench/pg_nodes
	bench/webhooks
	bench/recommendations
	bench/dashboard

# libFuzzer on the e-mail templates (clang; not part of make test, which runs a
# bounded random pass in the unit tests): build/fuzz-template -max_total_time=60
FUZZ_TEMPLATE_SRC := tests/fuzz/fuzz_template.c src/base/template.c src/base/arena.c \
	src/base/buf.c src/base/err.c src/base/utf8_repair.c src/base/utf8.c
build/fuzz-template: $(FUZZ_TEMPLATE_SRC) $(HDR)
	@mkdir -p build
	clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Isrc -o $@ $(FUZZ_TEMPLATE_SRC)

fuzz-template: build/fuzz-template
	build/fuzz-template -max_total_time=$${RETAIN_FUZZ_SECONDS:-60}

install: build/retain
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 build/retain $(DESTDIR)$(PREFIX)/bin/retain

clean:
	rm -rf build
