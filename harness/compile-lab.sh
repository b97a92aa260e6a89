#!/bin/sh
# Compile one lab exactly as the grader does (nslab-check compile: the
# flags and the lab's libraries come from the kit's list of labs).
#
#   harness/compile-lab.sh SRC OUT [LAB]
#
# LAB (a name such as 04_mount_proc) defaults to SRC's own name; a file not
# named for a lab gets the libraries of the last lab that is ready.
set -u
[ $# -ge 2 ] || { echo "usage: harness/compile-lab.sh SRC OUT [LAB]" >&2; exit 2; }
check=$(dirname "$0")/../build/nslab-check
[ -x "$check" ] || { echo "compile-lab: no $check (make tools builds it)" >&2; exit 2; }
lab=${3:-$(basename "$1" .c)}
"$check" info "$lab" name >/dev/null 2>&1 || lab=$("$check" list | tail -n 1)
exec "$check" compile "$lab" "$1" "$2"
