/* Command-line parsing on top of getopt_long (see kzv.h). */
#include <ctype.h>
#include <string.h>

#include "kzv.h"
#include "parse_only.h"

bool cli_parse_only;
long cli_parse_only_reached;

void cli_args_init(cli_args *a, int argc, char **argv, const struct option *opts)
{
    a->cmd = argv[0];
    a->argc = argc;
    a->argv = argv;
    a->opts = opts;
    a->first_operand = argc;
    /* Short options: the entries whose id is a letter. A leading ':' makes
     * getopt_long report a missing argument as ':' (not '?'). */
    size_t n = 0;
    a->shortopts[n++] = ':';
    for (const struct option *o = opts; o->name; o++) {
        if (o->val <= 0 || o->val > 127 || !isalnum(o->val) || n + 3 >= sizeof(a->shortopts))
            continue;
        a->shortopts[n++] = (char)o->val;
        if (o->has_arg == required_argument)
            a->shortopts[n++] = ':';
    }
    a->shortopts[n] = '\0';
    optind = 0;   /* glibc: full re-initialisation (the parser keeps state) */
    opterr = 0;   /* the messages are ours */
}

/* The name of the option at argv[optind - 1] for a message. */
static const char *bad_arg(const cli_args *a)
{
    return optind >= 1 && optind - 1 < a->argc ? a->argv[optind - 1] : "?";
}

int cli_next(cli_args *a, const char **value)
{
    *value = NULL;
    int idx = -1;
    int c = getopt_long(a->argc, a->argv, a->shortopts, a->opts, &idx);
    if (c == -1) {
        a->first_operand = optind;
        return CLI_END;
    }
    if (c == '?') {
        const char *arg = bad_arg(a);
        const char *eq = strchr(arg, '=');
        if (optopt && arg[0] == '-' && arg[1] == '-' && eq)   /* --flag=value */
            cli_usage_error(a->cmd, "option '%.*s' takes no value", (int)(eq - arg), arg);
        else if (optopt && optopt < 128 && isalnum(optopt))
            cli_usage_error(a->cmd, "unknown option '-%c'", optopt);
        else
            cli_usage_error(a->cmd, "unknown or ambiguous option '%s'", arg);
        return CLI_ERR;
    }
    if (c == ':') {
        cli_usage_error(a->cmd, "option '%s' needs a value", bad_arg(a));
        return CLI_ERR;
    }
    *value = optarg;
    return c;
}

/* parse_only.h: the options are parsed, act on nothing. */
static bool parse_only_stop(void)
{
    if (cli_parse_only)
        cli_parse_only_reached++;
    return cli_parse_only;
}

int cli_one_file(cli_args *a, const char **path, bool required)
{
    int n = a->argc - a->first_operand;
    *path = n > 0 ? a->argv[a->first_operand] : NULL;
    if (n > 1)
        return cli_usage_error(a->cmd, "more than one FILE given");
    if (n == 0 && required)
        return cli_usage_error(a->cmd, "no FILE given");
    return parse_only_stop() ? CLI_EXIT_USAGE : 0;
}

int cli_operands(cli_args *a, int min, int max, const char *what)
{
    int n = a->argc - a->first_operand;
    if (n < min || (max >= 0 && n > max)) {
        cli_usage_error(a->cmd, "give %s (%d operand%s given)", what, n, n == 1 ? "" : "s");
        return -1;
    }
    return parse_only_stop() ? -1 : n;
}
