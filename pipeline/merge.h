/*
 * merge.h — (being written)
 */
#ifndef CLAIMCHECK_MERGE_H
#define CLAIMCHECK_MERGE_H

#endif
