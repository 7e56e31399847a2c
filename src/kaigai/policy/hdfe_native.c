/* Ahead-of-time twins of the numba kernels in ppml_kernels.py and hdfe_kernels.py.
 *
 * Built once per source version by kaigai/policy/native.py (cc -O2 -ffp-contract=off, no
 * fast-math) and loaded with ctypes, so that a fresh process pays neither numba's import nor
 * its cache load. Each function is a line-by-line translation of the Python kernel named
 * in its "mirrors" line: same loops, same order of floating-point operations, so results
 * are the same bits (tests/policy/test_native_kernels.py checks every kernel against numba).
 * The hash after each name is that kernel's Python source (native.source_hash); when a
 * kernel changes, its twin is no longer used (numba runs it) until it is updated here.
 *
 * Threads: a kernel taking nc (the number of row chunks) splits its rows exactly as the
 * Python kernel does and adds the chunks' partial sums in the same order; here the chunks run
 * on a small thread pool (par_run), and loops over levels that treat each level on its own
 * are also split between the threads. Neither changes a bit: the results depend on nc only.
 *
 * Conventions: arrays are passed as pointers with their lengths; a 2-D float array as a
 * pointer plus the strides (in elements) of its rows and columns; codes2d is (K, n) int32
 * C-ordered; offs has K + 1 int64 entries. Tuples are returned through out-parameters.
 *
 * Out of memory: every allocation goes through k_alloc (size overflow checked). A kernel that
 * cannot allocate returns before it writes any of the caller's arrays, and says so by its
 * return value, which is then negative (KN_NOMEM) and never a result: kernels that return a
 * count or a flag return -1; kernels that return a largest absolute change (never negative
 * otherwise) return -1.0; kernels with no result of their own return int 0, or -1 when out of
 * memory. native_twins.py raises OutOfMemoryError on a negative return. The thread pool
 * needs no such signal: a worker thread that cannot be started leaves its chunks to the
 * caller (same chunks, same bits). Test hooks: kaigai_native_fail_after, kaigai_native_pool_fail.
 *
 * mirrors _wsweep_nb 88ba17f169f5d1ec
 * mirrors _demean_col_nb 0d29e5b16af214db
 * mirrors _inv_weights_nb a9f59bed9c739888
 * mirrors _ipf_sweep_nb 1c40006a3cd1217b
 * mirrors _ipf_nb 54a582494fb4605a
 * mirrors _deviance_sum_nb 868ae1bdabf39968
 * mirrors _absorb_nb 2cfaa03e9526416f
 * mirrors remap_codes b2c924f10af3e8a6
 * mirrors drop_fe_levels 41a4388c940d977d
 * mirrors gram 13cd66eb4a86c23e
 * mirrors _grad_hess_nb 2e5d6790bec14b46
 * mirrors lin_index 2405f4d28b170054
 * mirrors cluster_sums e1149bbe77d17d20
 * mirrors nested_in 925309f1f69eda95
 * mirrors _wsweep2_nb da93b0e9910806a9
 * mirrors _demean_pair_nb 17cfa1ff7f071f40
 * mirrors _demean_cols_nb 50f3bfd24f82ca86
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int64_t i64;
typedef int32_t i32;

int kaigai_native_abi(void) { return 3; }

/* ---- memory ------------------------------------------------------------------------------
 * k_alloc(head, count, size, zero): head + count * size bytes (zeroed if zero), NULL when the
 * size overflows or the system has no memory left. Allocations are counted so that a test
 * can make the n-th one fail (kaigai_native_fail_after). */
#define KN_NOMEM (-1)
static _Atomic i64 alloc_count, alloc_fail_at;

static void *k_alloc(size_t head, i64 count, size_t size, int zero) {
    i64 no = atomic_fetch_add(&alloc_count, 1) + 1;
    i64 at = atomic_load(&alloc_fail_at);
    if (at > 0 && no == at) return NULL;
    if (count < 0 || (size > 0 && (size_t)count > (SIZE_MAX - head) / size)) return NULL;
    size_t bytes = head + (size_t)count * size;
    if (bytes == 0) bytes = 1;
    return zero ? calloc(1, bytes) : malloc(bytes);
}
#define ALLOC(n, T) ((T *)k_alloc(0, (i64)(n), sizeof(T), 0))
#define ZALLOC(n, T) ((T *)k_alloc(0, (i64)(n), sizeof(T), 1))

/* ---- row chunks on threads -------------------------------------------------------------
 * par_run(fn, ctx, nc) calls fn(ctx, c) once for every c = 0..nc-1. Callers make every
 * chunk write its own memory, so the results do not depend on which thread ran which chunk.
 * The caller and the pool's workers (started on first use, never exiting) claim chunks from
 * one atomic word (job generation, next chunk, chunk count); the caller also takes the
 * chunks no worker has claimed, so a worker descheduled on a busy machine delays nothing.
 * Idle workers spin SPIN_NS, then sleep on a condition variable (the other CPUs stay free
 * between fits). One job at a time: a second caller runs its chunks itself. */
typedef void (*task_fn)(void *ctx, i64 c);
#define MAXT 8
#define SPIN_NS 100000

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t pool_busy = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t pool_done_cv = PTHREAD_COND_INITIALIZER;
static int pool_nworkers = 0;
static uint32_t pool_gen0;
static _Atomic uint64_t pool_state; /* generation << 32 | next chunk << 16 | chunks */
static atomic_int pool_done, pool_sleepers, pool_waiting;
static task_fn pool_fn;
static void *pool_ctx;
static atomic_int pool_fail; /* test hook: starting a worker fails (kaigai_native_pool_fail) */

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static i64 now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (i64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* claim and run chunks of the job in st until none is left; returns the last state seen */
static uint64_t pool_claim(uint64_t st, int worker) {
    uint32_t gen = (uint32_t)(st >> 32);
    for (;;) {
        uint64_t idx = (st >> 16) & 0xffff, nc = st & 0xffff;
        if (idx >= nc || (uint32_t)(st >> 32) != gen) return st;
        if (atomic_compare_exchange_weak(&pool_state, &st, st + ((uint64_t)1 << 16))) {
            pool_fn(pool_ctx, (i64)idx);
            int done = atomic_fetch_add(&pool_done, 1) + 1;
            if (worker && done == (int)nc && atomic_load(&pool_waiting)) {
                pthread_mutex_lock(&pool_mu);
                pthread_cond_signal(&pool_done_cv);
                pthread_mutex_unlock(&pool_mu);
            }
            st = atomic_load(&pool_state);
        }
    }
}

static void *pool_worker(void *arg) {
    (void)arg;
    uint32_t seen = pool_gen0;
    for (;;) {
        uint64_t st;
        i64 t0 = now_ns();
        int spins = 0;
        while ((uint32_t)((st = atomic_load(&pool_state)) >> 32) == seen) {
            cpu_relax();
            if (++spins % 64 == 0 && now_ns() - t0 > SPIN_NS) {
                pthread_mutex_lock(&pool_mu);
                atomic_fetch_add(&pool_sleepers, 1);
                while ((uint32_t)((st = atomic_load(&pool_state)) >> 32) == seen)
                    pthread_cond_wait(&pool_wake, &pool_mu);
                atomic_fetch_sub(&pool_sleepers, 1);
                pthread_mutex_unlock(&pool_mu);
                break;
            }
        }
        seen = (uint32_t)(st >> 32);
        pool_claim(st, 1);
    }
    return NULL;
}

static void pool_after_fork(void) { /* the child has no workers */
    pool_nworkers = 0;
    pthread_mutex_init(&pool_mu, NULL);
    pthread_mutex_init(&pool_busy, NULL);
    pthread_cond_init(&pool_wake, NULL);
    pthread_cond_init(&pool_done_cv, NULL);
    atomic_store(&pool_sleepers, 0);
    atomic_store(&pool_waiting, 0);
}

__attribute__((constructor)) static void pool_register(void) {
    pthread_atfork(NULL, NULL, pool_after_fork);
}

static void par_run(task_fn fn, void *ctx, i64 nc) {
    if (nc > 1 && nc < 0x10000 && pthread_mutex_trylock(&pool_busy) == 0) {
        i64 want = (nc < MAXT ? nc : MAXT) - 1;
        pool_gen0 = (uint32_t)(atomic_load(&pool_state) >> 32);
        while (pool_nworkers < want) {
            pthread_t th;
            pthread_attr_t at;
            if (atomic_load(&pool_fail) || pthread_attr_init(&at) != 0) break;
            pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
            int rc = pthread_create(&th, &at, pool_worker, NULL);
            pthread_attr_destroy(&at);
            if (rc) break; /* no thread (EAGAIN, ENOMEM): the caller runs the chunks */
            pool_nworkers += 1;
        }
        if (pool_nworkers > 0) {
            pool_fn = fn;
            pool_ctx = ctx;
            atomic_store(&pool_done, 0);
            uint64_t st = ((uint64_t)(pool_gen0 + 1) << 32) | (uint64_t)nc;
            atomic_store(&pool_state, st);
            if (atomic_load(&pool_sleepers) > 0) {
                pthread_mutex_lock(&pool_mu);
                pthread_cond_broadcast(&pool_wake);
                pthread_mutex_unlock(&pool_mu);
            }
            pool_claim(st, 0);
            i64 t0 = now_ns();
            int spins = 0;
            while (atomic_load(&pool_done) < nc) {
                cpu_relax();
                if (++spins % 64 == 0 && now_ns() - t0 > SPIN_NS) {
                    pthread_mutex_lock(&pool_mu);
                    atomic_store(&pool_waiting, 1);
                    while (atomic_load(&pool_done) < nc) pthread_cond_wait(&pool_done_cv, &pool_mu);
                    atomic_store(&pool_waiting, 0);
                    pthread_mutex_unlock(&pool_mu);
                    break;
                }
            }
            pthread_mutex_unlock(&pool_busy);
            return;
        }
        pthread_mutex_unlock(&pool_busy);
    }
    for (i64 c = 0; c < nc; c++) fn(ctx, c);
}

/* Work space of the solvers (level sums, partial sums, extrapolation snapshots): one block per
 * calling thread, kept between calls and grown when needed (freed when the thread ends).
 * Fresh memory in every call page-faults on its first touch (~1.6 MB per demeaning call at
 * 225k rows); the solvers of one thread run one after the other, so one block serves all. */
typedef struct {
    i64 cap;
    double data[];
} ws_block;
static pthread_key_t ws_key;
static pthread_once_t ws_once = PTHREAD_ONCE_INIT;
static int ws_ok;
static void ws_make_key(void) { ws_ok = pthread_key_create(&ws_key, free) == 0; }

/* this thread's work space of at least n doubles, NULL when out of memory */
static double *workspace(i64 n) {
    pthread_once(&ws_once, ws_make_key);
    if (!ws_ok) return NULL;
    ws_block *b = pthread_getspecific(ws_key);
    if (n < 1) n = 1;
    if (b == NULL || b->cap < n) {
        free(b);
        pthread_setspecific(ws_key, NULL);
        b = k_alloc(sizeof(ws_block), n, sizeof(double), 0);
        if (b == NULL) return NULL;
        if (pthread_setspecific(ws_key, b) != 0) {
            free(b);
            return NULL;
        }
        b->cap = n;
    }
    return b->data;
}

/* Test hooks. kaigai_native_fail_after(n): the n-th allocation from now fails (0: none) and
 * this thread's work space is released (its next solver allocates); returns the allocations
 * made since the previous call. Meant for fits on one thread: the estimators' own thread pool
 * (ppml_kernels.demean_cols, 3+ columns and 20k+ rows) keeps its threads' work spaces and
 * allocates concurrently, so there "the n-th" is not deterministic.
 * kaigai_native_pool_fail(on): while on, no worker thread
 * starts (as when pthread_create fails); returns the workers running. */
i64 kaigai_native_fail_after(i64 n) {
    pthread_once(&ws_once, ws_make_key);
    if (ws_ok) {
        free(pthread_getspecific(ws_key));
        pthread_setspecific(ws_key, NULL);
    }
    atomic_store(&alloc_fail_at, 0);
    i64 seen = atomic_exchange(&alloc_count, 0);
    atomic_store(&alloc_fail_at, n > 0 ? n : 0);
    return seen;
}

int kaigai_native_pool_fail(int on) {
    atomic_store(&pool_fail, on);
    return pool_nworkers;
}

/* levels of one fixed effect worth a parallel pass (below: the caller does them alone) */
#define PAR_LEVELS 4096

double k_wsweep(double *v, const double *w, const i32 *codes, const i64 *offs, i64 nfe, i64 n,
                const double *inv, double *s) {
    for (i64 j = 0; j < offs[nfe]; j++) s[j] = 0.0;
    i64 o = offs[0];
    const i32 *c0 = codes;
    for (i64 i = 0; i < n; i++) s[o + c0[i]] += w[i] * v[i];
    double dmax = 0.0;
    for (i64 k = 0; k < nfe; k++) {
        o = offs[k];
        for (i64 j = o; j < offs[k + 1]; j++) {
            s[j] *= inv[j];
            double a = fabs(s[j]);
            if (a > dmax) dmax = a;
        }
        const i32 *ck = codes + k * n;
        if (k + 1 < nfe) {
            i64 o2 = offs[k + 1];
            const i32 *cn = codes + (k + 1) * n;
            for (i64 i = 0; i < n; i++) {
                double vi = v[i] - s[o + ck[i]];
                v[i] = vi;
                s[o2 + cn[i]] += w[i] * vi;
            }
        } else {
            for (i64 i = 0; i < n; i++) v[i] -= s[o + ck[i]];
        }
    }
    return dmax;
}

/* _demean_col_nb: returns the sweeps (KN_NOMEM: out of memory), *conv the convergence flag */
i64 k_demean_col(double *v, const double *w, const i32 *codes, const i64 *offs, i64 nfe, i64 n,
                 const double *inv, double tol, i64 maxiter, int *conv) {
    i64 m = offs[nfe];
    i64 mm = m > 0 ? m : 1;
    double *s = workspace(2 * mm);
    *conv = 0;
    if (s == NULL) return KN_NOMEM;
    double *d1 = s + mm;
    i64 it = 0;
    double d = INFINITY;
    i64 first = maxiter < 3 ? maxiter : 3;
    while (it < first) {
        d = k_wsweep(v, w, codes, offs, nfe, n, inv, s);
        it += 1;
        if (d < tol) {
            *conv = 1;
            return it;
        }
    }
    while (it < maxiter) {
        d = k_wsweep(v, w, codes, offs, nfe, n, inv, s);
        it += 1;
        if (d < tol || it >= maxiter) break;
        memcpy(d1, s, m * sizeof(double));
        d = k_wsweep(v, w, codes, offs, nfe, n, inv, s);
        it += 1;
        if (d < tol || it >= maxiter) break;
        double num = 0.0, den = 0.0;
        for (i64 g = 0; g < m; g++) {
            double dd = s[g] - d1[g];
            den += dd * dd;
            num += s[g] * dd;
        }
        double coef = den > 0 ? num / den : 0.0;
        if (!(fabs(coef) < 1e6)) coef = 0.0;
        if (coef != 0.0) {
            for (i64 g = 0; g < m; g++) s[g] *= coef;
            for (i64 i = 0; i < n; i++) {
                double sh = 0.0;
                for (i64 k = 0; k < nfe; k++) sh += s[offs[k] + codes[k * n + i]];
                v[i] += sh;
            }
        }
    }
    *conv = d < tol;
    return it;
}

/* _inv_weights_nb: rows in nc chunks, part (nc, m) */
typedef struct {
    const double *w;
    const i32 *codes;
    const i64 *offs;
    i64 nfe, n, m, nc;
    double *part, *inv;
} inv_ctx;

static void inv_rows(void *p, i64 c) {
    inv_ctx *x = p;
    i64 n = x->n, lo = n * c / x->nc, hi = n * (c + 1) / x->nc;
    double *pc = x->part + c * x->m;
    for (i64 j = 0; j < x->m; j++) pc[j] = 0.0;
    for (i64 k = 0; k < x->nfe; k++) {
        i64 o = x->offs[k];
        const i32 *ck = x->codes + k * n;
        for (i64 i = lo; i < hi; i++) pc[o + ck[i]] += x->w[i];
    }
}

static void inv_levels(void *p, i64 c) {
    inv_ctx *x = p;
    i64 m = x->m, nc = x->nc;
    for (i64 j = m * c / nc; j < m * (c + 1) / nc; j++) {
        double t = x->part[j];
        for (i64 q = 1; q < nc; q++) t += x->part[q * m + j];
        x->inv[j] = t > 0 ? 1.0 / t : 0.0;
    }
}

int k_inv_weights(const double *w, const i32 *codes, const i64 *offs, i64 nfe, i64 n, i64 nc,
                  double *inv) {
    i64 m = offs[nfe];
    double *part = workspace(nc * (m > 0 ? m : 1));
    if (part == NULL) return KN_NOMEM;
    inv_ctx x = {w, codes, offs, nfe, n, m, nc, part, inv};
    par_run(inv_rows, &x, nc);
    if (m >= PAR_LEVELS)
        par_run(inv_levels, &x, nc);
    else
        for (i64 c = 0; c < nc; c++) inv_levels(&x, c);
    return 0;
}

/* _wsweep2_nb / _demean_pair_nb: v (n, 2) with column stride cs, s (m, 2) C order, rows
 * in nc chunks, part (nc, m, 2) C order */
typedef struct {
    double *v0, *v1;
    const double *w, *inv;
    const i32 *codes;
    const i64 *offs;
    i64 nfe, n, m, nc, k, kn;
    double *s, *part, *dm; /* dm: (nc, 2) largest means of each range of levels */
    int mode; /* rows: 0 first fixed effect's sums, 1 gather k / scatter kn, 2 extrapolate */
} pair_ctx;

static void pair_rows(void *p, i64 c) {
    pair_ctx *x = p;
    i64 n = x->n, lo = n * c / x->nc, hi = n * (c + 1) / x->nc;
    const i64 *offs = x->offs;
    const i32 *codes = x->codes;
    const double *w = x->w, *s = x->s;
    double *v0 = x->v0, *v1 = x->v1, *pc = x->part + 2 * c * x->m;
    if (x->mode == 0) {
        for (i64 g = offs[0]; g < offs[1]; g++) {
            pc[2 * g] = 0.0;
            pc[2 * g + 1] = 0.0;
        }
        for (i64 i = lo; i < hi; i++) {
            i64 g = offs[0] + codes[i];
            double wi = w[i];
            pc[2 * g] += wi * v0[i];
            pc[2 * g + 1] += wi * v1[i];
        }
    } else if (x->mode == 1) {
        i64 o = offs[x->k], o2 = offs[x->kn];
        const i32 *ck = codes + x->k * n, *cn = codes + x->kn * n;
        for (i64 g = o2; g < offs[x->kn + 1]; g++) {
            pc[2 * g] = 0.0;
            pc[2 * g + 1] = 0.0;
        }
        for (i64 i = lo; i < hi; i++) {
            i64 g = o + ck[i];
            i64 g2 = o2 + cn[i];
            double wi = w[i];
            double a = v0[i] - s[2 * g];
            double b = v1[i] - s[2 * g + 1];
            v0[i] = a;
            v1[i] = b;
            pc[2 * g2] += wi * a;
            pc[2 * g2 + 1] += wi * b;
        }
    } else {
        i64 nfe = x->nfe;
        for (i64 g = offs[0]; g < offs[1]; g++) {
            pc[2 * g] = 0.0;
            pc[2 * g + 1] = 0.0;
        }
        for (i64 i = lo; i < hi; i++) {
            double a = 0.0, b = 0.0;
            for (i64 k = 0; k < nfe; k++) {
                i64 g = offs[k] + codes[k * n + i];
                a += s[2 * g];
                b += s[2 * g + 1];
            }
            a += v0[i];
            b += v1[i];
            v0[i] = a;
            v1[i] = b;
            double wi = w[i];
            i64 g2 = offs[0] + codes[i];
            pc[2 * g2] += wi * a;
            pc[2 * g2 + 1] += wi * b;
        }
    }
}

/* levels of fixed effect k, split in nc ranges (each level on its own: any split gives the
 * same numbers) */
static void pair_levels(void *p, i64 c) {
    pair_ctx *x = p;
    i64 o = x->offs[x->k], gk = x->offs[x->k + 1] - o, nc = x->nc, m = x->m;
    const double *part = x->part;
    double d0 = 0.0, d1 = 0.0;
    for (i64 g = o + gk * c / nc; g < o + gk * (c + 1) / nc; g++) {
        double a = part[2 * g], b = part[2 * g + 1];
        for (i64 q = 1; q < nc; q++) {
            a += part[2 * (q * m + g)];
            b += part[2 * (q * m + g) + 1];
        }
        a = a * x->inv[g];
        b = b * x->inv[g];
        x->s[2 * g] = a;
        x->s[2 * g + 1] = b;
        if (fabs(a) > d0) d0 = fabs(a);
        if (fabs(b) > d1) d1 = fabs(b);
    }
    x->dm[2 * c] = d0;
    x->dm[2 * c + 1] = d1;
}

static void pair_sweep(pair_ctx *x, double *dmax, int have) {
    if (!have) {
        x->mode = 0;
        par_run(pair_rows, x, x->nc);
    }
    dmax[0] = 0.0;
    dmax[1] = 0.0;
    for (i64 k = 0; k < x->nfe; k++) {
        x->k = k;
        x->kn = k + 1 < x->nfe ? k + 1 : 0;
        if (x->offs[k + 1] - x->offs[k] >= PAR_LEVELS)
            par_run(pair_levels, x, x->nc);
        else
            for (i64 c = 0; c < x->nc; c++) pair_levels(x, c);
        for (i64 c = 0; c < x->nc; c++) {
            if (x->dm[2 * c] > dmax[0]) dmax[0] = x->dm[2 * c];
            if (x->dm[2 * c + 1] > dmax[1]) dmax[1] = x->dm[2 * c + 1];
        }
        x->mode = 1;
        par_run(pair_rows, x, x->nc);
    }
}

int k_wsweep2(double *v, i64 cs, const double *w, const i32 *codes, const i64 *offs, i64 nfe,
              i64 n, const double *inv, double *s, double *dmax, double *part, i64 nc, int have) {
    double *dm = ALLOC(2 * nc, double);
    if (dm == NULL) return KN_NOMEM;
    pair_ctx x = {v, v + cs, w, inv, codes, offs, nfe, n, offs[nfe], nc, 0, 0, s, part, dm, 0};
    pair_sweep(&x, dmax, have);
    free(dm);
    return 0;
}

/* work space of k_demean_pair (doubles) */
static i64 pair_space(i64 m, i64 nc) { return (2 + nc) * 2 * (m > 0 ? m : 1) + 2 * nc; }

/* _demean_pair_nb: returns the sweeps (KN_NOMEM: out of memory), *conv the convergence flag */
i64 k_demean_pair(double *v, i64 cs, const double *w, const i32 *codes, const i64 *offs, i64 nfe,
                  i64 n, const double *inv, double tol0, double tol1, i64 maxiter, i64 nc,
                  int *conv) {
    i64 m = offs[nfe];
    i64 mm = 2 * (m > 0 ? m : 1);
    double *s = workspace(pair_space(m, nc));
    *conv = 0;
    if (s == NULL) return KN_NOMEM;
    double *d1 = s + mm, *part = d1 + mm;
    double *dm = part + nc * mm;
    pair_ctx x = {v, v + cs, w, inv, codes, offs, nfe, n, m, nc, 0, 0, s, part, dm, 0};
    double d[2] = {INFINITY, INFINITY}, coef[2] = {0.0, 0.0};
    i64 it = 0;
    if (nfe == 1) {
        pair_sweep(&x, d, 0);
        *conv = 1;
        it = 1;
        goto done;
    }
    i64 first = maxiter < 3 ? maxiter : 3;
    while (it < first) {
        pair_sweep(&x, d, it > 0);
        it += 1;
        if (d[0] < tol0 && d[1] < tol1) {
            *conv = 1;
            goto done;
        }
    }
    while (it < maxiter) {
        pair_sweep(&x, d, 1);
        it += 1;
        if ((d[0] < tol0 && d[1] < tol1) || it >= maxiter) break;
        memcpy(d1, s, 2 * m * sizeof(double));
        pair_sweep(&x, d, 1);
        it += 1;
        if ((d[0] < tol0 && d[1] < tol1) || it >= maxiter) break;
        for (int j = 0; j < 2; j++) {
            double num = 0.0, den = 0.0;
            for (i64 g = 0; g < m; g++) {
                double dd = s[2 * g + j] - d1[2 * g + j];
                den += dd * dd;
                num += s[2 * g + j] * dd;
            }
            double c = den > 0 ? num / den : 0.0;
            coef[j] = fabs(c) < 1e6 ? c : 0.0;
        }
        if (coef[0] != 0.0 || coef[1] != 0.0) {
            for (i64 g = 0; g < m; g++) {
                s[2 * g] *= coef[0];
                s[2 * g + 1] *= coef[1];
            }
            x.mode = 2;
            par_run(pair_rows, &x, nc);
        }
    }
    *conv = d[0] < tol0 && d[1] < tol1;
done:
    return it;
}

/* _demean_cols_nb (hdfe_sweeps): columns in pairs, an odd last one alone; r has p columns,
 * column j at r + j * cs (rows contiguous). The work space of the largest step (a pair) is
 * taken first, so that no later step allocates: out of memory (KN_NOMEM) leaves r as it was */
i64 k_demean_cols(double *r, i64 p, i64 cs, const double *w, const i32 *codes, const i64 *offs,
                  i64 nfe, i64 n, const double *inv, const double *tol, i64 maxiter, i64 nc,
                  int *ok) {
    i64 sweeps = 0;
    *ok = 0;
    if (p > 0 && workspace(pair_space(offs[nfe], nc)) == NULL) return KN_NOMEM;
    *ok = 1;
    i64 j = 0;
    while (j < p) {
        i64 it;
        int cj;
        if (j + 1 < p) {
            it = k_demean_pair(r + j * cs, cs, w, codes, offs, nfe, n, inv, tol[j], tol[j + 1],
                               maxiter, nc, &cj);
            j += 2;
        } else {
            double *col = r + j * cs;
            if (nfe == 1) {
                double *s = workspace(offs[1]);
                if (s == NULL) return KN_NOMEM;
                k_wsweep(col, w, codes, offs, nfe, n, inv, s);
                it = 1;
                cj = 1;
            } else {
                it = k_demean_col(col, w, codes, offs, nfe, n, inv, tol[j], maxiter, &cj);
            }
            j += 1;
        }
        if (it < 0) return KN_NOMEM;
        if (it > sweeps) sweeps = it;
        *ok = *ok && cj;
    }
    return sweeps;
}

/* _ipf_sweep_nb / _ipf_nb: rows in nc chunks, part (nc, m) C order */
typedef struct {
    double *mu;
    const i32 *codes;
    const i64 *offs;
    i64 nfe, n, m, nc, k, kn;
    const double *ysum;
    double *alpha, *s, *part, *step, *dm;
    int mode; /* rows: 0 first fixed effect's totals, 1 gather k / scatter kn, 2 extrapolate */
} ipf_ctx;

static void ipf_rows(void *p, i64 c) {
    ipf_ctx *x = p;
    i64 n = x->n, lo = n * c / x->nc, hi = n * (c + 1) / x->nc;
    const i64 *offs = x->offs;
    const i32 *codes = x->codes;
    double *mu = x->mu, *pc = x->part + c * x->m;
    if (x->mode == 0) {
        for (i64 j = offs[0]; j < offs[1]; j++) pc[j] = 0.0;
        for (i64 i = lo; i < hi; i++) pc[offs[0] + codes[i]] += mu[i];
    } else if (x->mode == 1) {
        i64 o = offs[x->k], o2 = offs[x->kn];
        const i32 *ck = codes + x->k * n, *cn = codes + x->kn * n;
        const double *s = x->s;
        for (i64 j = o2; j < offs[x->kn + 1]; j++) pc[j] = 0.0;
        for (i64 i = lo; i < hi; i++) {
            double m = mu[i] * s[o + ck[i]];
            mu[i] = m;
            pc[o2 + cn[i]] += m;
        }
    } else {
        const double *step = x->step;
        i64 nfe = x->nfe;
        for (i64 j = offs[0]; j < offs[1]; j++) pc[j] = 0.0;
        for (i64 i = lo; i < hi; i++) {
            double f = 1.0;
            for (i64 k = 0; k < nfe; k++) f *= step[offs[k] + codes[k * n + i]];
            mu[i] *= f;
            pc[offs[0] + codes[i]] += mu[i];
        }
    }
}

/* levels of fixed effect k, split in nc ranges (each level on its own: any split gives the
 * same numbers; the largest |log factor| of range c goes to dm[c]) */
static void ipf_levels(void *p, i64 c) {
    ipf_ctx *x = p;
    i64 o = x->offs[x->k], g = x->offs[x->k + 1] - o, nc = x->nc, m = x->m;
    double dmax = 0.0;
    for (i64 j = o + g * c / nc; j < o + g * (c + 1) / nc; j++) {
        double t = x->part[j];
        for (i64 q = 1; q < nc; q++) t += x->part[q * m + j];
        double ratio = x->ysum[j] / t;
        double lf = log(ratio);
        x->alpha[j] += lf;
        double a = fabs(lf);
        if (a > dmax) dmax = a;
        x->s[j] = ratio;
    }
    x->dm[c] = dmax;
}

/* the extrapolation's log factors: alpha += step, step = exp(step), levels in nc ranges */
static void ipf_expstep(void *p, i64 c) {
    ipf_ctx *x = p;
    for (i64 j = x->m * c / x->nc; j < x->m * (c + 1) / x->nc; j++) {
        x->alpha[j] += x->step[j];
        x->step[j] = exp(x->step[j]);
    }
}

static double ipf_sweep(ipf_ctx *x, int have) {
    if (!have) {
        x->mode = 0;
        par_run(ipf_rows, x, x->nc);
    }
    double dmax = 0.0;
    for (i64 k = 0; k < x->nfe; k++) {
        x->k = k;
        x->kn = k + 1 < x->nfe ? k + 1 : 0;
        if (x->offs[k + 1] - x->offs[k] >= PAR_LEVELS)
            par_run(ipf_levels, x, x->nc);
        else
            for (i64 c = 0; c < x->nc; c++) ipf_levels(x, c);
        for (i64 c = 0; c < x->nc; c++)
            if (x->dm[c] > dmax) dmax = x->dm[c];
        x->mode = 1;
        par_run(ipf_rows, x, x->nc);
    }
    return dmax;
}

/* returns the largest |log factor|, -1.0 when out of memory */
double k_ipf_sweep(double *mu, const i32 *codes, const i64 *offs, i64 nfe, i64 n,
                   const double *ysum, double *alpha, double *s, double *part, i64 nc, int have) {
    double *dm = ALLOC(nc, double);
    if (dm == NULL) return KN_NOMEM;
    ipf_ctx x = {mu, codes, offs, nfe, n, offs[nfe], nc, 0, 0, ysum, alpha, s, part, NULL, dm, 0};
    double d = ipf_sweep(&x, have);
    free(dm);
    return d;
}

/* _ipf_nb: returns the sweeps (KN_NOMEM: out of memory), *conv the convergence flag */
i64 k_ipf(double *mu, const i32 *codes, const i64 *offs, i64 nfe, i64 n, const double *ysum,
          double *alpha, double tol, i64 nplain, i64 ncycles, i64 nc, int *conv) {
    i64 m = offs[nfe];
    i64 mm = m > 0 ? m : 1;
    double *s = workspace((4 + nc) * mm + nc);
    *conv = 0;
    if (s == NULL) return KN_NOMEM;
    double *a0 = s + mm, *a1 = a0 + mm, *step = a1 + mm;
    double *part = step + mm, *dm = part + nc * mm;
    ipf_ctx x = {mu, codes, offs, nfe, n, m, nc, 0, 0, ysum, alpha, s, part, step, dm, 0};
    i64 it = 0;
    for (i64 q = 0; q < nplain; q++) {
        it += 1;
        if (ipf_sweep(&x, it > 1) < tol) {
            *conv = 1;
            goto done;
        }
    }
    for (i64 q = 0; q < ncycles; q++) {
        memcpy(a0, alpha, m * sizeof(double));
        it += 1;
        if (ipf_sweep(&x, it > 1) < tol) {
            *conv = 1;
            goto done;
        }
        memcpy(a1, alpha, m * sizeof(double));
        it += 1;
        if (ipf_sweep(&x, 1) < tol) {
            *conv = 1;
            goto done;
        }
        double den = 0.0, num = 0.0;
        for (i64 j = 0; j < m; j++) {
            double d2 = alpha[j] - a1[j];
            double dd = d2 - (a1[j] - a0[j]);
            den += dd * dd;
            num += d2 * dd;
        }
        if (!(den > 0)) continue;
        double coef = num / den;
        double big = 0.0;
        for (i64 j = 0; j < m; j++) {
            step[j] = -coef * (alpha[j] - a1[j]);
            double a = fabs(step[j]);
            if (a > big) big = a;
        }
        if (!isfinite(coef) || coef == 0 || !(big <= 3.0)) continue;
        if (m >= PAR_LEVELS)
            par_run(ipf_expstep, &x, nc);
        else
            for (i64 c = 0; c < nc; c++) ipf_expstep(&x, c);
        x.mode = 2;
        par_run(ipf_rows, &x, nc);
    }
done:
    return it;
}

/* _deviance_sum_nb(y, mu, lr): lr = log(y / mu) where y > 0 */
double k_deviance_sum(const double *y, const double *mu, const double *lr, i64 n) {
    double s = 0.0;
    for (i64 i = 0; i < n; i++) {
        if (y[i] > 0) s += y[i] * lr[i];
        s -= y[i] - mu[i];
    }
    return 2.0 * s;
}

int k_absorb(double *r, const i32 *codes, const i64 *offs, i64 nfe, i64 n, double *alpha,
             i64 maxiter, double tol) {
    i64 m = offs[nfe];
    double *inv = ZALLOC(m, double), *s = ALLOC(m, double), *w = ALLOC(n, double);
    if (inv == NULL || s == NULL || w == NULL) {
        free(inv);
        free(s);
        free(w);
        return KN_NOMEM;
    }
    for (i64 k = 0; k < nfe; k++)
        for (i64 i = 0; i < n; i++) inv[offs[k] + codes[k * n + i]] += 1.0;
    for (i64 j = 0; j < m; j++) inv[j] = 1.0 / inv[j];
    for (i64 i = 0; i < n; i++) w[i] = 1.0;
    for (i64 q = 0; q < maxiter; q++) {
        double dmax = k_wsweep(r, w, codes, offs, nfe, n, inv, s);
        for (i64 j = 0; j < m; j++) alpha[j] += s[j];
        if (dmax < tol) break;
    }
    free(inv);
    free(s);
    free(w);
    return 0;
}

/* remap_codes(c, idx, out): c int64; idx empty (nidx == 0) means all n rows; returns the
 * levels (KN_NOMEM: out of memory) */
i64 k_remap_codes(const i64 *c, i64 n_c, const i64 *idx, i64 nidx, i32 *out) {
    i64 n = nidx ? nidx : n_c;
    i64 top = 0;
    for (i64 r = 0; r < n; r++) {
        i64 v = nidx ? c[idx[r]] : c[r];
        if (v > top) top = v;
    }
    i32 *lab = ZALLOC(top + 1, i32);
    if (lab == NULL) return KN_NOMEM;
    for (i64 r = 0; r < n; r++) lab[nidx ? c[idx[r]] : c[r]] = 1;
    i32 g = 0;
    for (i64 j = 0; j < top + 1; j++) {
        if (lab[j]) {
            lab[j] = g;
            g += 1;
        }
    }
    for (i64 r = 0; r < n; r++) out[r] = lab[nidx ? c[idx[r]] : c[r]];
    free(lab);
    return g;
}

/* drop_fe_levels: codes[k] points to fixed effect k's n int64 codes (n < 2**32); keep as
 * bytes (numpy bool); counts[0..1] get (n_single, n_sep); returns visits, -2 when a kept
 * row's code lies outside its levels, KN_NOMEM when out of memory (either: nothing written
 * but counts) */
i64 k_drop_fe_levels(const i64 *const *codes, i64 nfe, const i64 *sizes, const double *y,
                     uint8_t *keep, i64 n, int8_t *reason, int singletons, int separation,
                     int8_t r_single, int8_t r_sep, i64 *counts) {
    const i64 low = ((i64)1 << 32) - 1, one_pos = ((i64)1 << 32) + 1;
    counts[0] = 0;
    counts[1] = 0;
    i64 *offs = ZALLOC(nfe + 1, i64);
    if (!offs) return KN_NOMEM;
    i64 top = 1;
    for (i64 k = 0; k < nfe; k++) {
        offs[k + 1] = offs[k] + sizes[k];
        if (sizes[k] > top) top = sizes[k];
    }
    i64 *cnt = ZALLOC(offs[nfe] + 1, i64); /* kept + 2**32 positive, per level */
    int8_t *flag = ZALLOC(top, int8_t);     /* 1: singleton level, 2: separated */
    if (!cnt || !flag) {
        free(offs);
        free(cnt);
        free(flag);
        return KN_NOMEM;
    }
    for (i64 k0 = 0; k0 < nfe; k0 += 3) { /* up to three fixed effects per pass, unrolled */
        i64 kk = nfe - k0 < 3 ? nfe - k0 : 3;
        i64 j1 = kk > 1 ? k0 + 1 : k0, j2 = kk > 2 ? k0 + 2 : k0;
        const i64 *c0 = codes[k0], *c1 = codes[j1], *c2 = codes[j2];
        uint64_t s0 = sizes[k0], s1 = sizes[j1], s2 = sizes[j2];
        i64 *a0 = cnt + offs[k0], *a1 = cnt + offs[j1], *a2 = cnt + offs[j2];
        int bad = 0;
        if (kk == 3) {
            for (i64 i = 0; i < n; i++) {
                if (keep[i]) {
                    i64 inc = y[i] > 0 ? one_pos : 1;
                    uint64_t g0 = c0[i], g1 = c1[i], g2 = c2[i]; /* a negative code: huge */
                    if ((g0 >= s0) | (g1 >= s1) | (g2 >= s2)) {
                        bad = 1;
                        break;
                    }
                    a0[g0] += inc;
                    a1[g1] += inc;
                    a2[g2] += inc;
                }
            }
        } else {
            for (i64 i = 0; i < n; i++) {
                if (keep[i]) {
                    i64 inc = y[i] > 0 ? one_pos : 1;
                    uint64_t g0 = c0[i], g1 = c1[i];
                    if ((g0 >= s0) | (g1 >= s1)) {
                        bad = 1;
                        break;
                    }
                    a0[g0] += inc;
                    if (kk > 1) a1[g1] += inc;
                }
            }
        }
        if (bad) {
            free(offs);
            free(cnt);
            free(flag);
            return -2;
        }
    }
    i64 n_single = 0, n_sep = 0, visits = 0, k = 0, quiet = 0;
    while (quiet < nfe) {
        visits += 1;
        quiet += 1;
        i64 o = offs[k];
        int some = 0;
        for (i64 g = 0; g < sizes[k]; g++) {
            int8_t f = 0;
            i64 t = cnt[o + g];
            if (t & low) {
                if (singletons && (t & low) == 1)
                    f = 1;
                else if (separation && (t >> 32) == 0)
                    f = 2;
            }
            flag[g] = f;
            if (f) some = 1;
        }
        if (some) {
            const i64 *c = codes[k];
            for (i64 i = 0; i < n; i++) {
                if (keep[i] && flag[c[i]]) {
                    keep[i] = 0;
                    if (flag[c[i]] == 1) {
                        reason[i] = r_single;
                        n_single += 1;
                    } else {
                        reason[i] = r_sep;
                        n_sep += 1;
                    }
                    i64 inc = y[i] > 0 ? one_pos : 1;
                    for (i64 j = 0; j < nfe; j++) cnt[offs[j] + codes[j][i]] -= inc;
                }
            }
            quiet = 1;
        }
        k = (k + 1) % nfe;
    }
    counts[0] = n_single;
    counts[1] = n_sep;
    free(offs);
    free(cnt);
    free(flag);
    return visits;
}

#define AT(a, i, j, rs, cs) ((a)[(i) * (rs) + (j) * (cs)])

/* gram(x, xt, w): base (p) and g (p x p, C order) */
int k_gram(const double *x, i64 xrs, i64 xcs, const double *xt, i64 trs, i64 tcs,
           const double *w, i64 n, i64 p, double *base, double *g) {
    double sw = 0.0;
    double *mean = ZALLOC(p, double);
    if (mean == NULL) return KN_NOMEM;
    for (i64 i = 0; i < n; i++) {
        sw += w[i];
        for (i64 j = 0; j < p; j++) mean[j] += w[i] * AT(x, i, j, xrs, xcs);
    }
    for (i64 j = 0; j < p; j++) mean[j] = sw > 0 ? mean[j] / sw : 0.0;
    for (i64 j = 0; j < p; j++) base[j] = 0.0;
    for (i64 j = 0; j < p * p; j++) g[j] = 0.0;
    for (i64 i = 0; i < n; i++) {
        for (i64 j = 0; j < p; j++) {
            double d = AT(x, i, j, xrs, xcs) - mean[j];
            base[j] += w[i] * d * d;
            double a = w[i] * AT(xt, i, j, trs, tcs);
            for (i64 k = 0; k < j + 1; k++) g[j * p + k] += a * AT(xt, i, k, trs, tcs);
        }
    }
    for (i64 j = 0; j < p; j++)
        for (i64 k = 0; k < j; k++) g[k * p + j] = g[j * p + k];
    free(mean);
    return 0;
}

/* _grad_hess_nb(xt, mu, y, nc): g (p) and h (p x p, C order); rows in nc chunks, each
 * dot product as four interleaved sums */
typedef struct {
    const double *xt, *mu, *y;
    i64 rs, cs, n, p, nc;
    double *part; /* (nc, p, p + 1) */
} gh_ctx;

static void gh_rows(void *ctx, i64 c) {
    gh_ctx *x = ctx;
    i64 n = x->n, p = x->p, rs = x->rs, cs = x->cs;
    i64 lo = n * c / x->nc, hi = n * (c + 1) / x->nc;
    const double *xt = x->xt, *mu = x->mu, *y = x->y;
    double *pc = x->part + c * p * (p + 1);
    for (i64 j = 0; j < p; j++) {
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        i64 i = lo;
        for (; i + 4 <= hi; i += 4) {
            s0 += AT(xt, i, j, rs, cs) * (y[i] - mu[i]);
            s1 += AT(xt, i + 1, j, rs, cs) * (y[i + 1] - mu[i + 1]);
            s2 += AT(xt, i + 2, j, rs, cs) * (y[i + 2] - mu[i + 2]);
            s3 += AT(xt, i + 3, j, rs, cs) * (y[i + 3] - mu[i + 3]);
        }
        for (; i < hi; i++) s0 += AT(xt, i, j, rs, cs) * (y[i] - mu[i]);
        pc[j * (p + 1) + p] = (s0 + s1) + (s2 + s3);
        for (i64 k = 0; k < j + 1; k++) {
            s0 = 0.0;
            s1 = 0.0;
            s2 = 0.0;
            s3 = 0.0;
            i = lo;
            for (; i + 4 <= hi; i += 4) {
                s0 += AT(xt, i, j, rs, cs) * mu[i] * AT(xt, i, k, rs, cs);
                s1 += AT(xt, i + 1, j, rs, cs) * mu[i + 1] * AT(xt, i + 1, k, rs, cs);
                s2 += AT(xt, i + 2, j, rs, cs) * mu[i + 2] * AT(xt, i + 2, k, rs, cs);
                s3 += AT(xt, i + 3, j, rs, cs) * mu[i + 3] * AT(xt, i + 3, k, rs, cs);
            }
            for (; i < hi; i++) s0 += AT(xt, i, j, rs, cs) * mu[i] * AT(xt, i, k, rs, cs);
            pc[j * (p + 1) + k] = (s0 + s1) + (s2 + s3);
        }
    }
}

int k_grad_hess(const double *xt, i64 rs, i64 cs, const double *mu, const double *y, i64 n,
                i64 p, i64 nc, double *g, double *h) {
    double *part = ZALLOC(nc * p * (p + 1), double);
    if (part == NULL) return KN_NOMEM;
    gh_ctx x = {xt, mu, y, rs, cs, n, p, nc, part};
    par_run(gh_rows, &x, nc);
    i64 q = p * (p + 1);
    for (i64 j = 0; j < p; j++) {
        double sg = part[j * (p + 1) + p];
        for (i64 c = 1; c < nc; c++) sg += part[c * q + j * (p + 1) + p];
        g[j] = sg;
        for (i64 k = 0; k < j + 1; k++) {
            double sh = part[j * (p + 1) + k];
            for (i64 c = 1; c < nc; c++) sh += part[c * q + j * (p + 1) + k];
            h[j * p + k] = sh;
            h[k * p + j] = sh;
        }
    }
    free(part);
    return 0;
}

/* lin_index: rows in nc chunks on threads (each row on its own and max |out| does not depend
 * on the order, so any nc gives the numba kernel's bits) */
typedef struct {
    const double *xt, *step;
    i64 rs, cs, n, p, nc;
    double *out, *big;
} li_ctx;

static void li_rows(void *ctx, i64 c) {
    li_ctx *x = ctx;
    i64 lo = x->n * c / x->nc, hi = x->n * (c + 1) / x->nc;
    double big = 0.0;
    for (i64 i = lo; i < hi; i++) {
        double s = 0.0;
        for (i64 j = 0; j < x->p; j++) s += AT(x->xt, i, j, x->rs, x->cs) * x->step[j];
        x->out[i] = s;
        if (fabs(s) > big) big = fabs(s);
    }
    x->big[c] = big;
}

/* returns max |out|, -1.0 when out of memory */
double k_lin_index(const double *xt, i64 rs, i64 cs, const double *step, double *out, i64 n,
                   i64 p, i64 nc) {
    double *bigs = ALLOC(nc, double);
    if (bigs == NULL) return KN_NOMEM;
    li_ctx x = {xt, step, rs, cs, n, p, nc, out, bigs};
    par_run(li_rows, &x, nc);
    double big = 0.0;
    for (i64 c = 0; c < nc; c++)
        if (bigs[c] > big) big = bigs[c];
    free(bigs);
    return big;
}

/* cluster_sums(xt, r, codes, g): s (g x p, C order) */
void k_cluster_sums(const double *xt, i64 rs, i64 cs, const double *r, const i64 *codes, i64 n,
                    i64 p, i64 g, double *s) {
    for (i64 j = 0; j < g * p; j++) s[j] = 0.0;
    for (i64 i = 0; i < n; i++) {
        i64 c = codes[i];
        for (i64 j = 0; j < p; j++) s[c * p + j] += AT(xt, i, j, rs, cs) * r[i];
    }
}

/* 1 if nested, 0 if not, KN_NOMEM when out of memory */
int k_nested_in(const i64 *fc, i64 n, i64 nfe, const i64 *cc) {
    i64 *first = ALLOC(nfe, i64);
    if (first == NULL) return KN_NOMEM;
    for (i64 j = 0; j < nfe; j++) first[j] = -1;
    int out = 1;
    for (i64 i = 0; i < n; i++) {
        i64 f = fc[i];
        if (first[f] < 0) {
            first[f] = cc[i];
        } else if (first[f] != cc[i]) {
            out = 0;
            break;
        }
    }
    free(first);
    return out;
}
