/* stub: being written */
#include "config.h"
#include "cli.h"
int cmd_stream(int argc, char **argv) { (void)argc; (void)argv; return 2; }
