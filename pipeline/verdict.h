/*
 * verdict.h — (being written)
 */
#ifndef CLAIMCHECK_VERDICT_H
#define CLAIMCHECK_VERDICT_H

#endif
