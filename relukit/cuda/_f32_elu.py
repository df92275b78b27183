"""Float32 bodies of the ELU family (elu, celu, selu: forward, backward, backward
from the output; see relukit.cuda._f32 for the vocabulary), mirroring
src/exponential.c (RK_EXP_BODIES, RK_EXP_FROM_Y) and the float32 exp and expm1 of
src/vmath.h."""
from relukit.cuda._f32 import EXPF_P, F_LN2HI, F_LN2LO, F_LOG2E, F_SHIFT, _k

FLT_MAX = "K(3.4028234663852886e+38)"   # |v| > FLT_MAX: v is infinite

# SELU's S and S*A as float32 hi + lo (src/exponential.c selu_s_hi_f ... selu_sa_lo_f)
SELU_S_HI, SELU_S_LO = "0x1.0cfabep+0", "-0x1.2adddap-25"
SELU_SA_HI, SELU_SA_LO = "0x1.c212ccp+0", "0x1.903c0cp-26"


HELPERS = {
    # src/vmath.h rk_vf_exp_red: returns (t, r), t = 1.5 2^23 + n
    "elu_exp_red": f"""
        def elu_exp_red(x):
            tt = fma(x, {_k(F_LOG2E)}, {_k(F_SHIFT)})
            n = tt - {_k(F_SHIFT)}
            r = fma(-n, {_k(F_LN2HI)}, x)
            return tt, fma(-n, {_k(F_LN2LO)}, r)
    """,
    # src/vmath.h rk_vf_expm1_poly_e: e^r - 1
    "elu_poly_e": f"""
        def elu_poly_e(r):
            q = fma({_k(EXPF_P[4])}, r, {_k(EXPF_P[3])})
            q = fma(q, r, {_k(EXPF_P[2])})
            q = fma(q, r, {_k(EXPF_P[1])})
            q = fma(q, r, {_k(EXPF_P[0])})
            return fma(r * r, q, r)
    """,
    # src/vmath.h vf_exp
    "elu_exp": """
        def elu_exp(x):
            if isnan(x):
                return x
            t, r = elu_exp_red(vmin(vmax(x, K(-104.0)), K(89.0)))
            p = K(1.0) + elu_poly_e(r)
            if abs(x) > K(87.0):
                if x < K(0.0):
                    return p * pow2(t, 64) * K(5.421010862427522e-20)
                return p * pow2(t, -1) * K(2.0)
            return p * pow2(t, 0)
    """,
    # src/exponential.c tail_f: g (mh + ml) e^a for a < -70, one rounding, then 2^-163
    "elu_tail": f"""
        def elu_tail(g, a, mh, ml):
            t, r = elu_exp_red(vmin(vmax(a, K(-200.0)), K(-70.0)))
            p = elu_poly_e(r)
            ph = K(1.0) + p
            pl = K(1.0) - ph + p
            sc = pow2(t, 163)
            eh = ph * sc
            el = pl * sc
            qh = eh * mh
            ql = fma(eh, mh, -qh)
            ql = fma(el, mh, fma(eh, ml, ql))
            if abs(g) > {FLT_MAX}:
                return g * mh
            if abs(g) > K(1099511627776.0):
                gs = g * K(3.2311742677852644e-27)
                return fma(gs, qh, gs * ql) * K(2.6469779601696886e-23)
            y = fma(g, qh, g * ql) * K(2.0679515313825692e-25)
            return y * K(4.1359030627651384e-25)
    """,
    # src/exponential.c mulc2_f: v (hi + lo) rounded once (an infinite v: v hi)
    "elu_mulc2": f"""
        def elu_mulc2(v, hi, lo):
            if abs(v) > {FLT_MAX}:
                return v * hi
            return fma(v, hi, v * lo)
    """,
    # src/exponential.c mulpos_f: g d, d >= 0 (an infinite g times d = 0: g)
    "elu_mulpos": f"""
        def elu_mulpos(g, d):
            if abs(g) > {FLT_MAX} and d == K(0.0):
                return g
            return g * d
    """,
}
INT_HELPERS = {}

ROWS = {
    # src/exponential.c elu_f
    "elu": ("""
        if x > K(0.0):
            return x
        return a * expm1f(x)
    """, True),
    # src/exponential.c celu_f
    "celu": ("""
        if x > K(0.0):
            return x
        return a * expm1f(x / a)
    """, True),
    # src/exponential.c selu_f
    "selu": (f"""
        if x > K(0.0):
            return elu_mulc2(x, {_k(SELU_S_HI)}, {_k(SELU_S_LO)})
        return elu_mulc2(expm1f(x), {_k(SELU_SA_HI)}, {_k(SELU_SA_LO)})
    """, True),
    # src/exponential.c elu_bwd_f (x in [-70, 0]: expb_f, mulg_f) / elu_bwd_all_f
    "elu_bwd": (f"""
        if x > K(0.0):
            return g
        if isnan(x):
            return x
        if x < K(-70.0):
            return elu_tail(g, x, a, K(0.0))
        t, r = elu_exp_red(x)
        e = (K(1.0) + elu_poly_e(r)) * pow2(t, 0)
        ph = e * a
        pl = fma(e, a, -ph)
        if abs(g) > {FLT_MAX}:
            return g * (a if ph == K(0.0) else ph)
        return fma(g, ph, g * pl)
    """, True),
    # src/exponential.c celu_bwd_f / celu_bwd_all_f (vf_exp: q > 0 where alpha < 0)
    "celu_bwd": ("""
        if x > K(0.0):
            return g
        if isnan(x):
            return x
        q = x / a
        if q < K(-70.0):
            return elu_tail(g, q, K(1.0), K(0.0))
        return elu_mulpos(g, elu_exp(q))
    """, True),
    # src/exponential.c selu_bwd_f / selu_bwd_all_f
    "selu_bwd": (f"""
        if x > K(0.0):
            return elu_mulc2(g, {_k(SELU_S_HI)}, {_k(SELU_S_LO)})
        if isnan(x):
            return x
        if x < K(-70.0):
            return elu_tail(g, x, {_k(SELU_SA_HI)}, {_k(SELU_SA_LO)})
        if abs(g) > {FLT_MAX}:
            return g
        t, r = elu_exp_red(x)
        e = (K(1.0) + elu_poly_e(r)) * pow2(t, 0)
        ph = e * {_k(SELU_SA_HI)}
        pl = fma(e, {_k(SELU_SA_HI)}, -ph)
        pl = fma(e, {_k(SELU_SA_LO)}, pl)
        return fma(g, ph, g * pl)
    """, True),
    # src/exponential.c elu_bwd_y_f
    "elu_bwd_y": ("""
        if x > K(0.0):
            return g
        if isnan(x):
            return x
        return elu_mulpos(g, x + a)
    """, True),
    # src/exponential.c celu_bwd_y_f
    "celu_bwd_y": ("""
        if x > K(0.0):
            return g
        if isnan(x):
            return x
        return elu_mulpos(g, (x + a) / a)
    """, True),
    # src/exponential.c selu_bwd_y_f
    "selu_bwd_y": (f"""
        if x > K(0.0):
            return elu_mulc2(g, {_k(SELU_S_HI)}, {_k(SELU_S_LO)})
        if isnan(x):
            return x
        return elu_mulpos(g, x + {_k(SELU_SA_HI)} + {_k(SELU_SA_LO)})
    """, True),
}
