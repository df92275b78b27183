"""Float32 bodies of the gated family (glu, geglu, geglu_tanh, swiglu and their
backward; see relukit.cuda._f32 for the vocabulary), mirroring src/gated.c."""
from relukit.cuda._f32 import _k  # noqa: F401 - float32 constants from hexadecimal

# src/gelu_tables.h: 2 sqrt(2/pi), 0.044715 and 3 x 0.044715 as float hi + lo
GT_K2_HI, GT_K2_LO = "0x1.988454p+0", "-0x1.857936p-25"
GT_C_HI, GT_C_LO = "0x1.6e4e26p-5", "0x1.a9003ep-30"
GT_C3_HI, GT_C3_LO = "0x1.12ba9ep-3", "-0x1.c13fd0p-28"
# the bulk's range tests (src/gated.c abs_in_f, prod_ok_f): 2^-100, 2^-90, 2^-60, 2^76, 2^100
LO100, LO90, LO60 = (f"K({2.0 ** -100!r})", f"K({2.0 ** -90!r})", f"K({2.0 ** -60!r})")
HI76, HI100 = f"K({2.0 ** 76!r})", f"K({2.0 ** 100!r})"

HELPERS = {
    # src/gated.c prod_ok_f (FMA target): |h| in [2^-90, 2^100], false for NaN
    "gd_in": """
        def gd_in(x, lo, hi):
            return abs(x) >= lo and abs(x) <= hi
    """,
    # src/gated.c gated_den_f: E = 1 + e^-x rounded once (x >= -16; above 16 as
    # fma(2^m, 1 + p, 1))
    "gd_den": """
        def gd_den(x):
            t, p = exp_red(vmax(-vmax(x, K(-16.0)), K(-87.0)))
            P = pow2(t, 0)
            if x > K(16.0):
                return fma(P, p + K(1.0), K(1.0))
            return fma(P, p, P + K(1.0))
    """,
    # src/gated.c divc0_f: (h + l) / (E + El), one corrected rounding
    "gd_divc0": """
        def gd_divc0(h, l, E, El):
            R = K(1.0) / E
            q = h * R
            res = fma(-q, El, fma(-q, E, h) + l)
            return fma(res, R, q)
    """,
    # src/gelu.c gelu_tanh_w_f: w = e^-v = P (1 + p); returns (uh, P, p), uh = -v
    # clamped at -87
    "gd_gt_w": """
        def gd_gt_w(x):
            vh, vl = gt_v(x)
            uh = vmax(-vh, K(-87.0))
            ul = K(0.0) if -vh < K(-87.0) else -vl
            t, r, s = sg_expv(uh, ul)
            return uh, pow2(t, 0), r + s
    """,
    # src/gelu.c gelu_tanh_dargs_f: (u, ul, A, Al): u + ul = -v (u clamped at -87),
    # A + Al = 1 + x v'
    "gd_gt_dargs": f"""
        def gd_gt_dargs(x):
            vh, vlo = gt_v(x)
            sh = x * x
            sl = fma(x, x, -sh)
            th = {_k(GT_C3_HI)} * sh
            tl = fma({_k(GT_C3_HI)}, sl, fma({_k(GT_C3_LO)}, sh, fma({_k(GT_C3_HI)}, sh, -th)))
            qh = K(1.0) + th
            ql = ((vmax(K(1.0), th) - qh) + vmin(K(1.0), th)) + tl
            kh = {_k(GT_K2_HI)} * x
            kl = fma({_k(GT_K2_LO)}, x, fma({_k(GT_K2_HI)}, x, -kh))
            xh = kh * qh
            xl = fma(kh, ql, fma(kl, qh, fma(kh, qh, -xh)))
            A = K(1.0) + xh
            Al = ((vmax(K(1.0), xh) - A) + vmin(K(1.0), xh)) + xl
            ul = K(0.0) if vh > K(87.0) else -vlo
            return vmax(-vh, K(-87.0)), ul, A, Al
    """,
    # src/gated.c gated_mul_core_f: (h + l) F, F = P (Kc + rest) (a < 0) or 1 - P (Kc + rest)
    "gd_mul_core": """
        def gd_mul_core(a, h, l, P, Kc, rest):
            H = h * P
            ph = H * Kc
            pl = fma(H, Kc, -ph)
            ch = H * rest
            cl = fma(H, rest, -ch)
            sh = ph + ch
            sl = ((ph - sh) + ch) + fma(l * P, Kc + rest, pl + cl)
            if a < K(0.0):
                return sh + sl
            dh = h - sh
            dl = (h - dh) - sh
            return dh + ((dl - sl) + l)
    """,
    # src/gated.c sig_gated_bwd_f: (ga, gb, ok) for w = e^(u + ul), A + Al (a's range
    # tested by the caller)
    "gd_sig_bwd": f"""
        def gd_sig_bwd(u, ul, A, Al, a, b, g):
            h1 = g * a
            h = g * b
            if not (gd_in(h, {LO60}, {HI100}) and gd_in(h1, {LO90}, {HI100})):
                return K(0.0), K(0.0), False
            Eh, El, pw, eh, el = sg_den(u, ul)
            gb = gd_divc0(h1, fma(g, a, -h1), Eh, El)
            if not gd_in(gb, {LO100}, {HI100}):
                return K(0.0), K(0.0), False
            q0, corr = sg_dsig_q(u, ul, A, Al)
            ga = fma(h, q0, fma(fma(g, b, -h), q0, h * corr))
            return ga, gb, True
    """,
}
INT_HELPERS = {
}
GATED = {
    # src/gated.c swiglu_f: swiglu_bulk_f, else the float64 route (swiglu_rare_f)
    "swiglu": (f"""
        h = a * b
        if a >= K(-16.0) and gd_in(h, {LO90}, {HI100}):
            l = fma(a, b, -h)
            # src/gated.c divc1_f: the corrected quotient without a low part
            E = gd_den(a)
            R = K(1.0) / E
            q = h * R
            return fma(fma(-q, E, h) + l, R, q)
        return RARE(a, b)
    """, True),
    # src/gated.c swiglu_bwd_f: swiglu_bwd_bulk_f, else the float64 route
    "swiglu_bwd": ("""
        if a >= K(-16.0) and a <= K(87.0):
            A = K(1.0) + a
            ga, gb, ok = gd_sig_bwd(-a, K(0.0), A, (K(1.0) - A) + a, a, b, g)
            if ok:
                return ga, gb
        return RARE(g, a, b)
    """, True),
    # src/gated.c glu_f: glu_bulk_f (b >= -16: a / (1 + e^-b)),
    # else the float64 route
    "glu": ("""
        if b >= K(-16.0):
            return a / gd_den(b)
        return RARE(a, b)
    """, True),
    # src/gated.c glu_bwd_f: glu_bwd_bulk_f, else the float64 route
    "glu_bwd": (f"""
        if b >= K(-16.0) and b <= K(80.0):
            t, p = exp_red(-b)
            P = pow2(t, 0)
            P1 = P + K(1.0)
            if b > K(16.0):
                Eh = K(1.0)
                El = fma(P, p, P)
            else:
                Eh = fma(P, p, P1)
                El = fma(P, p, P1 - Eh)
            ga = gd_divc0(g, K(0.0), Eh, El)
            h = g * a
            if h == K(0.0):
                gb = h
            else:
                if not gd_in(h, {LO90}, {HI76}):
                    return RARE(g, a, b)
                l = fma(g, a, -h)
                H = h * P
                qh = H * p
                ql = fma(H, p, -qh)
                Nh = H + qh
                Nl = ((H - Nh) + qh) + fma(l * P, p + K(1.0), ql)
                Qh = Eh * Eh
                Ql = fma(El, fma(K(2.0), Eh, El), fma(Eh, Eh, -Qh))
                gb = gd_divc0(Nh, Nl, Qh, Ql)
                if not gd_in(gb, {LO100}, {HI100}):
                    return RARE(g, a, b)
            if g == K(0.0):
                return g, gb
            if gd_in(ga, {LO100}, {HI100}):
                return ga, gb
        return RARE(g, a, b)
    """, True),
    # src/gated.c geglu_tanh_f: geglu_tanh_bulk_f, else the float64 route
    "geglu_tanh": (f"""
        h = a * b
        if a >= K(-9.5) and a <= K(1e4) and gd_in(h, {LO90}, {HI100}):
            uh, P, p = gd_gt_w(a)
            if uh < K(-16.0):
                E = K(1.0)
                El = fma(P, p, P)
            else:
                El = K(0.0)
                if uh <= K(16.0):
                    E = fma(P, p, P + K(1.0))
                else:
                    E = fma(P, p + gt_pinv(P), P)
            y = gd_divc0(h, fma(a, b, -h), E, El)
            if gd_in(y, {LO100}, {HI100}):
                return y
        return RARE(a, b)
    """, True),
    # src/gated.c geglu_tanh_bwd_f: geglu_tanh_bwd_bulk_f, else the float64 route
    "geglu_tanh_bwd": ("""
        if a >= K(-4.85) and a <= K(1e4):
            u, ul, A, Al = gd_gt_dargs(a)
            ga, gb, ok = gd_sig_bwd(u, ul, A, Al, a, b, g)
            if ok:
                return ga, gb
        return RARE(g, a, b)
    """, True),
    # src/gated.c geglu_f: geglu_bulk_f (gelu.c's gelu_T_f: ge_T), else the float64 route
    "geglu": (f"""
        h = a * b
        if a >= K(-13.0) and gd_in(h, {LO90}, {HI100}):
            Kc, inner, t = ge_T(vmin(abs(a), K(13.0)))
            y = gd_mul_core(a, h, fma(a, b, -h), pow2(t, 0), Kc, inner)
            if gd_in(y, {LO100}, {HI100}):
                return y
        return RARE(a, b)
    """, True),
    # src/gated.c geglu_bwd_f: geglu_bwd_bulk_f (gelu.c's gelu_T_f and gelu_dk_f: ge_T,
    # ge_dk), else the float64 route
    "geglu_bwd": (f"""
        h1 = a * g
        h2 = g * b
        if a >= K(-13.0) and gd_in(h1, {LO90}, {HI100}) and gd_in(h2, {LO90}, {HI100}):
            ac = vmin(abs(a), K(13.0))
            Kc, inner, t = ge_T(ac)
            Kh, rest, t2 = ge_dk(ac)
            P = pow2(t, 0)
            gb = gd_mul_core(a, h1, fma(a, g, -h1), P, Kc, inner)
            ga = gd_mul_core(a, h2, fma(g, b, -h2), P, Kh, rest)
            if gd_in(gb, {LO100}, {HI100}) and gd_in(ga, {LO100}, {HI100}):
                return ga, gb
        return RARE(g, a, b)
    """, True),
}
