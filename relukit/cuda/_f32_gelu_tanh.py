"""Float32 bodies of gelu_tanh, mish and mish' (see relukit.cuda._f32 for the vocabulary), mirroring
src/gelu.c and src/exponential.c."""
from relukit.cuda._f32 import _k  # noqa: F401 - float32 constants from hexadecimal
from relukit.cuda._f32 import EXPF_P, F_LN2HI, F_LN2LO, F_LOG2E, F_SHIFT

# src/gelu_tables.h: 2 sqrt(2/pi) and 0.044715 as float hi + lo
GT_K2_HI, GT_K2_LO = "0x1.988454p+0", "-0x1.857936p-25"
GT_C_HI, GT_C_LO = "0x1.6e4e26p-5", "0x1.a9003ep-30"

HELPERS = {
    # src/gelu.c gelu_tanh_v_f: v = 2 sqrt(2/pi) x (1 + c x^2) as vh + vl (twoprod_f,
    # twosum_f of src/dwarith.h); returns (vh, vl)
    "gt_v": f"""
        def gt_v(x):
            sh = x * x
            sl = fma(x, x, -sh)
            ch = {_k(GT_C_HI)} * sh
            e1 = fma({_k(GT_C_HI)}, sh, -ch)
            cl = fma({_k(GT_C_HI)}, sl, fma({_k(GT_C_LO)}, sh, e1))
            mh = K(1.0) + ch
            bb = mh - K(1.0)
            ml = (K(1.0) - (mh - bb)) + (ch - bb)
            ml = ml + cl
            kh = {_k(GT_K2_HI)} * x
            e2 = fma({_k(GT_K2_HI)}, x, -kh)
            kl = fma({_k(GT_K2_LO)}, x, e2)
            vh = kh * mh
            e3 = fma(kh, mh, -vh)
            return vh, fma(kh, ml, fma(kl, mh, e3))
    """,
    # src/gelu.c gelu_tanh_exp_f: e^(uh + ul) = 2^m (1 + p); returns (t, p), t = 1.5 2^23 + m
    "gt_exp": f"""
        def gt_exp(uh, ul):
            t = fma(uh, {_k(F_LOG2E)}, {_k(F_SHIFT)})
            m = t - {_k(F_SHIFT)}
            r1 = fma(-m, {_k(F_LN2HI)}, uh)
            c = fma(-m, {_k(F_LN2LO)}, ul)
            r = r1 + c
            d = (r1 - r) + c
            e = fma({_k(EXPF_P[4])}, r, {_k(EXPF_P[3])})
            e = fma(e, r, {_k(EXPF_P[2])})
            e = fma(e, r, {_k(EXPF_P[1])})
            e = fma(e, r, {_k(EXPF_P[0])})
            return t, r + fma(r * r, e, d)
    """,
    # src/vmath.h rk_vf_exp_red: a = n ln2 + r; returns (t, r), t = 1.5 2^23 + n
    "gt_red": f"""
        def gt_red(a):
            t = fma(a, {_k(F_LOG2E)}, {_k(F_SHIFT)})
            n = t - {_k(F_SHIFT)}
            r = fma(-n, {_k(F_LN2HI)}, a)
            return t, fma(-n, {_k(F_LN2LO)}, r)
    """,
    # src/vmath.h rk_vf_expm1_poly_e: e^r - 1
    "gt_poly": f"""
        def gt_poly(r):
            q = fma({_k(EXPF_P[4])}, r, {_k(EXPF_P[3])})
            q = fma(q, r, {_k(EXPF_P[2])})
            q = fma(q, r, {_k(EXPF_P[1])})
            q = fma(q, r, {_k(EXPF_P[0])})
            return fma(r * r, q, r)
    """,
    # src/exponential.c expk_f: e^a 2^64 (a clamped at -120)
    "gt_expk": """
        def gt_expk(a):
            t, r = gt_red(vmax(a, K(-120.0)))
            return (K(1.0) + gt_poly(r)) * pow2(t, 64)
    """,
    # src/dwarith.h dwmul_f: (ah + al) (bh + bl) as (ph, pl)
    "gt_dwmul": """
        def gt_dwmul(ah, al, bh, bl):
            ph = ah * bh
            e = fma(ah, bh, -ph)
            return ph, fma(ah, bl, fma(al, bh, e))
    """,
    # src/dwarith.h dwadd_f: (ah + al) + (bh + bl) as (sh, sl)
    "gt_dwadd": """
        def gt_dwadd(ah, al, bh, bl):
            sh, e = twosum(ah, bh)
            return sh, e + (al + bl)
    """,
    # src/exponential.c tail_f with ml = 0: g mh e^a for a < -70, scaled by 2^163, one
    # rounding into the subnormals
    "gt_tail": f"""
        def gt_tail(g, a, mh):
            t, r = gt_red(vmin(vmax(a, K(-200.0)), K(-70.0)))
            p = gt_poly(r)
            ph = K(1.0) + p
            pl = (K(1.0) - ph) + p
            sc = pow2(t, 163)
            eh = ph * sc
            el = pl * sc
            qh = eh * mh
            ql = fma(eh, mh, -qh)
            ql = fma(el, mh, fma(eh, K(0.0), ql))
            if isinf(g):
                return g * mh
            if abs(g) > {_k("0x1p40")}:
                y = fma(g * {_k("0x1p-88")}, qh, (g * {_k("0x1p-88")}) * ql)
                return (y * {_k("0x1p-75")}) * K(1.0)
            y = fma(g * K(1.0), qh, (g * K(1.0)) * ql)
            return (y * {_k("0x1p-82")}) * {_k("0x1p-81")}
    """,
    # src/dwarith.h rcp_approx_f: 1/d to about 1.5%
    "gt_rcp": """
        def gt_rcp(d):
            r = gt_rcp0(d)
            return r * fma(-d, r, K(2.0))
    """,
    # src/dwarith.h divc_f: (nh + nl) / (dh + dl), one corrected division; the CPU's
    # compiler fuses q0 * dl into the subtraction that uses it
    "gt_divc": f"""
        def gt_divc(nh, nl, dh, dl):
            q0 = nh / dh
            pp = q0 * dh
            pe = fma(q0, dh, -pp)
            res = fma(-q0, dl, ((nh - pp) - pe) + nl)
            q = fma(res, gt_rcp(dh), q0)
            return q0 if abs(q0) > {_k("0x1p100")} else q
    """,
}

INT_HELPERS = {
    "gt_rcp0": """
        def gt_rcp0(d):
            # the exponent-flip guess of 1/d (src/dwarith.h rcp_approx_f)
            return i2f(0x7ef311c3 - f2i(d))
    """,
    "gt_pinv": """
        def gt_pinv(P):
            # 2^-m from P = 2^m (src/gelu.c gelu_tanh_den_f)
            return i2f((254 << 23) - f2i(P))
    """,
}

ROWS = {
    # src/gelu.c gelu_tanh_f (gelu_tanh_w_f, gelu_tanh_den_f; the tail lanes)
    "gelu_tanh": (f"""
        if x >= K(-9.5) and x <= K(1e4):
            vh, vl = gt_v(x)
            uh = vmax(-vh, K(-87.0))
            ul = K(0.0) if -vh < K(-87.0) else -vl
            t, p = gt_exp(uh, ul)
            P = pow2(t, 0)
            if uh <= K(16.0):
                return x / fma(P, p, P + K(1.0))
            return x / fma(P, p + gt_pinv(P), P)
        if isnan(x) or x > K(1e4):
            return x
        # x e^v scaled by 2^64, one rounding into the subnormals; -0 below v = -120
        xt = vmax(x, K(-20.0))
        th, tl = gt_v(xt)
        if th < K(-120.0):
            return K(-0.0)
        t, q = gt_exp(th, tl)
        M = xt * pow2(t, 64)
        return fma(M, q, M) * {_k("0x1p-64")}
    """, True),
    # src/exponential.c mish_f: x n / (n + 2), n = e (e + 2), e = e^x (scaled by 2^64
    # below -70), numerator and denominator as hi + lo, one corrected division
    "mish": (f"""
        if isnan(x) or x == K(0.0):
            return x
        if x < K(-120.0):
            return K(-0.0)
        if x > K(20.0):
            return x
        Ek = gt_expk(x)
        e = Ek * {_k("0x1p-64")}
        deep = x < K(-70.0)
        E = Ek if deep else e
        e2, l = twosum(e, K(2.0))
        ns = E * e2
        nsl = fma(E, e2, -ns)
        nsl = fma(E, l, nsl)
        if deep:
            # n = ns 2^-64 and nsl 2^-64 fused into the sums that use them
            dnh = fma(ns, {_k("0x1p-64")}, K(2.0))
            bb = dnh - K(2.0)
            dl = (K(2.0) - (dnh - bb)) + fma(ns, {_k("0x1p-64")}, -bb)
            dnl = fma(nsl, {_k("0x1p-64")}, dl)
        else:
            dnh, dl = twosum(K(2.0), ns)
            dnl = dl + nsl
        Xh = x * ns
        Xl = fma(x, ns, -Xh)
        Xl = fma(x, nsl, Xl)
        y = gt_divc(Xh, Xl, dnh, dnl)
        if deep:
            return y * {_k("0x1p-64")}
        return y
    """, True),
    # src/exponential.c mish_bwd_f: e [(e + 2)(1 + e) d + 4x (n + 1)] / [d^2 (1 + e)], e = e^x,
    # n = e (e + 2), d = n + 2, in double-word, g folded in, one corrected division
    "mish_bwd": (f"""
        if isnan(x):
            return x
        if x < K(-70.0):
            if isinf(x):
                return g if isinf(g) else g * K(0.0)
            return gt_tail(g, x, K(1.0) + vmax(x, K(-200.0)))
        if x > K(12.0):
            return g
        Ek = gt_expk(x)
        e = Ek * {_k("0x1p-64")}
        ep2, l1 = twosum(e, K(2.0))
        n, l2 = gt_dwmul(e, K(0.0), ep2, l1)
        d, l3 = gt_dwadd(n, l2, K(2.0), K(0.0))
        ope, l4 = twosum(K(1.0), e)
        np1, l5 = gt_dwadd(n, l2, K(1.0), K(0.0))
        a1, l6 = gt_dwmul(ep2, l1, ope, l4)
        a1, l6 = gt_dwmul(a1, l6, d, l3)
        a2, l7 = gt_dwmul(K(4.0) * x, K(0.0), np1, l5)
        An, Aln = gt_dwadd(a1, l6, a2, l7)
        Dn, Dln = gt_dwmul(d, l3, d, l3)
        Dn, Dln = gt_dwmul(Dn, Dln, ope, l4)
        gbig = abs(g) > {_k("0x1p40")}
        sc = gbig and x < K(-20.0)
        An, Aln = gt_dwmul(An, Aln, Ek if sc else e, K(0.0))
        gs = g * ({_k("0x1p-100")} if gbig else K(1.0))
        Gh, Gl = gt_dwmul(gs, K(0.0), An, Aln)
        y = gt_divc(Gh, Gl, Dn, Dln)
        if gbig:
            y = y * ({_k("0x1p36")} if sc else {_k("0x1p100")})
        else:
            y = y * ({_k("0x1p-64")} if sc else K(1.0))
        if isinf(g):
            return g * An
        return y
    """, True),
}
