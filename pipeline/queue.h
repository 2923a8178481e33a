/*
 * queue.h — a bounded blocking queue of pointers, between run's reader,
 * workers and writer.
 *
 * A producer that finds the queue full sleeps until it has drained to
 * `low` (half its capacity), and a consumer that finds it empty (and open)
 * sleeps until there are `high` items, then takes items without sleeping
 * until it is empty again: threads hand items over in bursts instead of
 * waking each other for every document. (Sleeping whenever fewer than
 * `high` items wait would keep the queue at `high` - 1 and wake the
 * consumer once per item.)
 *
 * Each item has a weight (the bytes it holds). The queue is also full when
 * one more item would take its weight past max_weight, unless it is empty
 * (an item heavier than that goes through alone), and a producer waiting
 * on it sleeps until the weight is down to half. So the items waiting hold
 * a bounded amount of memory whatever the documents' sizes, while there
 * can be many of them. A producer that has to wait wakes a sleeping
 * consumer even with fewer than `high` items queued: they are all it will
 * get until it takes some.
 */
#ifndef CLAIMCHECK_QUEUE_H
#define CLAIMCHECK_QUEUE_H

#include <pthread.h>
#include <stddef.h>

typedef struct queue {
	_Alignas(64) pthread_mutex_t mu; /* a cache line of its own: three queues sit side by side */
	pthread_cond_t not_empty, not_full;
	void **items;
	size_t *weights;
	size_t cap, head, len;
	size_t low, high;
	size_t weight, max_weight;
	unsigned push_waiters, pop_waiters;
	int closed;
} queue;

/* cap items at most; a consumer that finds the queue empty waits for
 * `high` (0: 1); max_weight 0: no limit by weight. */
void queue_init(queue *q, size_t cap, size_t high, size_t max_weight);
void queue_destroy(queue *q);

/* Add item, waiting while the queue is full (by count or by weight). */
void queue_push(queue *q, void *item, size_t weight);

/* The next item, waiting while the queue is empty and open; NULL once it
 * is closed and drained. */
void *queue_pop(queue *q);

/* An item if one is waiting, else NULL at once (never sleeps). */
void *queue_try_pop(queue *q);

/* No more items: consumers drain what is left, then get NULL. */
void queue_close(queue *q);

#endif
