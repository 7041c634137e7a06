/* A test seam for the argument-parser fuzz target (tests/fuzz/fuzz_args.c):
 * with cli_parse_only set, cli_one_file() checks the FILE operands as usual
 * and then, instead of letting the command go on to open FILE, counts the
 * call in cli_parse_only_reached and returns nonzero, so the command ends
 * (exit status CLI_EXIT_USAGE) after its options were parsed and before it
 * acts. Commands that take --help return CLI_EXIT_OK without getting there.
 * The kzv tool never sets it. Not thread-safe (nor is getopt_long). */
#ifndef KZV_TOOLS_PARSE_ONLY_H
#define KZV_TOOLS_PARSE_ONLY_H

#include <stdbool.h>

extern bool cli_parse_only;
extern long cli_parse_only_reached;

#endif
