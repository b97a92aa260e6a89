/* Hostile lab: includes /dev/zero, which a compiler outside any limit reads
 * until the machine's memory runs out. The compile step has a memory limit,
 * and the world no such device: BUILD. */
#include "/dev/zero"
