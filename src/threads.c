/* threads.c: relukit's own small thread pool (POSIX threads, no OpenMP).
 *
 * Why not OpenMP: GNU OpenMP's pool does not survive fork(); a child that uses
 * it after the parent did hangs.  This pool re-creates itself in a forked child
 * (pthread_atfork), so multiprocessing's "fork" start method just works.
 *
 * Model:
 *   1. rk_parallel_for(n, grain, fn, ctx) runs fn directly, with no thread
 *      involved, unless n is at least 2 * grain; else it cuts [0, n) into one
 *      chunk per thread (RK_CHUNKS_PER_THREAD), each of at least `grain`
 *      elements and a multiple of 64 (two threads never write one cache line).
 *      More, smaller chunks were measured slower for the memory-bound ops
 *      (relu at 1 Mi float32: 146-325 us with 4 per thread, 98-106 us with 1).
 *   2. The calling thread publishes the job and works on chunks itself; the
 *      workers (started lazily, up to num_threads - 1) take chunks from one
 *      atomic counter.  The caller returns once every chunk is done and no
 *      worker still holds the job.
 *   3. One job at a time: a call that finds the pool busy (another Python
 *      thread is using it) runs its whole range serially in its own thread, so
 *      concurrent callers never wait on each other.
 *   4. Idle workers spin briefly (back-to-back calls are common), then sleep on
 *      a condition variable.
 *   5. The thread count is process-wide: RELUKIT_NUM_THREADS at first use, else
 *      the CPUs this process may run on; rk_set_num_threads changes it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relukit.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define RK_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define RK_PAUSE() __asm__ __volatile__("yield")
#else
#define RK_PAUSE() ((void)0)
#endif

#define RK_MAX_THREADS 256
#define RK_CHUNKS_PER_THREAD 1
#define RK_SPIN_ROUNDS 4000    /* some tens of microseconds of pause instructions */

typedef struct rk_job {
    rk_task_fn fn;
    void *ctx;
    size_t n, chunk, nchunks;
    atomic_size_t next;      /* next chunk to take */
    atomic_size_t done;      /* chunks finished */
} rk_job;

static struct {
    pthread_mutex_t mu;          /* guards job publication, counts, conds */
    pthread_cond_t wake;         /* workers sleep here */
    pthread_cond_t idle;         /* the caller waits here for stragglers */
    pthread_mutex_t submit;      /* held by the one caller running a job */
    rk_job job;
    atomic_ulong gen;            /* bumped for every job */
    int open;                    /* the current job still accepts workers */
    int holders;                 /* workers inside the current job */
    int sleepers;                /* workers waiting on `wake` */
    int started;                 /* workers created */
    atomic_int nthreads;         /* the limit (caller included) */
} P = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
       PTHREAD_MUTEX_INITIALIZER, {0}, 0, 0, 0, 0, 0, 0};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

int rk_available_cpus(void) {
#ifdef CPU_COUNT
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int c = CPU_COUNT(&set);
        if (c > 0) return c;
    }
#endif
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c > 0 ? (int)c : 1;
}

static int clamp_threads(long n) {
    return n < 1 ? 1 : n > RK_MAX_THREADS ? RK_MAX_THREADS : (int)n;
}

/* The number RELUKIT_NUM_THREADS asks for, 0 if unset or not a positive integer. */
int rk_env_num_threads(void) {
    const char *s = getenv("RELUKIT_NUM_THREADS");
    if (!s || !*s) return 0;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    while (*end == ' ' || *end == '\t' || *end == '\n') end++;
    if (errno || *end || v < 1) return 0;
    return clamp_threads(v);
}

static void child_after_fork(void);
static void prepare_fork(void) {
    pthread_mutex_lock(&P.submit);
    pthread_mutex_lock(&P.mu);
}
static void parent_after_fork(void) {
    pthread_mutex_unlock(&P.mu);
    pthread_mutex_unlock(&P.submit);
}

static void init_pool(void) {
    int n = rk_env_num_threads();
    atomic_store(&P.nthreads, n ? n : clamp_threads(rk_available_cpus()));
    pthread_atfork(prepare_fork, parent_after_fork, child_after_fork);
}

/* In the child only the forking thread exists: forget the parent's workers
 * (they were not copied) and start afresh; the thread limit is inherited. */
static void child_after_fork(void) {
    pthread_mutex_unlock(&P.mu);       /* locked by this thread in prepare_fork */
    pthread_mutex_unlock(&P.submit);
    pthread_cond_init(&P.wake, NULL);  /* forget the parent's sleepers */
    pthread_cond_init(&P.idle, NULL);
    memset(&P.job, 0, sizeof P.job);
    atomic_store(&P.gen, 0);
    P.open = P.holders = P.sleepers = P.started = 0;
}

int rk_get_num_threads(void) {
    pthread_once(&init_once, init_pool);
    return atomic_load(&P.nthreads);
}

void rk_set_num_threads(int n) {
    pthread_once(&init_once, init_pool);
    atomic_store(&P.nthreads, clamp_threads(n));
}

static void run_chunks(rk_job *j) {
    for (;;) {
        size_t c = atomic_fetch_add(&j->next, 1);
        if (c >= j->nchunks) return;
        size_t b = c * j->chunk, e = b + j->chunk < j->n ? b + j->chunk : j->n;
        j->fn(j->ctx, b, e);
        atomic_fetch_add(&j->done, 1);
    }
}

static void *worker_main(void *arg) {
    (void)arg;
    unsigned long seen = 0;
    for (;;) {
        /* spin a little for the next job, then sleep */
        unsigned long g = atomic_load_explicit(&P.gen, memory_order_acquire);
        for (int s = 0; g == seen && s < RK_SPIN_ROUNDS; s++) {
            RK_PAUSE();
            g = atomic_load_explicit(&P.gen, memory_order_acquire);
        }
        pthread_mutex_lock(&P.mu);
        while ((g = atomic_load(&P.gen)) == seen) {
            P.sleepers++;
            pthread_cond_wait(&P.wake, &P.mu);
            P.sleepers--;
        }
        seen = g;
        if (!P.open) {               /* that job finished without us */
            pthread_mutex_unlock(&P.mu);
            continue;
        }
        P.holders++;
        pthread_mutex_unlock(&P.mu);

        run_chunks(&P.job);

        pthread_mutex_lock(&P.mu);
        if (--P.holders == 0) pthread_cond_signal(&P.idle);
        pthread_mutex_unlock(&P.mu);
    }
    return NULL;
}

/* Start workers until there are `want` (called with P.mu held). */
static void start_workers(int want) {
    while (P.started < want) {
        pthread_t t;
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&a, 256 * 1024);
        int rc = pthread_create(&t, &a, worker_main, NULL);
        pthread_attr_destroy(&a);
        if (rc != 0) break;          /* fewer workers: the caller does more */
        P.started++;
    }
}

void rk_parallel_for(size_t n, size_t grain, rk_task_fn fn, void *ctx) {
    if (n == 0) return;
    int nt = rk_get_num_threads();
    if (grain < 64) grain = 64;
    if (nt < 2 || n < 2 * grain || pthread_mutex_trylock(&P.submit) != 0) {
        fn(ctx, 0, n);
        return;
    }
    /* RK_CHUNKS_PER_THREAD chunks per thread, each of at least grain elements,
     * rounded up to 64; whoever is free takes the next one */
    size_t want = (size_t)nt * RK_CHUNKS_PER_THREAD, chunk = (n + want - 1) / want;
    if (chunk < grain) chunk = grain;
    chunk = (chunk + 63) & ~(size_t)63;
    size_t nchunks = (n + chunk - 1) / chunk;
    int workers = nchunks - 1 < (size_t)nt - 1 ? (int)nchunks - 1 : nt - 1;

    pthread_mutex_lock(&P.mu);
    start_workers(workers);
    P.job.fn = fn;
    P.job.ctx = ctx;
    P.job.n = n;
    P.job.chunk = chunk;
    P.job.nchunks = nchunks;
    atomic_store(&P.job.next, 0);
    atomic_store(&P.job.done, 0);
    P.open = 1;
    atomic_fetch_add_explicit(&P.gen, 1, memory_order_release);
    if (P.sleepers) pthread_cond_broadcast(&P.wake);
    pthread_mutex_unlock(&P.mu);

    run_chunks(&P.job);

    /* wait for chunks taken by workers: spin first, they are short */
    for (int s = 0; atomic_load(&P.job.done) < nchunks; s++) {
        if (s < RK_SPIN_ROUNDS) {
            RK_PAUSE();
            continue;
        }
        pthread_mutex_lock(&P.mu);
        while (atomic_load(&P.job.done) < nchunks || P.holders)
            pthread_cond_wait(&P.idle, &P.mu);
        pthread_mutex_unlock(&P.mu);
    }
    pthread_mutex_lock(&P.mu);
    P.open = 0;                        /* late wakers skip this job */
    while (P.holders) pthread_cond_wait(&P.idle, &P.mu);
    pthread_mutex_unlock(&P.mu);
    pthread_mutex_unlock(&P.submit);
}

/* For threadpoolctl (relukit's controller looks these up in the extension
 * module): the same limit under names that are exported from the module. */
__attribute__((visibility("default"))) int relukit_get_num_threads(void) {
    return rk_get_num_threads();
}
__attribute__((visibility("default"))) void relukit_set_num_threads(int n) {
    rk_set_num_threads(n);
}
