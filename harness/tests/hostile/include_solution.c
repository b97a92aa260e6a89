/* Hostile lab: one line that includes the kit's own solution, where a
 * compiler run in the kit's folder would find it. The compile step sees no
 * kit: BUILD. */
#include "/proc/self/cwd/solutions/02_ipc.c"
