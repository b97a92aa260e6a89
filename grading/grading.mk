# The grader's build rules, included by the top-level Makefile (which sets
# CC, CFLAGS and BUILD); `make -f grading/grading.mk` works alone too.
CC ?= cc
CFLAGS ?= -std=gnu11 -Wall -Wextra -Werror -O2
BUILD ?= build
PKG_GRADER = json-c libxml-2.0
GRADER_SRC = grading/main.c grading/grade.c grading/registry.c grading/find.c grading/capture.c grading/vm.c
GRADER_HDR = grading/grade.h grading/registry.h grading/find.h grading/capture.h grading/vm.h

$(BUILD)/nslab-grade: $(GRADER_SRC) $(GRADER_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $$(pkg-config --cflags $(PKG_GRADER)) -o $@ $(GRADER_SRC) $$(pkg-config --libs $(PKG_GRADER))

$(BUILD)/asan/nslab-grade: $(GRADER_SRC) $(GRADER_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -g -fsanitize=address,undefined -fno-omit-frame-pointer $$(pkg-config --cflags $(PKG_GRADER)) \
	    -o $@ $(GRADER_SRC) $$(pkg-config --libs $(PKG_GRADER))

$(BUILD)/test_grader: grading/tests/test_grader.c grading/grade.c grading/registry.c grading/find.c grading/capture.c $(GRADER_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Igrading $$(pkg-config --cflags check $(PKG_GRADER)) -o $@ \
	    grading/tests/test_grader.c grading/grade.c grading/registry.c grading/find.c grading/capture.c $$(pkg-config --libs check $(PKG_GRADER))

.PHONY: grader-unit-tests
grader-unit-tests: $(BUILD)/test_grader $(BUILD)/nslab-grade
	$(BUILD)/test_grader
