# nslab: build a Linux container in ten labs. Everything starts here.
#
#   make lab01          build labs/01_clone_uts.c and run the checks of lab 01 (root only where
#                       users may not make user namespaces; make doctor says)
#   make grade          grade every lab of LABS from SUBMISSION (default labs/)
#   make solutions      the same over solutions/ (must be full marks)
#   make test           the kit's own test suite
#   make doctor         what this machine can run
#   make generate       write labs/ and solutions/NN_*.c from solutions/container.c
#
# The README says more; CONTRACT.md (shared with the course) fixes the rules.

CC ?= cc
CFLAGS = -std=gnu11 -Wall -Wextra -Werror -O2
BUILD = build
# The labs that are ready, in order, from the kit's one list of labs.
LAB_NAMES := $(shell awk -F'\t' '$$3 == "ready" { print $$2 }' grading/labs.tsv)
LABS ?=
SUBMISSION ?= labs
GRADE_OUT ?= $(BUILD)/grade

SETUP = sh harness/setup.sh
ROOT_ONLY = @if [ "$$(id -u)" -ne 0 ]; then echo "make $@: needs root (the test world creates namespaces): run sudo make $@" >&2; exit 2; fi
# Grading works without root where the kernel lets a user make a user namespace.
WORLD_OK = @if [ "$$(id -u)" -ne 0 ] && ! unshare --user --map-root-user --mount true 2>/dev/null; then \
    echo "make $@: needs root here (this machine does not let users create user namespaces; make doctor says why): run sudo make $@" >&2; exit 2; fi

HARNESS_SRC = harness/main.c harness/verdict.c harness/world.c harness/world_fs.c harness/world_cgroup.c \
              harness/world_lab.c harness/world_proc.c harness/needs.c harness/util.c grading/registry.c \
              harness/checks_01.c harness/checks_02.c harness/checks_03.c harness/checks_04.c \
              harness/checks_05.c harness/checks_06.c harness/checks_07.c harness/checks_08.c \
              harness/checks_09.c harness/checks_10.c
HARNESS_HDR = harness/verdict.h harness/world.h harness/world_int.h harness/needs.h harness/util.h grading/registry.h
PKG_HARNESS = check json-c libseccomp

.PHONY: all setup setup-test tools generate grade solutions test doctor handouts handout-shots clean asan \
        rootfs rootfs-quiet dist gradescope
.DEFAULT_GOAL := all

all: tools

# The setup step: every target that builds or runs something depends on it.
setup:
	@$(SETUP) core
setup-test:
	@$(SETUP) core test handouts

# (The root filesystem too: lab 10's checks copy it into each test world.)
tools: setup $(BUILD)/nslab-check $(BUILD)/nslab-probe $(BUILD)/nslab-grade rootfs-quiet

$(BUILD)/nslab-check: $(HARNESS_SRC) $(HARNESS_HDR) | setup
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Igrading $$(pkg-config --cflags $(PKG_HARNESS)) -o $@ $(HARNESS_SRC) $$(pkg-config --libs $(PKG_HARNESS))

# Static, so that it runs the same inside any container's root filesystem.
$(BUILD)/nslab-probe: harness/probe.c | setup
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -o $@ harness/probe.c

$(BUILD)/test_util: harness/tests/test_util.c harness/util.c harness/util.h | setup
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iharness $$(pkg-config --cflags check) -o $@ harness/tests/test_util.c harness/util.c $$(pkg-config --libs check)

$(BUILD)/web_check: harness/tests/web_check.c | setup
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $$(pkg-config --cflags libxml-2.0) -o $@ harness/tests/web_check.c $$(pkg-config --libs libxml-2.0)

$(BUILD)/test_kit: harness/tests/test_kit.c grading/registry.c grading/registry.h | setup
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Igrading $$(pkg-config --cflags check json-c) -o $@ harness/tests/test_kit.c grading/registry.c \
	    $$(pkg-config --libs check json-c)

include grading/grading.mk

# ---- One source, twenty files ---------------------------------------------
generate: | setup
	$(KIT_ONLY)
	sh solutions/generate.sh solutions/container.c . $(LAB_NAMES)

# ---- Grading ----------------------------------------------------------------
# make lab01 .. make lab10: the checks of labs 01..NN against labs/NN_*.c.
# CHECK=name runs one check (its name or a part of it) and shows all the
# harness saw; V=1 shows that for every check.
GRADE_FLAGS = $(if $(CHECK),--only "$(CHECK)" --details) $(if $(V),--details)

lab%: tools
	$(WORLD_OK)
	@$(BUILD)/nslab-grade --labs "$*" --submission labs --out $(GRADE_OUT) $(GRADE_FLAGS)

# make try03 ARGS='--init -- sh': build labs/03_*.c (TRY_FROM=solutions: the reference) and run
# it once by hand, with your terminal, in a throwaway test world. HOST='CMD' also runs CMD on the
# world's host side half a second after the lab starts, with $CONTAINER the container's first PID.
TRY_FROM ?= labs
try%: export NSLAB_HOST = $(value HOST)
try%: tools
	$(WORLD_OK)
	@src=$$(ls $(TRY_FROM)/$*_*.c 2>/dev/null | head -n 1); \
	if [ -z "$$src" ]; then echo "make $@: no $(TRY_FROM)/$*_*.c" >&2; exit 2; fi; \
	mkdir -p $(BUILD)/try && name=$$(basename "$$src" .c) && \
	sh harness/compile-lab.sh "$$src" "$(BUILD)/try/$$name" || exit 2; \
	exec $(BUILD)/nslab-check --lab "$$name" --program "$(BUILD)/try/$$name" --try -- $(value ARGS)

grade: tools
	$(WORLD_OK)
	@$(BUILD)/nslab-grade $(if $(LABS),--labs "$(LABS)") --submission "$(SUBMISSION)" --out $(GRADE_OUT) $(GRADE_FLAGS)

# make start04: your own finished labs/03_*.c with lab 04's new scaffolding
# merged in (a three-way merge, as MIT's JOS labs did), as labs/04_*.c.
start%: setup
	@sh grading/start.sh "$*"

# The kit's own targets need its solutions: the student release has none.
KIT_ONLY = @if [ ! -f solutions/container.c ]; then echo "make $@: not in the student release (your instructor has it)" >&2; exit 2; fi

solutions: tools
	$(KIT_ONLY)
	$(WORLD_OK)
	@$(BUILD)/nslab-grade $(if $(LABS),--labs "$(LABS)") --submission solutions --out $(BUILD)/grade-solutions

# ---- The kit's own tests ------------------------------------------------------
ifneq ($(wildcard harness/tests/test_kit.c),)
test: setup-test tools $(BUILD)/test_util $(BUILD)/test_kit $(BUILD)/test_grader $(BUILD)/web_check
else
test:
endif
	$(KIT_ONLY)
	$(ROOT_ONLY)
	@sh harness/tests/run.sh

# The harness and the grader under AddressSanitizer, over the solutions.
asan: setup
	$(KIT_ONLY)
	$(ROOT_ONLY)
	@mkdir -p $(BUILD)/asan
	$(CC) $(CFLAGS) -g -fsanitize=address,undefined -fno-omit-frame-pointer -Igrading $$(pkg-config --cflags $(PKG_HARNESS)) \
	    -o $(BUILD)/asan/nslab-check $(HARNESS_SRC) $$(pkg-config --libs $(PKG_HARNESS))
	cp $(BUILD)/nslab-probe $(BUILD)/asan/nslab-probe
	ln -sfn ../rootfs $(BUILD)/asan/rootfs
	$(MAKE) --no-print-directory $(BUILD)/asan/nslab-grade
	$(BUILD)/asan/nslab-grade --harness $(BUILD)/asan/nslab-check --submission solutions --out $(BUILD)/asan/grade

doctor:
	@bash harness/doctor.sh

# The handouts as web pages, English and Chinese, figures drawn by graphviz:
# open build/handouts/index.html.
handouts:
	@$(SETUP) core handouts
	@rm -rf $(BUILD)/handouts
	@sh handouts/web/build.sh $(BUILD)/handouts

# Every page of the web handouts in headless Chromium: build/handout-shots/*.png.
handout-shots: handouts
	@$(SETUP) screenshots
	@sh handouts/web/screenshots.sh $(BUILD)/handouts $(BUILD)/handout-shots

demo%: setup
	$(KIT_ONLY)
	$(ROOT_ONLY)
	@sh harness/demo.sh "$*"

# The root filesystem lab 10 pivots into: busybox, or FROM=a tarball as
# docker export writes it. No root needed; rebuilt only when its inputs change.
rootfs: setup
	@sh rootfs-builder/build.sh $(if $(FROM),--from "$(FROM)")
rootfs-quiet: setup
	@sh rootfs-builder/build.sh > /dev/null

# Gradescope's autograder: build/autograder.zip (setup.sh and run_autograder at
# its top, the kit beside them); LABS="03" makes one assignment's (lab 03 only).
gradescope:
	$(KIT_ONLY)
	@$(SETUP) core gradescope
	@sh grading/gradescope/pack.sh "$(LABS)"

# The student release: build/dist/nslab/ and build/dist/nslab.tar.gz, labs
# 01..UPTO (default all), no answer in it (grading/dist.sh says what is in it).
dist: setup
	$(KIT_ONLY)
	@$(SETUP) core handouts
	@sh grading/dist.sh "$(UPTO)"

clean:
	rm -rf $(BUILD)
