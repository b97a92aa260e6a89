/* Hostile lab: includes what the compiler would read forever (its own
 * stdout, a pipe) or until memory runs out (/dev/zero). The compile step
 * has a time and a memory limit: BUILD, saying which. */
#include "/dev/stdout"
#include "/dev/zero"
