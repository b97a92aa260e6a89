# nslab: build a Linux container in ten labs. Everything starts here.
#
#   make lab01          build labs/01_clone_uts.c and run the checks of lab 01 (root only where
#                       users may not make user namespaces; make doctor says)
#   make try01          run it once by hand, in a throwaway test world
#   make hint01         the next hint of lab 01
#   make grade          grade every lab of LABS from SUBMISSION (default labs/)
#   make doctor         what this machine can run
#   make vm             what grading in a VM needs, where no user namespace can be made (root, network)
# >>> kit only (make dist leaves this out of the student release)
#   make solutions      the same over solutions/ (must be full marks)
#   make test           the kit's own test suite; make check, its fast part
#   make generate       write labs/ and solutions/NN_*.c from solutions/container.c
# The README says more; CONTRACT.md (shared with the course) fixes the rules.
# <<< kit only

CC ?= cc
CFLAGS = -std=gnu11 -Wall -Wextra -Werror -O2
BUILD = build
# The labs, and every fact about one, come from grading/labs.tsv through
# $(BUILD)/nslab-check (list, info, needs, compile, doctor): nothing here
# names or counts them.
LABS ?=
SUBMISSION ?= labs
GRADE_OUT ?= $(BUILD)/grade

SETUP = sh harness/setup.sh
ROOT_ONLY = @if [ "$$(id -u)" -ne 0 ]; then echo "make $@: needs root (the test world creates namespaces): run sudo make $@" >&2; exit 2; fi
# Grading works without root where the kernel lets a user make a user namespace.
WORLD_OK = @if [ "$$(id -u)" -ne 0 ] && ! unshare --user --map-root-user --mount true 2>/dev/null; then \
    echo "make $@: needs root here (this machine does not let users create user namespaces; make doctor says why): run sudo make $@" >&2; exit 2; fi
# Grading also works where no user namespace can be made at all, in a VM
# (grading/vm.c), once make vm has fetched what it needs.
GRADE_OK = @if [ "$$(id -u)" -ne 0 ] && ! unshare --user --map-root-user --mount true 2>/dev/null && \
    { [ "$${NSLAB_VM:-}" = no ] || ! sh harness/vm.sh --status >/dev/null 2>&1; }; then \
    echo "make $@: needs root here (this machine does not let users create user namespaces; make doctor says why): run sudo make $@ (or sudo make vm once, to grade in a VM)" >&2; exit 2; fi

# The harness: its world (harness/world/), its checks (harness/checks/: every
# checks_NN.c there is a layer, registered by LAYER()), and its commands.
HARNESS_SRC = harness/main.c harness/ask.c harness/compile.c harness/byhand.c harness/doctor.c harness/needs.c harness/util.c \
              $(wildcard harness/world/*.c) harness/checks/verdict.c harness/checks/judge.c \
              $(sort $(wildcard harness/checks/checks_[0-9]*.c)) grading/registry.c
HARNESS_HDR = $(wildcard harness/*.h harness/world/*.h harness/checks/*.h) grading/registry.h
HARNESS_INC = -Iharness -Iharness/world -Iharness/checks -Igrading
PKG_HARNESS = check json-c libseccomp

.PHONY: all setup tools grade doctor handouts clean rootfs rootfs-quiet vm
.DEFAULT_GOAL := all

all: tools

# The setup step: every target that builds or runs something depends on it.
setup:
	@$(SETUP) core

# (The root filesystem too: lab 10's checks copy it into each test world.)
tools: setup $(BUILD)/nslab-check $(BUILD)/nslab-probe $(BUILD)/nslab-grade rootfs-quiet

$(BUILD)/nslab-check: $(HARNESS_SRC) $(HARNESS_HDR) | setup
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(HARNESS_INC) $$(pkg-config --cflags $(PKG_HARNESS)) -o $@ $(HARNESS_SRC) $$(pkg-config --libs $(PKG_HARNESS))

# Static, so that it runs the same inside any container's root filesystem.
$(BUILD)/nslab-probe: harness/probe.c | setup
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -o $@ harness/probe.c

include grading/grading.mk

# ---- Grading ----------------------------------------------------------------
# make lab01 .. make lab10: the checks of labs 01..NN against labs/NN_*.c.
# CHECK=name runs one check (its name or a part of it) and shows all the
# harness saw; V=1 shows that for every check.
GRADE_FLAGS = $(if $(CHECK),--only "$(CHECK)" --details) $(if $(V),--details)

lab%: tools
	$(GRADE_OK)
	@$(BUILD)/nslab-grade --labs "$*" --submission labs --out $(GRADE_OUT) $(GRADE_FLAGS)

# make try03 ARGS='--init -- sh': build labs/03_*.c and run it once by hand, with your
# terminal, in a throwaway test world. HOST='CMD' also runs CMD on the
# world's host side half a second after the lab starts, with $CONTAINER the container's first PID.
TRY_SRC = labs
try%: export NSLAB_HOST = $(value HOST)
try%: tools
	$(WORLD_OK)
	@name=$$($(BUILD)/nslab-check info "$*" name) || exit 2; src=$(TRY_SRC)/$$name.c; \
	if [ ! -f "$$src" ]; then echo "make $@: no $$src" >&2; exit 2; fi; \
	mkdir -p $(BUILD)/try && $(BUILD)/nslab-check compile "$$name" "$$src" "$(BUILD)/try/$$name" || exit 2; \
	exec $(BUILD)/nslab-check --lab "$$name" --program "$(BUILD)/try/$$name" --try -- $(value ARGS)

grade: tools
	$(GRADE_OK)
	@$(BUILD)/nslab-grade --find $(if $(LABS),--labs "$(LABS)") --submission "$(SUBMISSION)" --out $(GRADE_OUT) $(GRADE_FLAGS)

# make hint03: lab 03's next hint, one at a time (N=2: hint 2 again, once open).
hint%: $(BUILD)/nslab-check
	@sh grading/hint.sh "$*"

# make start04: your own finished labs/03_*.c with lab 04's new scaffolding
# merged in (a three-way merge, as MIT's JOS labs did), as labs/04_*.c.
start%: $(BUILD)/nslab-check
	@sh grading/start.sh "$*"

doctor:
	@bash harness/doctor.sh

# Where no user namespace can be made (a container, as Gradescope's), the
# grader grades in a small VM: QEMU, a stock kernel and a static busybox,
# fetched here once (as root, with the network) into build/qemu, so that
# grading needs no network (harness/vm.sh --fetch).
vm:
	@sh harness/vm.sh --fetch

# The handouts as web pages, English and Chinese, figures drawn by graphviz:
# open build/handouts/index.html.
handouts:
	@$(SETUP) core handouts
	@rm -rf $(BUILD)/handouts
	@sh handouts/web/build.sh $(BUILD)/handouts

# The root filesystem lab 10 pivots into: busybox, or FROM=a tarball as
# docker export writes it. No root needed; rebuilt only when its inputs change.
rootfs: setup
	@sh rootfs-builder/build.sh $(if $(FROM),--from "$(FROM)")
rootfs-quiet: setup
	@sh rootfs-builder/build.sh > /dev/null

clean:
	rm -rf $(BUILD)

# >>> kit only: the instructor's and the kit's own targets (make dist leaves
# this block out of the student release, which has no solutions, tests or demos).
.PHONY: setup-test generate solutions test check asan handout-shots dist gradescope regrade
setup-test:
	@$(SETUP) core test handouts

# make try03 TRY_FROM=solutions: the reference solution by hand.
TRY_SRC = $(if $(TRY_FROM),$(TRY_FROM),labs)

# The kit's own targets need its solutions: a copy of the release has none.
KIT_ONLY = @if [ ! -f solutions/container.c ]; then echo "make $@: not in the student release (your instructor has it)" >&2; exit 2; fi

solutions: tools
	$(KIT_ONLY)
	$(GRADE_OK)
	@$(BUILD)/nslab-grade $(if $(LABS),--labs "$(LABS)") --submission solutions --out $(BUILD)/grade-solutions

# ---- The kit's own tests ------------------------------------------------------
# make test: every step (TAP; the last line "N passed, N failed"); T='GLOB'
# runs only the steps whose names match (make test T='kit_*'). make check:
# the fast steps (static checks, unit tests, generated files, solutions and
# starters), in under two minutes, without root where users may make user
# namespaces. Each step builds what it reads.
TEST_TOOLS = tools $(BUILD)/test_util $(BUILD)/test_judge $(BUILD)/test_kit $(BUILD)/test_grader
ifneq ($(wildcard harness/tests/test_kit.c),)
test: setup-test $(TEST_TOOLS)
check: setup-test $(TEST_TOOLS)
else
test:
check:
endif
# (The copies of the kit that tests make, Gradescope's among them, use this
# checkout's VM kernel: fetched once.)
test check: export NSLAB_QEMU_CACHE ?= $(CURDIR)/$(BUILD)/qemu
test:
	$(KIT_ONLY)
	$(ROOT_ONLY)
	@sh harness/tests/run.sh $(T)
check:
	$(KIT_ONLY)
	$(WORLD_OK)
	@sh harness/tests/run.sh --fast $(T)

# The harness and the grader under AddressSanitizer, over the solutions.
asan: setup
	$(KIT_ONLY)
	$(ROOT_ONLY)
	@mkdir -p $(BUILD)/asan
	$(CC) $(CFLAGS) -g -fsanitize=address,undefined -fno-omit-frame-pointer $(HARNESS_INC) $$(pkg-config --cflags $(PKG_HARNESS)) \
	    -o $(BUILD)/asan/nslab-check $(HARNESS_SRC) $$(pkg-config --libs $(PKG_HARNESS))
	cp $(BUILD)/nslab-probe $(BUILD)/asan/nslab-probe
	ln -sfn ../rootfs $(BUILD)/asan/rootfs
	$(MAKE) --no-print-directory $(BUILD)/asan/nslab-grade
	$(BUILD)/asan/nslab-grade --harness $(BUILD)/asan/nslab-check --submission solutions --out $(BUILD)/asan/grade


$(BUILD)/test_util: harness/tests/test_util.c harness/util.c harness/util.h | setup
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iharness $$(pkg-config --cflags check) -o $@ harness/tests/test_util.c harness/util.c $$(pkg-config --libs check)

# The verdict ladder alone, with made-up results (no world, no root).
$(BUILD)/test_judge: harness/tests/test_judge.c harness/checks/judge.c harness/checks/judge.h harness/util.c harness/util.h | setup
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(HARNESS_INC) $$(pkg-config --cflags check) -o $@ harness/tests/test_judge.c harness/checks/judge.c \
	    harness/util.c $$(pkg-config --libs check)

# Runs a command where no namespace can be made, as Docker's default seccomp profile does.
$(BUILD)/forbid_userns: harness/tests/forbid_userns.c | setup
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $$(pkg-config --cflags libseccomp) -o $@ harness/tests/forbid_userns.c $$(pkg-config --libs libseccomp)

$(BUILD)/web_check: harness/tests/web_check.c | setup
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $$(pkg-config --cflags libxml-2.0) -o $@ harness/tests/web_check.c $$(pkg-config --libs libxml-2.0)

# The kit's end-to-end tests; the broken variants come one file a lab.
$(BUILD)/variants.inc: $(sort $(wildcard harness/tests/variants/*.inc))
	@mkdir -p $(@D)
	cat $^ > $@

$(BUILD)/starters.inc: $(sort $(wildcard harness/tests/starters/*.inc))
	@mkdir -p $(@D)
	cat $^ > $@

$(BUILD)/test_kit: harness/tests/test_kit.c $(BUILD)/variants.inc $(BUILD)/starters.inc grading/registry.c grading/registry.h | setup
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Igrading -I$(BUILD) $$(pkg-config --cflags check json-c) -o $@ harness/tests/test_kit.c grading/registry.c \
	    $$(pkg-config --libs check json-c)

# ---- One source, twenty files ---------------------------------------------
generate: $(BUILD)/nslab-check
	$(KIT_ONLY)
	sh solutions/generate.sh solutions/container.c . $$($(BUILD)/nslab-check list)

# make demo03: an instructor's narrated demo, in the grader's own test world
# (no root needed wherever grading needs none).
demo%: tools
	$(KIT_ONLY)
	$(WORLD_OK)
	@sh harness/demo.sh "$*"

# Every page of the web handouts in headless Chromium: build/handout-shots/*.png.
handout-shots: handouts
	@$(SETUP) screenshots
	@sh handouts/web/screenshots.sh $(BUILD)/handouts $(BUILD)/handout-shots

# Gradescope's autograder: build/autograder.zip (setup.sh and run_autograder at
# its top, the kit beside them); LABS="03" makes one assignment's (lab 03 only).
# make regrade CLASS=DIR [LABS="03 04"] [OUT=DIR] [JOBS=N] [FORCE=1]: grade a whole
# class again, DIR holding one folder per student; a gradebook CSV and each
# student's results.json in OUT (default build/regrade). grading/regrade.sh says more.
regrade: tools
	$(KIT_ONLY)
	$(WORLD_OK)
	@bash grading/regrade.sh "$(CLASS)" "$(LABS)" "$(if $(OUT),$(OUT),$(BUILD)/regrade)" "$(JOBS)"

gradescope: $(BUILD)/nslab-check
	$(KIT_ONLY)
	@$(SETUP) core gradescope
	@sh grading/gradescope/pack.sh "$(LABS)"

# The student release: build/dist/nslab/ and build/dist/nslab.tar.gz, labs
# 01..UPTO (default all), no answer in it (grading/dist.sh says what is in it).
dist: $(BUILD)/nslab-check
	$(KIT_ONLY)
	@$(SETUP) core handouts
	@sh grading/dist.sh "$(UPTO)" "$(HINTS)"
# <<< kit only
