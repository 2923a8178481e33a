/*
 * merge.c — (being written)
 */
#include "config.h"

#include "merge.h"
