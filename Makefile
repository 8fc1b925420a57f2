# purdah — keeps UK council communications politically neutral.
#
#   make            build bin/purdah (and bin/purdah-serve, for purdah serve)
#   make run        the main job on the shipped defaults
#   make check      every test, in a normal and an ASan+UBSan build
#   make fuzz       libFuzzer targets (FUZZ_SECONDS each, default 60)
#   make bench      benchmarks with their baselines
#   make lint       clang-format check, cppcheck, header check, banned calls
#   make valgrind   the unit tests and corpus replays under valgrind
#
# `run` and `check` first install any missing Debian packages (apt-get, only
# when something is missing; sudo when not root).

SHELL := /bin/bash
.DEFAULT_GOAL := all
.SUFFIXES:

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
BUILD ?= build
V ?= release

DEB_PKGS := gcc make pkg-config tzdata ca-certificates \
	libical-dev libyaml-dev libjansson-dev libcmocka-dev \
	libpcre2-dev libutf8proc-dev libxml2-dev libsodium-dev libcsv-dev \
	libmicrohttpd-dev libcurl4-openssl-dev libsqlite3-dev sqlite3 \
	ripgrep git python3 python3-feedparser curl libxml2-utils \
	clang libclang-rt-14-dev llvm valgrind clang-format cppcheck

# purdah-serve alone links libmicrohttpd and libcurl (src/cli/main.c says
# why); everything else links the base libraries.
PC_BASE := libical yaml-0.1 jansson libpcre2-8 libutf8proc libxml-2.0 libsodium \
	sqlite3
PC_LIBS := $(PC_BASE) libmicrohttpd libcurl

WARN := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2
ifeq ($(CI),true)
WERROR ?= -Werror
endif
BASE_CPPFLAGS := -D_DEFAULT_SOURCE -Iinclude -Isrc -MMD -MP

# pkg-config runs once, when first needed (after `deps` has installed it).
PC_CFLAGS = $(eval PC_CFLAGS := $(shell pkg-config --cflags $(PC_LIBS) \
	2>/dev/null))$(PC_CFLAGS)
PC_LDLIBS = $(eval PC_LDLIBS := $(shell pkg-config --libs $(PC_LIBS) \
	2>/dev/null) -lical -lcsv -lpthread -lm)$(PC_LDLIBS)
PC_BASE_LDLIBS = $(eval PC_BASE_LDLIBS := $(shell pkg-config --libs \
	$(PC_BASE) 2>/dev/null) -lical -lcsv -lpthread -lm)$(PC_BASE_LDLIBS)

ifeq ($(V),asan)
VCFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
VLDFLAGS := -fsanitize=address,undefined
else ifeq ($(V),release)
VCFLAGS := -O2 -g
VLDFLAGS :=
else
$(error V must be release or asan)
endif

OUT := $(BUILD)/$(V)
CFLAGS_ALL = $(WARN) $(WERROR) $(VCFLAGS) $(BASE_CPPFLAGS) $(PC_CFLAGS) $(CFLAGS)

LIB_SRC := $(sort $(wildcard src/core/*.c src/dep/*.c))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
SERVER_SRC := $(sort $(wildcard src/server/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_HELPERS := $(filter-out $(UNIT_SRC),$(sort $(wildcard tests/unit/*.c)))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
BENCH_SRC := $(sort $(wildcard tests/bench/bench_*.c))
BENCH_HELPERS := $(filter-out $(BENCH_SRC),$(sort $(wildcard tests/bench/*.c)))

LIB_OBJ := $(LIB_SRC:%.c=$(OUT)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(OUT)/obj/%.o)
SERVER_OBJ := $(SERVER_SRC:%.c=$(OUT)/obj/%.o)
LIB := $(OUT)/libpurdah.a
# The HTTP service (src/server): a front-end, linked into purdah and tests.
SERVER_LIB := $(OUT)/libpurdah-server.a
BIN := $(OUT)/purdah
SERVE_BIN := $(OUT)/purdah-serve
BIN_OBJ := $(filter-out %/cmd_serve.o,$(CLI_OBJ))
SERVE_OBJ := $(filter-out %/main.o,$(CLI_OBJ)) $(OUT)/obj/src/cli/main-serve.o
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(OUT)/tests/%)
UNIT_HELPER_OBJ := $(UNIT_HELPERS:%.c=$(OUT)/obj/%.o)
REPLAY_BIN := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(OUT)/replay/replay_%)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(OUT)/bench/%)

.PHONY: all deps build run check check-build check-run fuzz bench lint \
	valgrind clean
all: bin/purdah bin/purdah-serve

bin/purdah: $(BUILD)/release/purdah
	@mkdir -p bin
	cp $< $@

bin/purdah-serve: $(BUILD)/release/purdah-serve
	@mkdir -p bin
	cp $< $@

ifneq ($(V),release)
$(BUILD)/release/purdah $(BUILD)/release/purdah-serve: FORCE
	$(MAKE) --no-print-directory V=release $@
endif
.PHONY: FORCE
FORCE:

$(OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(SERVER_LIB): $(SERVER_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(OUT)/obj/src/cli/main-serve.o: src/cli/main.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DPD_SERVE_BINARY -c $< -o $@

$(BIN): $(BIN_OBJ) $(LIB)
	$(CC) $(VLDFLAGS) $(LDFLAGS) -o $@ $(BIN_OBJ) $(LIB) $(PC_BASE_LDLIBS)

$(SERVE_BIN): $(SERVE_OBJ) $(SERVER_LIB) $(LIB)
	$(CC) $(VLDFLAGS) $(LDFLAGS) -o $@ $(SERVE_OBJ) $(SERVER_LIB) $(LIB) \
		$(PC_LDLIBS)

$(OUT)/tests/%: $(OUT)/obj/tests/unit/%.o $(UNIT_HELPER_OBJ) $(SERVER_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(VLDFLAGS) $(LDFLAGS) -o $@ $< $(UNIT_HELPER_OBJ) $(SERVER_LIB) $(LIB) \
		$(PC_LDLIBS) -lcmocka

$(OUT)/replay/replay_%: $(OUT)/obj/tests/fuzz/fuzz_%.o $(OUT)/obj/tests/fuzz/replay.o $(SERVER_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(VLDFLAGS) $(LDFLAGS) -o $@ $^ $(PC_LDLIBS)

$(OUT)/bench/%: $(OUT)/obj/tests/bench/%.o $(BENCH_HELPERS:%.c=$(OUT)/obj/%.o) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(VLDFLAGS) $(LDFLAGS) -o $@ $^ $(PC_LDLIBS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# --- the README's two commands --------------------------------------------

# Installs what is missing of $(1) (apt-get; sudo when not root).
define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' \
	    || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "purdah: installing missing Debian packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq \
	    --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install_missing,$(DEB_PKGS))

run: deps
	@$(MAKE) --no-print-directory bin/purdah bin/purdah-serve
	@echo "== purdah status (shipped calendars, $$(date +%F)) =="
	@bin/purdah status
	@echo
	@echo "== purdah serve: the example routes of purdah.yaml (Ctrl-C stops) =="
	@echo "  curl -i http://127.0.0.1:8080/feeds/councillors.rss"
	@echo "  curl -i http://127.0.0.1:8080/feeds/news.rss"
	@echo "  curl -i http://127.0.0.1:8080/whats-on.html"
	@echo "  curl -i -X POST http://127.0.0.1:8080/forum/abbey.rss"
	@echo "  curl -s http://127.0.0.1:8080/v1/status"
	@echo "  curl -s -H 'Content-Type: application/json' -d '{\"text\":\"Vote Labour\"}' http://127.0.0.1:8080/v1/check"
	@echo "  curl -s http://127.0.0.1:8080/metrics"
	@exec bin/purdah serve

check: deps browser-deps
	@$(MAKE) --no-print-directory V=release check-build
	@$(MAKE) --no-print-directory V=asan check-build
	@tests/run.sh $(BUILD)/release $(BUILD)/asan

check-build: $(BIN) $(SERVE_BIN) $(UNIT_BIN) $(REPLAY_BIN) \
	$(if $(filter release,$(V)),bin/purdah bin/purdah-serve)

# --- BROWSER: the review pages' browser test (tests/browser) -------------
# Debian's chromium, driven by playwright-core from npm (pinned in
# tests/browser/package-lock.json; it never downloads a browser of its own).
# Node.js and npm: the ones on the PATH when both are there (a nodesource
# nodejs bundles npm: Debian's npm must not be installed beside it), else
# Debian's nodejs and npm.
BROWSER_PKGS := chromium fonts-dejavu-core
BROWSER_NODE_PKGS = $(if $(and $(shell command -v node 2>/dev/null),$(shell \
	command -v npm 2>/dev/null)),,nodejs npm)

.PHONY: browser-deps
browser-deps:
	$(call install_missing,$(BROWSER_PKGS) $(BROWSER_NODE_PKGS))
# --- end of the BROWSER block ---------------------------------------------

# --- fuzzing (clang libFuzzer) --------------------------------------------

FUZZ_SECONDS ?= 60
FUZZ_OUT := $(BUILD)/fuzz
FUZZ_CFLAGS := -std=c11 -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
	$(BASE_CPPFLAGS) $(PC_CFLAGS)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_OUT)/obj/%.o) \
	$(SERVER_SRC:%.c=$(FUZZ_OUT)/obj/%.o)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_OUT)/%)

$(FUZZ_OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_OUT)/fuzz_%: $(FUZZ_OUT)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJ)
	clang -fsanitize=fuzzer,address,undefined -o $@ $^ $(PC_LDLIBS)

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@tests/fuzz/run.sh $(FUZZ_OUT) $(FUZZ_SECONDS)

# --- benchmarks -----------------------------------------------------------

# The HTTP benchmark's load generator and baseline (tests/bench/serve.sh).
BENCH_PKGS := wrk nginx-light

bench: deps
	$(call install_missing,$(BENCH_PKGS))
	@$(MAKE) --no-print-directory V=release $(BENCH_BIN) bin/purdah \
		$(BUILD)/release/purdah-serve
	@tests/bench/run.sh $(BUILD)/release

# --- style ----------------------------------------------------------------

C_FILES = $(shell find src include tests -name '*.[ch]' -not -path '*/node_modules/*')
lint: deps
	@echo "clang-format"; clang-format --dry-run -Werror $(C_FILES)
	@echo "cppcheck"; cppcheck --quiet --error-exitcode=1 --std=c11 \
		--enable=warning,portability --inline-suppr \
		--suppress=missingIncludeSystem -Iinclude -Isrc src
	@echo "headers stand alone"; for h in include/purdah/*.h; do \
		echo "#include \"$${h#include/}\"" | $(CC) $(WARN) -Werror \
		-Iinclude -x c -fsyntax-only - || exit 1; done
	@echo "banned calls"; ! grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol)\s*\(' \
		$(C_FILES) | grep -v '^\S*:\s*\*'

valgrind: deps
	@$(MAKE) --no-print-directory V=release check-build
	@VALGRIND=1 tests/run.sh $(BUILD)/release

clean:
	rm -rf $(BUILD) bin
