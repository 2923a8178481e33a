/*
 * queue.c — the bounded blocking queue between run's threads (queue.h).
 */
#include "config.h"
#include "queue.h"

#include <stdint.h>
#include <stdlib.h>

#include "util.h"

void queue_init(queue *q, size_t cap, size_t high, size_t max_weight)
{
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	pthread_cond_init(&q->not_full, NULL);
	q->items = xcalloc(cap, sizeof *q->items);
	q->weights = xcalloc(cap, sizeof *q->weights);
	q->cap = cap;
	q->head = q->len = 0;
	q->low = cap / 2;
	q->high = high ? high : 1;
	q->weight = 0;
	q->max_weight = max_weight ? max_weight : SIZE_MAX;
	q->push_waiters = q->pop_waiters = 0;
	q->closed = 0;
}

void queue_destroy(queue *q)
{
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->not_empty);
	pthread_cond_destroy(&q->not_full);
	free(q->items);
	free(q->weights);
}

/* Has the queue drained far enough for a waiting producer (q->mu held)? */
static int queue_drained(const queue *q)
{
	return q->len == 0 || (q->len <= q->low && q->weight <= q->max_weight / 2);
}

void queue_push(queue *q, void *item, size_t weight)
{
	pthread_mutex_lock(&q->mu);
	if (q->len == q->cap ||
	    (q->len > 0 && (q->weight >= q->max_weight || weight > q->max_weight - q->weight))) {
		q->push_waiters++;
		if (q->pop_waiters) pthread_cond_broadcast(&q->not_empty);
		do pthread_cond_wait(&q->not_full, &q->mu);
		while (!queue_drained(q));
		q->push_waiters--;
	}
	size_t at = (q->head + q->len) % q->cap;
	q->items[at] = item;
	q->weights[at] = weight;
	q->len++;
	q->weight = weight > SIZE_MAX - q->weight ? SIZE_MAX : q->weight + weight;
	if (q->pop_waiters && q->len >= q->high) pthread_cond_broadcast(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
}

/* The item at the head, or NULL if the queue is empty (q->mu held); wakes
 * the pushers once the queue has drained (queue_drained). */
static void *queue_take(queue *q)
{
	if (!q->len) return NULL;
	void *item = q->items[q->head];
	size_t w = q->weights[q->head];
	q->head = (q->head + 1) % q->cap;
	q->len--;
	q->weight = q->len ? q->weight - (w < q->weight ? w : q->weight) : 0;
	if (q->push_waiters && queue_drained(q)) pthread_cond_broadcast(&q->not_full);
	return item;
}

/* NULL once the queue is closed and drained. */
void *queue_pop(queue *q)
{
	pthread_mutex_lock(&q->mu);
	if (q->len == 0 && !q->closed) {
		q->pop_waiters++;
		do pthread_cond_wait(&q->not_empty, &q->mu);
		while (!q->closed && (q->len == 0 || (q->len < q->high && !q->push_waiters)));
		q->pop_waiters--;
	}
	void *item = queue_take(q);
	pthread_mutex_unlock(&q->mu);
	return item;
}

/* An item if one is waiting, else NULL at once (never sleeps). */
void *queue_try_pop(queue *q)
{
	pthread_mutex_lock(&q->mu);
	void *item = queue_take(q);
	pthread_mutex_unlock(&q->mu);
	return item;
}

void queue_close(queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->closed = 1;
	pthread_cond_broadcast(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
}
