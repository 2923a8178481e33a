/*
 * verdict.c — (being written)
 */
#include "config.h"

#include "verdict.h"
