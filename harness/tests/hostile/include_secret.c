/* Hostile lab: includes a file of the machine's, outside the system's
 * folders, so that the compiler's messages quote it into results.json,
 * which students see. The compile step sees only the system's folders:
 * BUILD, and no line of the file. */
#include "/var/tmp/nslab-test-secret"
