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
 * Conventions: arrays are passed as pointers with their lengths; a 2-D float array as a
 * pointer plus the strides (in elements) of its rows and columns; codes2d is (K, n) int32
 * C-ordered; offs has K + 1 int64 entries. Tuples are returned through out-parameters.
 *
 * mirrors _demean_step_nb d3c13ea3edbb2d76
 * mirrors _ipf_step_nb 2b9cef2070b32eb7
 * mirrors _wsweep_nb 88ba17f169f5d1ec
 * mirrors _demean_col_nb 0d29e5b16af214db
 * mirrors _inv_weights_nb 0d8fecb794d03240
 * mirrors _ipf_sweep_nb bee69f9f361edcaa
 * mirrors _ipf_nb 9b016077ce8c47c9
 * mirrors _deviance_sum_nb 868ae1bdabf39968
 * mirrors _absorb_nb 2cfaa03e9526416f
 * mirrors remap_codes b2c924f10af3e8a6
 * mirrors drop_visit c75b9608701bd18e
 * mirrors gram 13cd66eb4a86c23e
 * mirrors grad_hess 1033a95cf18b7239
 * mirrors lin_index 2405f4d28b170054
 * mirrors cluster_sums e1149bbe77d17d20
 * mirrors nested_in 925309f1f69eda95
 * mirrors _wsweep2_nb a5f4c3c1b658ccbd
 * mirrors _demean_pair_nb 761e1d7f1c10676c
 * mirrors _demean_cols_nb 9daf79ce5d315eaf
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int64_t i64;
typedef int32_t i32;

int kaigai_native_abi(void) { return 1; }

/* _demean_step_nb(v, w, c, inv, g): c int64 codes of one fixed effect */
double k_demean_step(double *v, const double *w, const i64 *c, const double *inv, i64 g, i64 n) {
    double *s = calloc(g > 0 ? g : 1, sizeof(double));
    for (i64 i = 0; i < n; i++) s[c[i]] += w[i] * v[i];
    double dmax = 0.0;
    for (i64 k = 0; k < g; k++) {
        s[k] *= inv[k];
        double a = fabs(s[k]);
        if (a > dmax) dmax = a;
    }
    for (i64 i = 0; i < n; i++) v[i] -= s[c[i]];
    free(s);
    return dmax;
}

/* _ipf_step_nb(mu, c, ysum, g): writes the log factors to lf (g) */
void k_ipf_step(double *mu, const i64 *c, const double *ysum, i64 g, i64 n, double *lf) {
    double *s = calloc(g > 0 ? g : 1, sizeof(double));
    for (i64 i = 0; i < n; i++) s[c[i]] += mu[i];
    for (i64 j = 0; j < g; j++) {
        lf[j] = log(ysum[j] / s[j]);
        s[j] = exp(lf[j]);
    }
    for (i64 i = 0; i < n; i++) mu[i] *= s[c[i]];
    free(s);
}

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

/* _demean_col_nb: returns the sweeps, *conv the convergence flag */
i64 k_demean_col(double *v, const double *w, const i32 *codes, const i64 *offs, i64 nfe, i64 n,
                 const double *inv, double tol, i64 maxiter, int *conv) {
    i64 m = offs[nfe];
    double *s = malloc((m > 0 ? m : 1) * sizeof(double));
    double *d1 = malloc((m > 0 ? m : 1) * sizeof(double));
    i64 it = 0;
    double d = INFINITY;
    i64 first = maxiter < 3 ? maxiter : 3;
    while (it < first) {
        d = k_wsweep(v, w, codes, offs, nfe, n, inv, s);
        it += 1;
        if (d < tol) {
            *conv = 1;
            free(s);
            free(d1);
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
    free(s);
    free(d1);
    return it;
}

void k_inv_weights(const double *w, const i32 *codes, const i64 *offs, i64 nfe, i64 n,
                   double *inv) {
    for (i64 j = 0; j < offs[nfe]; j++) inv[j] = 0.0;
    for (i64 k = 0; k < nfe; k++) {
        i64 o = offs[k];
        const i32 *ck = codes + k * n;
        for (i64 i = 0; i < n; i++) inv[o + ck[i]] += w[i];
    }
    for (i64 j = 0; j < offs[nfe]; j++) inv[j] = inv[j] > 0 ? 1.0 / inv[j] : 0.0;
}

/* _wsweep2_nb: v (n, 2) with column stride cs, s (m, 2) C order, dmax (2); nxt (levels of
 * the first fixed effect, 2) holds its sums for the current v when have, refilled in the last
 * pass for the next sweep */
void k_wsweep2(double *v, i64 cs, const double *w, const i32 *codes, const i64 *offs, i64 nfe,
               i64 n, const double *inv, double *s, double *dmax, double *nxt, int have) {
    double *v0 = v, *v1 = v + cs;
    i64 o = offs[0];
    i64 g0 = offs[1] - o;
    if (have) {
        for (i64 g = 0; g < g0; g++) {
            s[2 * (o + g)] = nxt[2 * g];
            s[2 * (o + g) + 1] = nxt[2 * g + 1];
        }
    } else {
        for (i64 g = o; g < offs[1]; g++) {
            s[2 * g] = 0.0;
            s[2 * g + 1] = 0.0;
        }
        for (i64 i = 0; i < n; i++) {
            i64 g = o + codes[i];
            double wi = w[i];
            s[2 * g] += wi * v0[i];
            s[2 * g + 1] += wi * v1[i];
        }
    }
    for (i64 g = offs[1]; g < offs[nfe]; g++) {
        s[2 * g] = 0.0;
        s[2 * g + 1] = 0.0;
    }
    dmax[0] = 0.0;
    dmax[1] = 0.0;
    for (i64 k = 0; k < nfe; k++) {
        o = offs[k];
        for (i64 g = o; g < offs[k + 1]; g++) {
            double a = s[2 * g] * inv[g];
            double b = s[2 * g + 1] * inv[g];
            s[2 * g] = a;
            s[2 * g + 1] = b;
            if (fabs(a) > dmax[0]) dmax[0] = fabs(a);
            if (fabs(b) > dmax[1]) dmax[1] = fabs(b);
        }
        const i32 *ck = codes + k * n;
        if (k + 1 < nfe) {
            i64 o2 = offs[k + 1];
            const i32 *cn = codes + (k + 1) * n;
            for (i64 i = 0; i < n; i++) {
                i64 g = o + ck[i];
                i64 g2 = o2 + cn[i];
                double wi = w[i];
                double a = v0[i] - s[2 * g];
                double b = v1[i] - s[2 * g + 1];
                v0[i] = a;
                v1[i] = b;
                s[2 * g2] += wi * a;
                s[2 * g2 + 1] += wi * b;
            }
        } else {
            for (i64 g = 0; g < 2 * g0; g++) nxt[g] = 0.0;
            for (i64 i = 0; i < n; i++) {
                i64 g = o + ck[i];
                i64 g2 = codes[i];
                double wi = w[i];
                double a = v0[i] - s[2 * g];
                double b = v1[i] - s[2 * g + 1];
                v0[i] = a;
                v1[i] = b;
                nxt[2 * g2] += wi * a;
                nxt[2 * g2 + 1] += wi * b;
            }
        }
    }
}

/* _demean_pair_nb: returns the sweeps, *conv the convergence flag */
i64 k_demean_pair(double *v, i64 cs, const double *w, const i32 *codes, const i64 *offs, i64 nfe,
                  i64 n, const double *inv, double tol0, double tol1, i64 maxiter, int *conv) {
    i64 m = offs[nfe];
    size_t bytes = 2 * (m > 0 ? m : 1) * sizeof(double);
    double *s = malloc(bytes), *d1 = malloc(bytes);
    i64 g0 = offs[1] - offs[0];
    double *nxt = malloc(2 * (g0 > 0 ? g0 : 1) * sizeof(double));
    double d[2] = {INFINITY, INFINITY}, coef[2] = {0.0, 0.0};
    double *v0 = v, *v1 = v + cs;
    i64 it = 0;
    *conv = 0;
    if (nfe == 1) {
        k_wsweep2(v, cs, w, codes, offs, nfe, n, inv, s, d, nxt, 0);
        *conv = 1;
        it = 1;
        goto done;
    }
    i64 first = maxiter < 3 ? maxiter : 3;
    while (it < first) {
        k_wsweep2(v, cs, w, codes, offs, nfe, n, inv, s, d, nxt, it > 0);
        it += 1;
        if (d[0] < tol0 && d[1] < tol1) {
            *conv = 1;
            goto done;
        }
    }
    while (it < maxiter) {
        k_wsweep2(v, cs, w, codes, offs, nfe, n, inv, s, d, nxt, 1);
        it += 1;
        if ((d[0] < tol0 && d[1] < tol1) || it >= maxiter) break;
        memcpy(d1, s, 2 * m * sizeof(double));
        k_wsweep2(v, cs, w, codes, offs, nfe, n, inv, s, d, nxt, 1);
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
            for (i64 g = 0; g < 2 * g0; g++) nxt[g] = 0.0;
            for (i64 i = 0; i < n; i++) {
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
                i64 g2 = codes[i];
                nxt[2 * g2] += wi * a;
                nxt[2 * g2 + 1] += wi * b;
            }
        }
    }
    *conv = d[0] < tol0 && d[1] < tol1;
done:
    free(s);
    free(d1);
    free(nxt);
    return it;
}

/* _demean_cols_nb (hdfe_sweeps): columns in pairs, an odd last one alone; r has p columns,
 * column j at r + j * cs (rows contiguous) */
i64 k_demean_cols(double *r, i64 p, i64 cs, const double *w, const i32 *codes, const i64 *offs,
                  i64 nfe, i64 n, const double *inv, const double *tol, i64 maxiter, int *ok) {
    i64 sweeps = 0;
    *ok = 1;
    i64 j = 0;
    while (j < p) {
        i64 it;
        int cj;
        if (j + 1 < p) {
            it = k_demean_pair(r + j * cs, cs, w, codes, offs, nfe, n, inv, tol[j], tol[j + 1],
                               maxiter, &cj);
            j += 2;
        } else {
            double *col = r + j * cs;
            if (nfe == 1) {
                double *s = malloc((offs[1] > 0 ? offs[1] : 1) * sizeof(double));
                k_wsweep(col, w, codes, offs, nfe, n, inv, s);
                free(s);
                it = 1;
                cj = 1;
            } else {
                it = k_demean_col(col, w, codes, offs, nfe, n, inv, tol[j], maxiter, &cj);
            }
            j += 1;
        }
        if (it > sweeps) sweeps = it;
        *ok = *ok && cj;
    }
    return sweeps;
}

/* _ipf_sweep_nb: nxt holds the first fixed effect's totals of mu when have, refilled in the
 * last pass for the next sweep */
double k_ipf_sweep(double *mu, const i32 *codes, const i64 *offs, i64 nfe, i64 n,
                   const double *ysum, double *alpha, double *s, double *nxt, int have) {
    i64 o = offs[0];
    i64 g0 = offs[1] - o;
    for (i64 j = 0; j < offs[nfe]; j++) s[j] = 0.0;
    if (have) {
        for (i64 j = 0; j < g0; j++) s[o + j] = nxt[j];
    } else {
        for (i64 i = 0; i < n; i++) s[o + codes[i]] += mu[i];
    }
    double dmax = 0.0;
    for (i64 k = 0; k < nfe; k++) {
        o = offs[k];
        for (i64 j = o; j < offs[k + 1]; j++) {
            double ratio = ysum[j] / s[j];
            double lf = log(ratio);
            alpha[j] += lf;
            double a = fabs(lf);
            if (a > dmax) dmax = a;
            s[j] = ratio;
        }
        const i32 *ck = codes + k * n;
        if (k + 1 < nfe) {
            i64 o2 = offs[k + 1];
            const i32 *cn = codes + (k + 1) * n;
            for (i64 i = 0; i < n; i++) {
                double m = mu[i] * s[o + ck[i]];
                mu[i] = m;
                s[o2 + cn[i]] += m;
            }
        } else {
            for (i64 j = 0; j < g0; j++) nxt[j] = 0.0;
            for (i64 i = 0; i < n; i++) {
                double m = mu[i] * s[o + ck[i]];
                mu[i] = m;
                nxt[codes[i]] += m;
            }
        }
    }
    return dmax;
}

/* _ipf_nb: returns the sweeps, *conv the convergence flag */
i64 k_ipf(double *mu, const i32 *codes, const i64 *offs, i64 nfe, i64 n, const double *ysum,
          double *alpha, double tol, i64 nplain, i64 ncycles, int *conv) {
    i64 m = offs[nfe];
    size_t bytes = (m > 0 ? m : 1) * sizeof(double);
    double *s = malloc(bytes), *a0 = malloc(bytes), *a1 = malloc(bytes), *step = malloc(bytes);
    i64 g0 = offs[1] - offs[0];
    double *nxt = malloc((g0 > 0 ? g0 : 1) * sizeof(double));
    i64 it = 0;
    *conv = 0;
    for (i64 q = 0; q < nplain; q++) {
        it += 1;
        if (k_ipf_sweep(mu, codes, offs, nfe, n, ysum, alpha, s, nxt, it > 1) < tol) {
            *conv = 1;
            goto done;
        }
    }
    for (i64 q = 0; q < ncycles; q++) {
        memcpy(a0, alpha, m * sizeof(double));
        it += 1;
        if (k_ipf_sweep(mu, codes, offs, nfe, n, ysum, alpha, s, nxt, it > 1) < tol) {
            *conv = 1;
            goto done;
        }
        memcpy(a1, alpha, m * sizeof(double));
        it += 1;
        if (k_ipf_sweep(mu, codes, offs, nfe, n, ysum, alpha, s, nxt, 1) < tol) {
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
        for (i64 j = 0; j < m; j++) {
            alpha[j] += step[j];
            step[j] = exp(step[j]);
        }
        for (i64 j = 0; j < g0; j++) nxt[j] = 0.0;
        for (i64 i = 0; i < n; i++) {
            double f = 1.0;
            for (i64 k = 0; k < nfe; k++) f *= step[offs[k] + codes[k * n + i]];
            mu[i] *= f;
            nxt[codes[i]] += mu[i];
        }
    }
done:
    free(nxt);
    free(s);
    free(a0);
    free(a1);
    free(step);
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

void k_absorb(double *r, const i32 *codes, const i64 *offs, i64 nfe, i64 n, double *alpha,
              i64 maxiter, double tol) {
    i64 m = offs[nfe];
    size_t bytes = (m > 0 ? m : 1) * sizeof(double);
    double *inv = calloc(m > 0 ? m : 1, sizeof(double)), *s = malloc(bytes);
    double *w = malloc((n > 0 ? n : 1) * sizeof(double));
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
}

/* remap_codes(c, idx, out): c int64; idx empty (nidx == 0) means all n rows */
i64 k_remap_codes(const i64 *c, i64 n_c, const i64 *idx, i64 nidx, i32 *out) {
    i64 n = nidx ? nidx : n_c;
    i64 top = 0;
    for (i64 r = 0; r < n; r++) {
        i64 v = nidx ? c[idx[r]] : c[r];
        if (v > top) top = v;
    }
    i32 *lab = calloc(top + 1, sizeof(i32));
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

/* drop_visit: pos, keep as bytes (numpy bool); counts written to counts[0..1] */
void k_drop_visit(const i64 *c, i64 n, i64 size, const uint8_t *pos, uint8_t *keep,
                  int8_t *reason, int singletons, int separation, int8_t r_single, int8_t r_sep,
                  i64 *counts) {
    i64 *cnt = calloc(size > 0 ? size : 1, sizeof(i64));
    i64 n_single = 0, n_sep = 0;
    if (singletons) {
        for (i64 i = 0; i < n; i++)
            if (keep[i]) cnt[c[i]] += 1;
        for (i64 i = 0; i < n; i++) {
            if (keep[i] && cnt[c[i]] == 1) {
                keep[i] = 0;
                reason[i] = r_single;
                n_single += 1;
            }
        }
    }
    if (separation) {
        memset(cnt, 0, (size > 0 ? size : 1) * sizeof(i64));
        for (i64 i = 0; i < n; i++)
            if (keep[i] && pos[i]) cnt[c[i]] += 1;
        for (i64 i = 0; i < n; i++) {
            if (keep[i] && cnt[c[i]] == 0) {
                keep[i] = 0;
                reason[i] = r_sep;
                n_sep += 1;
            }
        }
    }
    counts[0] = n_single;
    counts[1] = n_sep;
    free(cnt);
}

#define AT(a, i, j, rs, cs) ((a)[(i) * (rs) + (j) * (cs)])

/* gram(x, xt, w): base (p) and g (p x p, C order) */
void k_gram(const double *x, i64 xrs, i64 xcs, const double *xt, i64 trs, i64 tcs,
            const double *w, i64 n, i64 p, double *base, double *g) {
    double sw = 0.0;
    double *mean = calloc(p > 0 ? p : 1, sizeof(double));
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
}

/* grad_hess(xt, mu, y): g (p) and h (p x p, C order), one dot product per entry */
void k_grad_hess(const double *xt, i64 rs, i64 cs, const double *mu, const double *y, i64 n,
                 i64 p, double *g, double *h) {
    for (i64 j = 0; j < p; j++) {
        double sg = 0.0;
        for (i64 i = 0; i < n; i++) sg += AT(xt, i, j, rs, cs) * (y[i] - mu[i]);
        g[j] = sg;
        for (i64 k = 0; k < j + 1; k++) {
            double sh = 0.0;
            for (i64 i = 0; i < n; i++) sh += AT(xt, i, j, rs, cs) * mu[i] * AT(xt, i, k, rs, cs);
            h[j * p + k] = sh;
            h[k * p + j] = sh;
        }
    }
}

double k_lin_index(const double *xt, i64 rs, i64 cs, const double *step, double *out, i64 n,
                   i64 p) {
    double big = 0.0;
    for (i64 i = 0; i < n; i++) {
        double s = 0.0;
        for (i64 j = 0; j < p; j++) s += AT(xt, i, j, rs, cs) * step[j];
        out[i] = s;
        if (fabs(s) > big) big = fabs(s);
    }
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

int k_nested_in(const i64 *fc, i64 n, i64 nfe, const i64 *cc) {
    i64 *first = malloc((nfe > 0 ? nfe : 1) * sizeof(i64));
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
