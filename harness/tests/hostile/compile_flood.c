/* Hostile lab: one line the preprocessor turns into 1024 errors, each with
 * its expansion notes: over a megabyte of compiler messages, which the
 * grader keeps in memory and puts in results.json. The compile step keeps
 * 64 KiB of them, and says how much more there was: BUILD. */
#define E1 int =;
#define E2 E1 E1
#define E3 E2 E2
#define E4 E3 E3
#define E5 E4 E4
#define E6 E5 E5
#define E7 E6 E6
#define E8 E7 E7
#define E9 E8 E8
#define E10 E9 E9
#define E11 E10 E10
E11
