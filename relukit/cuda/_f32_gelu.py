"""Float32 bodies of gelu (erf) and gelu' (see relukit.cuda._f32 for the vocabulary), mirroring
src/gelu.c."""
from relukit.cuda._f32 import _k  # noqa: F401 - float32 constants from hexadecimal
from relukit.cuda._f32 import EXPF_P, F_LN2HI, F_LN2LO, F_LOG2E, F_SHIFT

# src/gelu_tables.h: the per-piece coefficients, one entry per piece index
# (bits(|x| + 1) >> 22) & 7 (the CPU's vf_lut8 lanes)
GE_R = {
    "C": ["0x1.81ep+0", "0x1.3ee8p+1", "0x1.0094p+2", "0x1.8174p+2",
         "0x1.1ff8p+3", "0x1.9f56p+3", "0x1.e08p-3", "0x1.87ap-1"],
    "K": ["0x1.a416aep-3", "0x1.223f32p-3", "0x1.81eb6p-4", "0x1.086278p-4",
         "0x1.66d674p-5", "0x1.f4a8p-6", "0x1.aca9dap-2", "0x1.30cea8p-2"],
    "Q1": ["-0x1.6fa5eep-4", "-0x1.77964ep-5", "-0x1.5b9d7p-6", "-0x1.4e0e04p-7",
          "-0x1.3791d8p-8", "-0x1.310784p-9", "-0x1.33f1bap-2", "-0x1.5ebe82p-3"],
    "Q2": ["0x1.1e032p-5", "0x1.c2753p-7", "0x1.2c27bcp-8", "0x1.9ca7dcp-10",
          "0x1.0b835cp-11", "0x1.719674p-13", "0x1.6469eap-3", "0x1.555538p-4"],
    "Q3": ["-0x1.959402p-7", "-0x1.fabeb4p-9", "-0x1.f305d4p-11", "-0x1.f308acp-13",
          "-0x1.c66d84p-15", "-0x1.bd51fap-17", "-0x1.62d746p-4", "-0x1.259cp-5"],
    "Q4": ["0x1.0a5b4p-8", "0x1.0dad4ep-10", "0x1.90af9cp-13", "0x1.27b5c2p-15",
          "0x1.7de568p-18", "0x1.0ad448p-20", "0x1.3ad122p-5", "0x1.ca149cp-7"],
    "Q5": ["-0x1.479bc2p-10", "-0x1.10c666p-12", "-0x1.36f88cp-15", "-0x1.5777f8p-18",
          "-0x1.3cbd24p-21", "-0x1.3e3e7cp-24", "-0x1.fda4f4p-7", "-0x1.48170ep-8"],
    "Q6": ["0x1.7cc138p-12", "0x1.072a1cp-14", "0x1.d708bep-18", "0x1.8bac14p-21",
          "0x1.0544dp-24", "0x1.790ec6p-28", "0x1.78c236p-8", "0x1.bf5d02p-10"],
    "Q7": ["-0x1.b30cfcp-14", "-0x1.0ec9bcp-16", "-0x1.761bfcp-20", "-0x1.d50d7p-24",
          "-0x1.d39d4p-28", "-0x1.c1d422p-32", "-0x1.cb1b0cp-10", "-0x1.8be89ap-11"],
    "Q8": ["0x1.ce033ep-16", "0x1.255f98p-18", "0x1.01fe34p-22", "0x1.9b6096p-27",
          "0x1.746efep-31", "0x1.0838ccp-35", "0x1.7bb638p-11", "-0x1.65655cp-14"],
}
GE_D = {
    "C": ["0x1.842p+0", "0x1.424p+1", "0x1.00b4p+2", "0x1.806cp+2",
         "0x1.1fb8p+3", "0x1.9fe8p+3", "0x1.fap-3", "0x1.756p-1"],
    "K": ["-0x1.0c4a0ep-1", "-0x1.f4f29ap-2", "-0x1.d928c6p-2", "-0x1.c65a22p-2",
         "-0x1.b857cp-2", "-0x1.af0bbp-2", "-0x1.40e4eep-1", "-0x1.260f52p-1"],
    "Q1": ["0x1.80eaf8p-5", "0x1.a2b664p-6", "0x1.a58ca8p-7", "0x1.ae76f2p-8",
          "0x1.a2a94ep-9", "0x1.a54d08p-10", "0x1.167948p-3", "0x1.62021ap-4"],
    "Q2": ["-0x1.09c31ep-6", "-0x1.c1626cp-8", "-0x1.4d6734p-9", "-0x1.f122cep-11",
          "-0x1.556754p-12", "-0x1.ea5cfep-14", "-0x1.1aded4p-4", "-0x1.33bce6p-5"],
    "Q3": ["0x1.55bbeep-8", "0x1.cbb99cp-10", "0x1.005236p-11", "0x1.1a8b76p-13",
          "0x1.142788p-15", "0x1.1c3006p-17", "0x1.fd0edap-6", "0x1.e4947ap-7"],
    "Q4": ["-0x1.9d0672p-10", "-0x1.c2605cp-12", "-0x1.7f486p-14", "-0x1.3c23d4p-16",
          "-0x1.ba5b5p-19", "-0x1.47bfe2p-21", "-0x1.9fae9cp-7", "-0x1.5f504cp-8"],
    "Q5": ["0x1.d8a86p-12", "0x1.a83e4ap-14", "0x1.175fe2p-16", "0x1.5ca5bap-19",
          "0x1.5fe48ap-22", "0x1.78b91ap-25", "0x1.38eab4p-8", "0x1.db971ep-10"],
    "Q6": ["-0x1.0a4f18p-13", "-0x1.878cecp-16", "-0x1.a7195ap-19", "-0x1.885cdp-22",
          "-0x1.2c5516p-25", "-0x1.c6772ap-29", "-0x1.bbace4p-10", "-0x1.473594p-11"],
    "Q7": ["0x1.1e9f4cp-15", "0x1.5c3bbcp-18", "0x1.2ea822p-21", "0x1.a5e3a8p-25",
          "0x1.db353ap-29", "0x1.03084ap-32", "0x1.2c5af4p-11", "0x1.c5d0eep-13"],
}

# src/gelu_tables.h GELU_ROOT_HI/_LO (the zero of gelu'(-a)), GELU_D_ZERO_F; src/gelu.c
# gelu_c0_hi/_lo (1/sqrt(2 pi) as float hi + lo)
GE_ROOT_HI, GE_ROOT_LO = "0x1.80ead2p-1", "-0x1.a03fd4p-27"
GE_D_ZERO = "-0x1.80eadp-1"
GE_C0_HI, GE_C0_LO = "0x1.988454p-2", "-0x1.857936p-27"


def _lut(name, table):
    """Source of a helper returning the tuple (C, K, Q1, ...) of piece i: the CPU's
    vf_lut8 lookups of each table as one chain of compares on the index."""
    cols = list(table)
    lines = [f"def {name}(i):"]
    for i in range(8):
        vals = ", ".join(_k(table[c][i]) for c in cols)
        lines.append(f"    {'if' if i == 0 else 'elif'} i == {i}:" if i < 7 else "    else:")
        lines.append(f"        return {vals}")
    return "\n".join(lines) + "\n"


HELPERS = {
    "ge_rtab": _lut("ge_rtab", GE_R),
    "ge_dtab": _lut("ge_dtab", GE_D),
    # src/gelu.c gelu_expm: e^(-a^2/2) = 2^n (1 + r + pl); returns (t, r, pl),
    # t = 1.5 2^23 + n
    "ge_expm": f"""
        def ge_expm(a):
            h = a * a
            l = fma(a, a, -h)
            hh = h * K(-0.5)
            t = fma(hh, {_k(F_LOG2E)}, {_k(F_SHIFT)})
            n = t - {_k(F_SHIFT)}
            r1 = fma(-n, {_k(F_LN2HI)}, hh)
            c = fma(-l, K(0.5), n * -{_k(F_LN2LO)})
            rr = r1 + c
            d = (r1 - rr) + c
            e = fma({_k(EXPF_P[4])}, rr, {_k(EXPF_P[3])})
            e = fma(e, rr, {_k(EXPF_P[2])})
            e = fma(e, rr, {_k(EXPF_P[1])})
            e = fma(e, rr, {_k(EXPF_P[0])})
            return t, rr, fma(rr * rr, e, d)
    """,
    # src/gelu.c gelu_inner: K r + [K pl + q (1 + p)], p = r + pl
    "ge_inner": """
        def ge_inner(Kc, q, r, pl):
            p = r + pl
            return fma(Kc, r, fma(Kc, pl, fma(q, p, q)))
    """,
    # src/gelu.c gelu_T_f: Phi(-a) 2^-n = K + inner; returns (K, inner, t)
    "ge_T": """
        def ge_T(a):
            C, Kc, Q1, Q2, Q3, Q4, Q5, Q6, Q7, Q8 = ge_rtab(ge_id(a + K(1.0)))
            u = a - C
            q = fma(Q8, u, Q7)
            q = fma(q, u, Q6)
            q = fma(q, u, Q5)
            q = fma(q, u, Q4)
            q = fma(q, u, Q3)
            q = fma(q, u, Q2)
            q = fma(q, u, Q1)
            q = q * u
            t, r, pl = ge_expm(a)
            return Kc, ge_inner(Kc, q, r, pl), t
    """,
    # src/gelu.c gelu_dk_f: gelu'(-a) e^(a^2/2) = Kh + rest; returns (Kh, rest, t)
    "ge_dk": f"""
        def ge_dk(a):
            C, Kc, Q1, Q2, Q3, Q4, Q5, Q6, Q7 = ge_dtab(ge_id(a + K(1.0)))
            u = a - C
            q = fma(Q7, u, Q6)
            q = fma(q, u, Q5)
            q = fma(q, u, Q4)
            q = fma(q, u, Q3)
            q = fma(q, u, Q2)
            q = fma(q, u, Q1)
            q = q * u
            t, r, pl = ge_expm(a)
            inner = ge_inner(Kc, q, r, pl)
            wh = a + -{_k(GE_ROOT_HI)}
            bb = wh - a
            e = (a - (wh - bb)) + (-{_k(GE_ROOT_HI)} - bb)
            wl = e - {_k(GE_ROOT_LO)}
            Kh = wh * Kc
            Kl = fma(wh, Kc, -Kh)
            return Kh, fma(wh, inner, fma(wl, Kc + inner, Kl)), t
    """,
    # src/gelu.c gelu_bwd_deep_f: g gelu'(-a) for a in [14.5, 20] (asymptotic series)
    "ge_deep": f"""
        def ge_deep(a, g):
            w = K(1.0) / a
            v = w * w
            s = fma(K(-15.0), v, K(3.0))
            s = fma(s, v, K(-1.0))
            s = fma(s, v, K(1.0))
            Kh = -{_k(GE_C0_HI)} * a
            Kl = fma(-{_k(GE_C0_HI)}, a, -Kh)
            Dlo = fma({_k(GE_C0_HI)} * w, s, fma(-{_k(GE_C0_LO)}, a, Kl))
            t, r, pl = ge_expm(a)
            rest = ge_inner(Kh, Dlo, r, pl)
            M = (g * K(7.888609052210118e-31)) * pow2(t, 164)
            return fma(M, Kh, M * rest) * K(5.421010862427522e-20)
    """,
}

INT_HELPERS = {
    "ge_id": """
        def ge_id(s):
            # the piece index (bits(a + 1) >> 22) & 7 from s = a + 1 (src/gelu.c GELU_ID)
            return (f2i(s) >> 22) & 7
    """,
    "ge_gexp": """
        def ge_gexp(g):
            # the exponent bits of g (src/gelu.c gelu_bwd_f, a huge g)
            return f2i(g) & 0x7f800000
    """,
    "ge_gscale": """
        def ge_gscale(ge):
            # 2^(1-e) from g's exponent bits
            return i2f((255 << 23) - ge)
    """,
    "ge_gback": """
        def ge_gback(ge):
            # 2^(e-65) from g's exponent bits
            return i2f(ge - (65 << 23))
    """,
}

ROWS = {
    # src/gelu.c gelu_f (its rare lanes: +-0, |x| >= GELU_AMAX, NaN)
    "gelu": ("""
        if isnan(x) or x == K(0.0) or x >= K(14.5):
            return x
        if x <= K(-14.5):
            return K(-0.0)
        Kc, inner, t = ge_T(abs(x))
        M = x * pow2(t, 64)
        xt = fma(M, Kc, M * inner) * K(5.421010862427522e-20)
        return xt if x < K(0.0) else x - xt
    """, True),
    # src/gelu.c gelu_bwd_f (its rare lanes: +-0, |x| >= GELU_AMAX, huge g, NaN, infinities)
    "gelu_bwd": (f"""
        if isnan(x):
            return x
        if isinf(x):
            if x > K(0.0) or isinf(g):
                return g
            return g * K(0.0)
        if isinf(g):
            return g * (K(-1.0) if x < {_k(GE_D_ZERO)} else K(1.0))
        if x >= K(14.5):
            return g
        if x < K(-20.0):
            return g * K(-0.0)
        if x <= K(-14.5):
            yd = ge_deep(abs(x), g)
            return g * K(-0.0) if yd == K(0.0) else yd
        if x == K(0.0):
            return g * K(0.5)
        Kh, rest, t = ge_dk(abs(x))
        P = pow2(t, 64)
        if x < K(0.0):
            if abs(g) >= K(4294967296.0):
                # a huge g: g = gs 2^(e-1), gs in [2, 4), the result times 2^(e-65)
                ge = ge_gexp(g)
                Mb = (g * ge_gscale(ge)) * P
                return fma(Mb, Kh, Mb * rest) * ge_gback(ge)
            M = g * P
            return fma(M, Kh, M * rest) * K(5.421010862427522e-20)
        v = fma(P, Kh, P * rest) * K(5.421010862427522e-20)
        return fma(-g, v, g)
    """, True),
}
