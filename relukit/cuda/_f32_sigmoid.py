"""Float32 bodies of silu', softplus (forward, backward, backward from the output) and gelu_tanh' (see relukit.cuda._f32 for the vocabulary), mirroring
src/exponential.c, src/sigmoid.h and src/gelu.c."""
from relukit.cuda._f32 import _k  # noqa: F401 - float32 constants from hexadecimal
from relukit.cuda._f32 import EXPF_P, F_LN2HI, F_LN2LO, F_LOG2E, F_SHIFT

LOG1PF_Q = ["0x1.555554p-1", "0x1.999c26p-2", "0x1.23d3eep-2", "0x1.f135cap-3"]  # RK_LOG1PF_Q0..3

# src/gelu_tables.h: 2 sqrt(2/pi), 0.044715 and 3 0.044715 as float hi + lo; the zero of
# gelu_tanh' (GELU_TANH_D_ZERO_F)
GT_K2_HI, GT_K2_LO = "0x1.988454p+0", "-0x1.857936p-25"
GT_C_HI, GT_C_LO = "0x1.6e4e26p-5", "0x1.a9003ep-30"
GT_C3_HI, GT_C3_LO = "0x1.12ba9ep-3", "-0x1.c13fdp-28"
GT_D_ZERO = "-0x1.81429ep-1"

_EXPF_POLY = f"""
            q = fma({_k(EXPF_P[4])}, r, {_k(EXPF_P[3])})
            q = fma(q, r, {_k(EXPF_P[2])})
            q = fma(q, r, {_k(EXPF_P[1])})
            q = fma(q, r, {_k(EXPF_P[0])})"""

INT_HELPERS = {
    # src/vmath.h rk_vf_log1p_core's integer part: k, and m = u 2^-k in [sqrt2/2, sqrt2)
    "sg_log1p_k": """
        def sg_log1p_k(u):
            return (f2i(u) - 0x3f3504f3) >> 23
    """,
    "sg_log1p_m": """
        def sg_log1p_m(u):
            return i2f(((f2i(u) - 0x3f3504f3) & 0x007fffff) + 0x3f3504f3)
    """,
    "sg_log1p_2mk": """
        def sg_log1p_2mk(u):
            return i2f(0x3f800000 - ((f2i(u) - 0x3f3504f3) & 0xff800000))
    """,
    # src/dwarith.h rcp_approx_f: the exponent-flip guess
    "sg_rcp_guess": """
        def sg_rcp_guess(d):
            return i2f(0x7ef311c3 - f2i(d))
    """,
}

HELPERS = {
    # src/dwarith.h divc_f: (nh + nl) / (dh + dl), one correction; q0 * dl is fused
    # into the subtraction that uses it
    "sg_divc": f"""
        def sg_divc(nh, nl, dh, dl):
            q0 = nh / dh
            pp, pe = twoprod(q0, dh)
            res = fma(-q0, dl, ((nh - pp) - pe) + nl)
            rg = sg_rcp_guess(dh)
            q = fma(res, rg * fma(-dh, rg, K(2.0)), q0)
            return q0 if abs(q0) > {_k("0x1p100")} else q
    """,
    # src/vmath.h rk_vf_exp_red: returns (t, r)
    "sg_exp_red": f"""
        def sg_exp_red(x):
            t = fma(x, {_k(F_LOG2E)}, {_k(F_SHIFT)})
            n = t - {_k(F_SHIFT)}
            r = fma(-n, {_k(F_LN2HI)}, x)
            return t, fma(-n, {_k(F_LN2LO)}, r)
    """,
    # src/vmath.h rk_vf_expm1_poly_e
    "sg_expm1_poly": f"""
        def sg_expm1_poly(r):{_EXPF_POLY}
            return fma(r * r, q, r)
    """,
    # src/sigmoid.h expv_f: e^(v + vl) = 2^m (1 + r + s); returns (t, r, s)
    "sg_expv": f"""
        def sg_expv(v, vl):
            t = fma(v, {_k(F_LOG2E)}, {_k(F_SHIFT)})
            m = t - {_k(F_SHIFT)}
            r1 = fma(-m, {_k(F_LN2HI)}, v)
            c = fma(-m, {_k(F_LN2LO)}, vl)
            r = r1 + c
            d = (r1 - r) + c{_EXPF_POLY}
            return t, r, fma(r * r, q, d)
    """,
    # src/sigmoid.h (sig_den_f, dsig_far_f): e^(u + ul) = pw (eh + el), pw = 2^m
    "sg_exp2w": """
        def sg_exp2w(u, ul):
            t, r, s = sg_expv(u, ul)
            t1 = K(1.0) + r
            w = ((K(1.0) - t1) + r) + s
            eh = t1 + w
            return pow2(t, 0), eh, (t1 - eh) + w
    """,
    # src/sigmoid.h sig_den_f: 1 + e^(u + ul) = Eh + El; returns (Eh, El, pw, eh, el)
    "sg_den": """
        def sg_den(u, ul):
            pw, eh, el = sg_exp2w(u, ul)
            W = pw * eh
            Eh = K(1.0) + W
            return Eh, fma(pw, el, (K(1.0) - Eh) + W), pw, eh, el
    """,
    # src/sigmoid.h dsig_q_f: (1 + w (a + al)) / (1 + w)^2 = q0 + corr
    "sg_dsig_q": """
        def sg_dsig_q(u, ul, a, al):
            Eh, El, pw, eh, el = sg_den(u, ul)
            A = pw * a
            Al = pw * al
            ph, pl = twoprod(A, eh)
            pl = fma(A, el, fma(Al, eh, pl))
            nh = K(1.0) + ph
            nl = ((K(1.0) - nh) + ph) + pl
            dh, dl = twoprod(Eh, Eh)
            dl = fma(Eh + Eh, El, dl)
            R = K(1.0) / dh
            q0 = nh * R
            rr = fma(-q0, dl, fma(-q0, dh, nh) + nl)
            return q0, rr * R
    """,
    # src/exponential.c expdw_f: e^a (a clamped at -70) as (hi, lo)
    "sg_expdw": """
        def sg_expdw(a):
            t, r = sg_exp_red(vmax(a, K(-70.0)))
            p = sg_expm1_poly(r)
            ph = K(1.0) + p
            pl = (K(1.0) - ph) + p
            sc = pow2(t, 0)
            return ph * sc, pl * sc
    """,
    # src/exponential.c tail_f: g (mh + ml) e^a for a < -70, one rounding, then 2^-163
    "sg_tail": f"""
        def sg_tail(g, a, mh, ml):
            a = vmin(vmax(a, K(-200.0)), K(-70.0))
            t, r = sg_exp_red(a)
            p = sg_expm1_poly(r)
            ph = K(1.0) + p
            pl = (K(1.0) - ph) + p
            sc = pow2(t, 163)
            eh = ph * sc
            el = pl * sc
            qh, ql = twoprod(eh, mh)
            ql = fma(el, mh, fma(eh, ml, ql))
            big = abs(g) > {_k("0x1p40")}
            gs = g * ({_k("0x1p-88")} if big else K(1.0))
            y = fma(gs, qh, gs * ql)
            y = y * ({_k("0x1p-75")} if big else {_k("0x1p-82")})
            y = y * (K(1.0) if big else {_k("0x1p-81")})
            if abs(g) > K(3.4028234663852886e+38):
                return g * mh
            return y
    """,
    # src/vmath.h rk_vf_log1p_core: log(u + c); R * z is fused into hfsq + R
    "sg_log1p_core": f"""
        def sg_log1p_core(u, c):
            k = K(sg_log1p_k(u))
            m = sg_log1p_m(u)
            cs = c * sg_log1p_2mk(u)
            cs = cs if u < {_k("0x1p100")} else K(0.0)
            f = m - K(1.0)
            s = f / (K(2.0) + f)
            z = s * s
            R = fma({_k(LOG1PF_Q[3])}, z, {_k(LOG1PF_Q[2])})
            R = fma(R, z, {_k(LOG1PF_Q[1])})
            R = fma(R, z, {_k(LOG1PF_Q[0])})
            hfsq = (f * f) * K(0.5)
            lo = fma(k, {_k(F_LN2LO)}, fma(-cs, f, cs))
            lo = fma(s, fma(R, z, hfsq), lo)
            lo = lo - hfsq
            A = k * {_k(F_LN2HI)}
            S = A + f
            e = f - (S - A)
            return S + (e + lo)
    """,
    # src/vmath.h vf_softplus_core: log(1 + e^x)
    "sg_softplus_core": f"""
        def sg_softplus_core(x):
            a = vmin(abs(x), K(104.0))
            t, r = sg_exp_red(-a)
            p = K(1.0) + sg_expm1_poly(r)
            z = (p * pow2(t, 64)) * {_k("0x1p-64")}
            u = K(1.0) + z
            c = z - (u - K(1.0))
            y = vmax(x, K(0.0)) + sg_log1p_core(u, c)
            return x if isnan(x) else y
    """,
    # src/exponential.c beta_x_f: z = beta x and its rounding error zl (0 if not finite)
    "sg_beta_x": """
        def sg_beta_x(beta, x):
            z, zl = twoprod(beta, x)
            return z, (zl if abs(zl) <= K(3.4028234663852886e+38) else K(0.0))
    """,
    # src/exponential.c softplus_bwd_all_f: the lanes outside softplus_bwd_f's bulk
    "sg_softplus_bwd_all": """
        def sg_softplus_bwd_all(x, g, beta, th):
            z, zl = sg_beta_x(beta, x)
            e, el = sg_expdw(-abs(z))
            dh = K(1.0) + e
            dl = ((K(1.0) - dh) + e) + el
            neg = z < K(0.0)
            s = sg_divc(e if neg else K(1.0), el if neg else K(0.0), dh, dl)
            s = fma(zl, s * (K(1.0) - s), s)
            d = g * s
            if abs(g) > K(3.4028234663852886e+38) and s == K(0.0):
                d = g
            if z < K(-70.0):
                d = sg_tail(g, z, K(1.0), zl)
            if z > th:
                return g
            return x if isnan(x) else d
    """,
    # src/gelu.c gelu_tanh_dargs_f: a + al = 1 + x v' (v' = 2 sqrt(2/pi) (1 + 3c x^2))
    "sg_gt_a": f"""
        def sg_gt_a(x):
            sh, sl = twoprod(x, x)
            th, e1 = twoprod({_k(GT_C3_HI)}, sh)
            tl = fma({_k(GT_C3_HI)}, sl, fma({_k(GT_C3_LO)}, sh, e1))
            qh = K(1.0) + th
            ql = ((vmax(K(1.0), th) - qh) + vmin(K(1.0), th)) + tl
            kh, e2 = twoprod({_k(GT_K2_HI)}, x)
            kl = fma({_k(GT_K2_LO)}, x, e2)
            xh, e3 = twoprod(kh, qh)
            xl = fma(kh, ql, fma(kl, qh, e3))
            a = K(1.0) + xh
            return a, ((vmax(K(1.0), xh) - a) + vmin(K(1.0), xh)) + xl
    """,
    # src/sigmoid.h dsig_far_f: g z (a + z (1 - 2a)), z = e^(v + vl), for v in [-87, -16)
    "sg_dsig_far": """
        def sg_dsig_far(v, vl, a, al, g):
            pw, eh, el = sg_exp2w(v, vl)
            z = pw * eh
            bl = fma(z, fma(K(-2.0), a, K(1.0)), al)
            ph, pl = twoprod(eh, a)
            pl = fma(el, a, fma(eh, bl, pl))
            return fma(g, ph, g * pl) * pw
    """,
    # src/exponential.c atminf_f: the derivative's limit +0 at x = -inf
    "sg_atminf": """
        def sg_atminf(g):
            if abs(g) > K(3.4028234663852886e+38):
                return g
            return g * K(0.0)
    """,
    # src/exponential.c silu_bwd_all_f: the lanes outside silu_bwd_f's bulk
    "sg_silu_bwd_all": f"""
        def sg_silu_bwd_all(x, g):
            xc = vmax(x, K(-140.0))
            z, zl = sg_expdw(-abs(xc))
            a = K(1.0) + z
            al = ((K(1.0) - a) + z) + zl
            s0 = K(1.0) / a
            r = fma(-a, s0, K(1.0))
            s = fma(s0, fma(-al, s0, r), s0)
            zs = z * s
            gbig = abs(g) > {_k("0x1p100")}
            gsc = g * ({_k("0x1p-64")} if gbig else K(1.0))
            gs, gsl = twoprod(gsc, s)
            ypos = gs + fma(gsc * (xc * zs), s, gsl)
            a1, l1 = twosum(K(1.0), xc)
            A, l2 = twosum(a1, z)
            Al = (l1 + l2) + zl
            nh, nl = twoprod(z, A)
            nl = fma(z, Al, fma(zl, A, nl))
            dh, dl = twoprod(a, a)
            dl = fma(a + a, al, dl)
            gh, gl = twoprod(gsc, nh)
            gl = fma(gsc, nl, gl)
            yneg = sg_divc(gh, gl, dh, dl)
            neg = x < K(0.0)
            y = yneg if neg else ypos
            y = y * ({_k("0x1p64")} if gbig else K(1.0))
            if abs(g) > K(3.4028234663852886e+38):
                y = g * nh if neg else g
            if x > K(25.0):
                y = g
            if x < K(-70.0):
                y = sg_tail(g, x, K(1.0) + vmax(x, K(-200.0)), K(0.0))
            if x < K(-3.4028234663852886e+38):
                y = sg_atminf(g)
            if isnan(x):
                return x
            return y
    """,
}

ROWS = {
    # src/exponential.c silu_bwd_f (sigmoid.h dsig_f with u = -x, a = 1 + x) /
    # silu_bwd_all_f
    "silu_bwd": (f"""
        if abs(x) <= K(16.0) and abs(g) <= {_k("0x1p100")}:
            a = K(1.0) + x
            al = (K(1.0) - a) + x
            q0, corr = sg_dsig_q(-x, K(0.0), a, al)
            return fma(g, q0, g * corr)
        return sg_silu_bwd_all(x, g)
    """, True),
    # src/exponential.c softplus_f
    "softplus": ("""
        z, zl = sg_beta_x(a, x)
        sp = sg_softplus_core(z)
        if z < K(0.0):
            sp = fma(zl, sp * fma(sp, K(-0.5), K(1.0)), sp)
        sp = sp / a
        if z > b or isnan(x):
            return x
        return sp
    """, True),
    # src/exponential.c softplus_bwd_f (sigmoid.h sig_den_f) / softplus_bwd_all_f
    "softplus_bwd": (f"""
        z, zl = sg_beta_x(a, x)
        if z >= K(-16.0) and abs(g) <= {_k("0x1p100")}:
            Eh, El, pw, eh, el = sg_den(vmax(-z, K(-87.0)), K(0.0))
            R = K(1.0) / Eh
            c = fma(-R, El, fma(-R, Eh, K(1.0)))
            corr = R * fma(zl, R * (pw * eh), c)
            y = fma(g, R, g * corr)
            return g if z > b else y
        return sg_softplus_bwd_all(x, g, a, b)
    """, True),
    # src/exponential.c softplus_bwd_y_f (x is the forward's output y)
    "softplus_bwd_y": (f"""
        s = -expm1f(-(a * x))
        d = g * s
        if abs(g) > K(3.4028234663852886e+38) and s == K(0.0):
            d = g
        if abs(x) < {_k("0x1p-100")} and abs(x) > K(0.0):
            d = (g * (a * (x * {_k("0x1p64")}))) * {_k("0x1p-64")}
        if x * a > b:
            return g
        return x if isnan(x) else d
    """, True),
    # src/gelu.c gelu_tanh_bwd_f: x in [-4.85, 1e4] sigmoid.h's dsig_f, [-9.8, -4.85)
    # dsig_far_f (both for |g| <= 2^100); the other lanes (gelu_tanh_bwd_all_f) in
    # float64 (RARE), but for its specials and its zeros below -20
    "gelu_tanh_bwd": (f"""
        gok = abs(g) <= {_k("0x1p100")}
        if x >= K(-9.8) and x <= K(10000.0) and gok:
            vh, vl = gt_v(x)
            ga, gal = sg_gt_a(x)
            if x >= K(-4.85):
                ul = K(0.0) if vh > K(87.0) else -vl
                q0, corr = sg_dsig_q(vmax(-vh, K(-87.0)), ul, ga, gal)
                return fma(g, q0, g * corr)
            return sg_dsig_far(vh, vl, ga, gal, g)
        if isnan(x):
            return x
        if x < K(-3.4028234663852886e+38):
            return sg_atminf(g)
        if x > K(3.4028234663852886e+38):
            return g
        if abs(g) > K(3.4028234663852886e+38):
            return g * (K(-1.0) if x < {_k(GT_D_ZERO)} else K(1.0))
        if x < K(-20.0):
            # |g e^v (1 + x v')| < 2^-800 |g|: a zero of sign -sign(g) for every finite g
            return g * K(-0.0)
        return RARE(x, g, a, b)
    """, True),
}
