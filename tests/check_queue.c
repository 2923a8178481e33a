/*
 * check_queue.c — the bounded blocking queue between run's threads: order,
 * the limits by count and by weight, bursts, and that a producer that has
 * to wait wakes a consumer waiting for a burst (without it, run's writer
 * and workers would wait on each other for ever).
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "queue.h"
#include "testutil.h"

/* Items are small integers cast to pointers (1-based: NULL means none). */
#define ITEM(i) ((void *)(uintptr_t)(i))
#define NUM(p) ((int)(uintptr_t)(p))

static void pause_ms(int ms)
{
	struct timespec ts = {0, ms * 1000000L};
	nanosleep(&ts, NULL);
}

/* Wait (at most about 3 s) until the queue has this many waiting
 * producers and consumers: a thread counted there is asleep in the queue,
 * not merely slow. */
static int wait_for_waiters(queue *q, unsigned pushers, unsigned poppers)
{
	for (int i = 0; i < 3000; i++) {
		pthread_mutex_lock(&q->mu);
		int ok = q->push_waiters == pushers && q->pop_waiters == poppers;
		pthread_mutex_unlock(&q->mu);
		if (ok) return 1;
		pause_ms(1);
	}
	return 0;
}

static size_t queue_len(queue *q)
{
	pthread_mutex_lock(&q->mu);
	size_t n = q->len;
	pthread_mutex_unlock(&q->mu);
	return n;
}

START_TEST(test_fifo_and_close)
{
	queue q;
	queue_init(&q, 8, 0, 0);
	ck_assert_ptr_null(queue_try_pop(&q));
	for (int i = 1; i <= 5; i++) queue_push(&q, ITEM(i), (size_t)i * 10);
	ck_assert_uint_eq(q.weight, 150);
	ck_assert_int_eq(NUM(queue_pop(&q)), 1);
	ck_assert_int_eq(NUM(queue_try_pop(&q)), 2);
	ck_assert_uint_eq(q.weight, 120);
	/* the ring wraps */
	for (int i = 6; i <= 10; i++) queue_push(&q, ITEM(i), 1);
	ck_assert_uint_eq(q.len, 8);
	queue_close(&q);
	for (int i = 3; i <= 10; i++) ck_assert_int_eq(NUM(queue_pop(&q)), i);
	ck_assert_ptr_null(queue_pop(&q));
	ck_assert_ptr_null(queue_try_pop(&q));
	ck_assert_uint_eq(q.weight, 0);
	queue_destroy(&q);
}
END_TEST

typedef struct pusher {
	queue *q;
	int from, to;
	size_t weight;
	volatile int done;
} pusher;

static void *push_main(void *arg)
{
	pusher *p = arg;
	for (int i = p->from; i <= p->to; i++) queue_push(p->q, ITEM(i), p->weight);
	__atomic_store_n(&p->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

typedef struct popper {
	queue *q;
	void *got;
	volatile int done;
} popper;

static void *pop_main(void *arg)
{
	popper *p = arg;
	p->got = queue_pop(p->q);
	__atomic_store_n(&p->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Start a producer that will have to wait, and wait until it sleeps in
 * the queue. */
static void start_blocked_pusher(pusher *p, pthread_t *th)
{
	ck_assert_int_eq(pthread_create(th, NULL, push_main, p), 0);
	ck_assert(wait_for_waiters(p->q, 1, 0));
}

/* Start a consumer on an empty queue, and wait until it sleeps in it. */
static void start_waiting_popper(popper *c, pthread_t *th)
{
	ck_assert_int_eq(pthread_create(th, NULL, pop_main, c), 0);
	ck_assert(wait_for_waiters(c->q, 0, 1));
}

/* A producer waits while the queue holds cap items, and goes on only
 * once it has drained to half. */
START_TEST(test_full_by_count)
{
	queue q;
	queue_init(&q, 4, 0, 0);
	pusher p = {&q, 1, 6, 1, 0};
	pthread_t th;
	start_blocked_pusher(&p, &th);
	ck_assert_uint_eq(queue_len(&q), 4);
	ck_assert_int_eq(NUM(queue_pop(&q)), 1);
	/* three left, more than half of 4: the producer sleeps on */
	ck_assert(wait_for_waiters(&q, 1, 0));
	ck_assert_int_eq(NUM(queue_pop(&q)), 2);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert(p.done);
	for (int i = 3; i <= 6; i++) ck_assert_int_eq(NUM(queue_pop(&q)), i);
	queue_destroy(&q);
}
END_TEST

/* The queue is full when one more item would take its weight past
 * max_weight; the producer goes on once the weight is down to half. */
START_TEST(test_full_by_weight)
{
	queue q;
	queue_init(&q, 64, 0, 100);
	pusher p = {&q, 1, 3, 40, 0};
	pthread_t th;
	start_blocked_pusher(&p, &th); /* 40 + 40 queued, 40 more would be 120 */
	ck_assert_uint_eq(queue_len(&q), 2);
	ck_assert_uint_eq(q.weight, 80);
	ck_assert_int_eq(NUM(queue_pop(&q)), 1); /* 40 <= 50 */
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_uint_eq(q.weight, 80);
	ck_assert_int_eq(NUM(queue_pop(&q)), 2);
	ck_assert_int_eq(NUM(queue_pop(&q)), 3);
	ck_assert_uint_eq(q.weight, 0);
	queue_destroy(&q);
}
END_TEST

/* An item heavier than max_weight goes through alone, never waits on an
 * empty queue. */
START_TEST(test_heavy_item_alone)
{
	queue q;
	queue_init(&q, 4, 0, 10);
	queue_push(&q, ITEM(1), 1000); /* would block for ever if it waited */
	ck_assert_uint_eq(q.weight, 1000);
	pusher p = {&q, 2, 2, 1, 0};
	pthread_t th;
	start_blocked_pusher(&p, &th); /* the light one waits behind it */
	ck_assert_int_eq(NUM(queue_pop(&q)), 1);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(NUM(queue_pop(&q)), 2);
	queue_destroy(&q);
}
END_TEST

/* A consumer that found the queue empty sleeps until `high` items wait. */
START_TEST(test_burst)
{
	queue q;
	queue_init(&q, 16, 3, 0);
	popper c = {&q, NULL, 0};
	pthread_t th;
	start_waiting_popper(&c, &th);
	queue_push(&q, ITEM(1), 1);
	queue_push(&q, ITEM(2), 1);
	/* two of three: still asleep, both items still queued */
	ck_assert(wait_for_waiters(&q, 0, 1));
	ck_assert_uint_eq(queue_len(&q), 2);
	ck_assert(!c.done);
	queue_push(&q, ITEM(3), 1);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(NUM(c.got), 1);
	ck_assert_int_eq(NUM(queue_try_pop(&q)), 2);
	ck_assert_int_eq(NUM(queue_try_pop(&q)), 3);
	queue_destroy(&q);
}
END_TEST

/* Closing wakes a consumer waiting for a burst: it gets what is queued,
 * then NULL. */
START_TEST(test_close_wakes)
{
	queue q;
	queue_init(&q, 16, 8, 0);
	popper c = {&q, NULL, 0};
	pthread_t th;
	start_waiting_popper(&c, &th);
	queue_push(&q, ITEM(7), 1);
	queue_close(&q);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(NUM(c.got), 7);
	ck_assert_ptr_null(queue_pop(&q));
	queue_destroy(&q);
}
END_TEST

/* The consumer waits for 8 items, but the producer can queue only 2 before
 * the weight stops it: the producer, going to sleep, wakes the consumer,
 * which takes what there is. Without that both would sleep for ever (the
 * test would time out). */
START_TEST(test_waiting_producer_wakes_consumer)
{
	queue q;
	queue_init(&q, 64, 8, 100);
	popper c = {&q, NULL, 0};
	pthread_t cth, pth;
	start_waiting_popper(&c, &cth);
	pusher p = {&q, 1, 4, 45, 0};
	ck_assert_int_eq(pthread_create(&pth, NULL, push_main, &p), 0);
	ck_assert_int_eq(pthread_join(cth, NULL), 0);
	ck_assert_int_eq(NUM(c.got), 1);
	/* the rest, in order, as the producer gets room (taken without
	 * waiting: a consumer that finds the queue empty waits for 8 items,
	 * and this producer stops at 4) */
	for (int i = 2; i <= 4; i++) {
		void *v;
		for (int tries = 0; (v = queue_try_pop(&q)) == NULL && tries < 3000; tries++) pause_ms(1);
		ck_assert_int_eq(NUM(v), i);
	}
	ck_assert_int_eq(pthread_join(pth, NULL), 0);
	queue_destroy(&q);
}
END_TEST

/* Many producers, one consumer, small limits: every item arrives once,
 * each producer's in its order, and the limits hold throughout. */
typedef struct many {
	queue *q;
	int id;
} many;

#define MANY_PRODUCERS 4
#define MANY_ITEMS 20000

static void *many_main(void *arg)
{
	many *m = arg;
	for (int i = 0; i < MANY_ITEMS; i++)
		queue_push(m->q, ITEM(m->id * MANY_ITEMS + i + 1), (size_t)(i % 7) + 1);
	return NULL;
}

typedef struct closer {
	queue *q;
	pthread_t *th;
	int failed;
} closer;

/* Joins the producers, then closes the queue: the consumer's last burst
 * may be short. */
static void *close_main(void *arg)
{
	closer *c = arg;
	for (int k = 0; k < MANY_PRODUCERS; k++)
		if (pthread_join(c->th[k], NULL) != 0) c->failed = 1;
	queue_close(c->q);
	return NULL;
}

START_TEST(test_many_producers)
{
	queue q;
	queue_init(&q, 32, 5, 40);
	pthread_t th[MANY_PRODUCERS], cth;
	many m[MANY_PRODUCERS];
	for (int k = 0; k < MANY_PRODUCERS; k++) {
		m[k] = (many){&q, k};
		ck_assert_int_eq(pthread_create(&th[k], NULL, many_main, &m[k]), 0);
	}
	closer c = {&q, th, 0};
	ck_assert_int_eq(pthread_create(&cth, NULL, close_main, &c), 0);
	int next[MANY_PRODUCERS] = {0}, n = 0;
	for (;;) {
		pthread_mutex_lock(&q.mu);
		ck_assert_uint_le(q.len, 32);
		/* past 40 only by the one item that went through alone */
		ck_assert(q.weight <= 40 || q.len == 1);
		pthread_mutex_unlock(&q.mu);
		void *p = queue_pop(&q);
		if (!p) break;
		int v = NUM(p) - 1;
		int k = v / MANY_ITEMS;
		ck_assert_int_lt(k, MANY_PRODUCERS);
		ck_assert_int_eq(v % MANY_ITEMS, next[k]);
		next[k]++;
		n++;
	}
	ck_assert_int_eq(pthread_join(cth, NULL), 0);
	ck_assert(!c.failed);
	ck_assert_int_eq(n, MANY_PRODUCERS * MANY_ITEMS);
	ck_assert_uint_eq(q.weight, 0);
	queue_destroy(&q);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("queue");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_fifo_and_close);
	tcase_add_test(tc, test_full_by_count);
	tcase_add_test(tc, test_full_by_weight);
	tcase_add_test(tc, test_heavy_item_alone);
	tcase_add_test(tc, test_burst);
	tcase_add_test(tc, test_close_wakes);
	tcase_add_test(tc, test_waiting_producer_wakes_consumer);
	tcase_add_test(tc, test_many_producers);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(make_suite)
