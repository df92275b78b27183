"""The GPU kernel list: one row per (op, direction), mirroring src/kernels.inc.

Each row gives the number of array operands (1: x; 2: x and the incoming
gradient g), the number of scalar parameters (called ``a`` and ``b`` in the
bodies, in the order of the public API), the arithmetic class, and the body: the
statements of a scalar function ``f(x, g, a, b)`` that returns the result in the
compute type.  A test checks this list against ``relukit._ufuncs.KERNEL_ROWS``,
so a row added to kernels.inc without a GPU twin fails.  The gated family's rows
(two or three array operands, two results for the backward) are in
``GATED_ROWS`` (below), checked against ``relukit._ufuncs.GATED_ROWS``.

Arithmetic classes (the compute type per storage dtype):

``piece``
    Ops whose result is x, a constant, x times a parameter, or (hardsigmoid,
    hardswish) a short rational expression: computed exactly as the CPU does,
    in float32 for float16/float32 and float64 for float64, so the GPU result
    has the CPU's bits.
``math``
    Ops with exp, log, erfc: a row with a float32 body (``_f32.F32_ROWS``)
    computes float32 and bfloat16 (and float16 where the CPU does) with it, in
    float32 arithmetic that mirrors the CPU's float32 kernel operation for
    operation (the CPU's bits); otherwise float16 is computed in float32 and
    rounded once, and float32 in float64 and rounded once (libdevice's float32
    functions err by up to 4 ULP, composed they would not meet the 2 ULP bound);
    float64 is computed in float64, with the error of x/sqrt(2) (gelu) and of
    the cubic (gelu tanh) carried as a low part, since in the tails that
    rounding error is multiplied by |x|^2.

In the bodies, ``K(v)`` is the compute type's constructor (every constant goes
through it, so float32 code stays float32), and ``exp``, ``expm1``, ``log1p``,
``erfc``, ``isnan``, ``isinf``, ``fma``, ``floor``, ``ldexp`` (its exponent
through ``I32``), ``CT`` (True when the compute type
is float64) and ``DW`` (True when the result is float64: only then are the
double-word corrections needed; a float32 result computed in float64 has 29
bits to spare) are provided by the kernel builder.  Every comparison is false for
NaN, so a NaN either falls through a formula (giving NaN) or is returned by an
explicit ``isnan`` branch, never dropped by a ``v > 0 ? v : 0``.  As on the
CPU, an infinite gradient times a derivative that underflowed to 0 is an
infinity with the derivative's sign (not inf * 0 = NaN); at x = -inf, where
the derivative's limit is 0, an infinite g is returned as is.
"""

# SELU's constants (PyTorch / Klambauer et al.): S and S * A
SELU_S = 1.0507009873554804934193349852946
SELU_SA = 1.7580993408473768599402175208123
RSQRT2_HI = 0.7071067811865476            # 1/sqrt(2) rounded to double (0x1.6a09e667f3bcdp-1)
RSQRT2_LO = -4.833646656726457e-17        # 1/sqrt(2) - RSQRT2_HI
TWO_RSQRTPI = 1.1283791670955126          # 2/sqrt(pi), the slope of erfc
RSQRTPI = 0.5641895835477563              # 1/sqrt(pi)
C0 = 0.3989422804014327                   # 1/sqrt(2 pi)
K2_HI = 1.5957691216057308                # 2 sqrt(2/pi) rounded to double (0x1.9884533d43651p+0)
K2_LO = -9.96930880911092e-17             # 2 sqrt(2/pi) - K2_HI (-0x1.cbc0d30ebfd15p-54)
GT_C = 0.044715                           # gelu_tanh's cubic coefficient, rounded to double
GT_C_LO = 2.1960211427085595e-18          # 0.044715 - GT_C (0x1.441355475a31ap-59)

EXP64_HI = 44.361419555836505            # 64 ln2 rounded to a multiple of 2^-43 (0x1.62e42fefa39f0p+5)
EXP64_LO = -5.62123739673937e-15          # 64 ln2 - EXP64_HI

# erfcx(t) = erfc(t) e^(t^2) by pieces, the float64 fits of src/vmath.h (RK_ERFCD_*), lowest
# degree first: A: P(w), w = (t-1)/(t+1), t in [0.5, 2];  B: P(w), w = (t-3.5)/(t+3.5),
# t in [2, 6];  C: t erfcx(t) = P(1/t^2), t in [6, 26.6] (used up to 27.3)
ERFCX_A = [float.fromhex(h) for h in """
    0x1.b5d8780f956b2p-2 -0x1.17c4e3f17c051p-1 0x1.23122255b6333p-4 0x1.c05ecfde2b03ep-5
    0x1.78738bb357620p-8 -0x1.03bb8bb18c504p-7 -0x1.616d44e03ea15p-8 -0x1.3d68f67b532cbp-10
    0x1.6ed645d625cfdp-11 0x1.c76cfa2b41f86p-11 0x1.d38e4debd888ap-12 0x1.29dd204687f45p-14
    -0x1.926a9230e25dap-14 -0x1.d8884a6516dd8p-14 -0x1.1aed0ec1619cdp-14 -0x1.65fe1c990826ap-17
    0x1.06bc0a1f8063dp-16""".split()]
ERFCX_B = [float.fromhex(h) for h in """
    0x1.3e0a99a0ee914p-3 -0x1.2835188dbb185p-2 0x1.dd73839163f4dp-3 -0x1.4a6bda3b96667p-3
    0x1.82c6bb6820ae8p-4 -0x1.7437cb6a377fep-5 0x1.1625b23f932eep-6 -0x1.1604f4216b233p-8
    0x1.185fa2a780727p-12 0x1.2e92982375d28p-12 -0x1.c556c3bacfc33p-14 -0x1.3a5399fae1eeap-18
    0x1.bf9e467351e6ap-17 -0x1.9b4bb5c8e4d6dp-20 -0x1.89d2ce3a4fba1p-20""".split()]
ERFCX_C = [float.fromhex(h) for h in """
    0x1.20dd750429b6cp-1 -0x1.20dd750428c19p-2 0x1.b14c2f839f53ep-2 -0x1.0ecf9cc0f223fp+0
    0x1.d9eaeabf8288dp+1 -0x1.0a8d148f83459p+4 0x1.6ddffcc364b5dp+6 -0x1.2471f0d6e6ecbp+9
    0x1.f3d7f299e3dfbp+11 -0x1.793cc76688c9cp+14 0x1.512515e1855bep+16""".split()]


def _horner(var, coefs):
    """Source of the polynomial sum(coefs[i] var^i) by Horner's rule with fused multiply-adds."""
    src = f"K({coefs[-1]!r})"
    for c in reversed(coefs[:-1]):
        src = f"fma({src}, {var}, K({c!r}))"
    return src


_PIECE = "piece"
_MATH = "math"

# name: (nin, npar, class, body)
ROWS = {
    # ------------------------------------------------------------ piecewise
    "relu": (1, 0, _PIECE, """
        return K(0.0) if x < K(0.0) else x
    """),
    "relu_bwd": (2, 0, _PIECE, """
        if x > K(0.0):
            return g
        return x if isnan(x) else K(0.0)
    """),
    "relu6": (1, 0, _PIECE, """
        if x < K(0.0):
            return K(0.0)
        return K(6.0) if x > K(6.0) else x
    """),
    "relu6_bwd": (2, 0, _PIECE, """
        if x > K(0.0) and x < K(6.0):
            return g
        return x if isnan(x) else K(0.0)
    """),
    "hardtanh": (1, 2, _PIECE, """
        if x < a:
            return a
        return b if x > b else x
    """),
    "hardtanh_bwd": (2, 2, _PIECE, """
        if x > a and x < b:
            return g
        return x if isnan(x) else K(0.0)
    """),
    "threshold": (1, 2, _PIECE, """
        return b if x <= a else x
    """),
    "threshold_bwd": (2, 1, _PIECE, """
        if x > a:
            return g
        return x if isnan(x) else K(0.0)
    """),
    "leaky_relu": (1, 1, _PIECE, """
        if x < K(0.0):
            # slope 0: -0.0 for every x < 0, -inf included (x * 0 would be NaN there)
            return K(-0.0) if a == K(0.0) else x * a
        return x
    """),
    "leaky_relu_bwd": (2, 1, _PIECE, """
        if x > K(0.0):
            return g
        return x if isnan(x) else g * a
    """),
    "hardsigmoid": (1, 0, _PIECE, """
        if x <= K(-3.0):
            return K(0.0)
        if x >= K(3.0):
            return K(1.0)
        return (x + K(3.0)) / K(6.0)
    """),
    "hardsigmoid_bwd": (2, 0, _PIECE, """
        if x > K(-3.0) and x < K(3.0):
            return g / K(6.0)
        return x if isnan(x) else K(0.0)
    """),
    "hardsigmoid_bwd_y": (2, 0, _PIECE, """
        if x > K(0.0) and x < K(1.0):
            return g / K(6.0)
        return x if isnan(x) else K(0.0)
    """),
    "hardswish": (1, 0, _PIECE, """
        if x <= K(-3.0):
            return K(-0.0)
        if x >= K(3.0):
            return x
        return x * (x + K(3.0)) / K(6.0)
    """),
    "hardswish_bwd": (2, 0, _PIECE, """
        if x <= K(-3.0):
            return K(0.0)
        if x >= K(3.0):
            return g
        return g * ((x + x + K(3.0)) / K(6.0))
    """),
    # ------------------------------------------------------------ exponential
    "elu": (1, 1, _MATH, """
        if x > K(0.0):
            return x
        return a * expm1(x)
    """),
    "elu_bwd": (2, 1, _MATH, """
        if x > K(0.0):
            return g
        d = a * exp(x)
        if d == K(0.0) and isinf(g):
            return g * a  # the derivative underflowed: an infinite g keeps its sign rule
        return g * d
    """),
    "celu": (1, 1, _MATH, """
        if x > K(0.0):
            return x
        # below float64 results, 1/alpha (hoisted out of the loop) instead of a division per
        # element: the product's extra rounding is far below the result's precision
        return a * expm1(x / a if DW else x * (K(1.0) / a))
    """),
    "celu_bwd": (2, 1, _MATH, """
        if x > K(0.0):
            return g
        d = exp(x / a if DW else x * (K(1.0) / a))
        if d == K(0.0) and isinf(g):
            return g
        return g * d
    """),
    "selu": (1, 0, _MATH, f"""
        if x > K(0.0):
            return K({SELU_S!r}) * x
        return K({SELU_SA!r}) * expm1(x)
    """),
    "selu_bwd": (2, 0, _MATH, f"""
        if x > K(0.0):
            return g * K({SELU_S!r})
        d = K({SELU_SA!r}) * exp(x)
        if d == K(0.0) and isinf(g):
            return g
        return g * d
    """),
    "silu": (1, 0, _MATH, """
        # one formula for both signs (no divergent branches in a warp):
        # x / (1 + e) for x >= 0, x e / (1 + e) below, e = e^-|x|
        if isinf(x):
            return x if x > K(0.0) else K(-0.0)
        if x < K(-600.0):
            # e^x is subnormal in float64: e^(x/2) twice, so the result rounds once
            h = exp(x * K(0.5))
            return (x * h) * h
        e = exp(-abs(x))
        if DW:
            return x_over_1pe_dw(x, e, x >= K(0.0), K(0.0))
        return (x if x >= K(0.0) else x * e) / (K(1.0) + e)
    """),
    "silu_bwd": (2, 0, _MATH, """
        # silu'(x) = s (1 + x (1 - s)), s = sigmoid(x), 1 - s formed without cancellation
        if isinf(x):
            return g if x > K(0.0) or isinf(g) else g * K(0.0)
        e = exp(-abs(x))
        r = K(1.0) / (K(1.0) + e)
        er = e * r
        pos = x >= K(0.0)
        s = r if pos else er
        oms = er if pos else r
        d = s * (K(1.0) + x * oms)
        if d == K(0.0) and isinf(g):
            return -g  # underflowed in the negative tail, where silu' < 0
        return g * d
    """),
    "softplus": (1, 2, _MATH, """
        # log(1 + e^z) = max(z, 0) + log1p(e^-|z|): no overflow for any threshold
        # float64: the rounding error zl of z = a x is added as zl sigmoid(z) (with a
        # large |z| it would otherwise cost |z| ULP)
        z = a * x
        if z > b:
            return x
        m = z if z > K(0.0) else K(0.0)
        e = exp(-abs(z))
        r = m + log1p(e)
        if DW and abs(z) < K(1e300):
            zl = fma(a, x, -z)
            r = r + zl * ((K(1.0) if z >= K(0.0) else e) / (K(1.0) + e))
        if a == K(1.0):  # the default; the same for every thread
            return r
        return r / a
    """),
    "softplus_bwd": (2, 2, _MATH, """
        z = a * x
        if z > b:
            return g
        e = exp(-abs(z))
        s = (K(1.0) if z >= K(0.0) else e) / (K(1.0) + e)
        if s == K(0.0) and isinf(g):
            return g
        return g * s
    """),
    "mish": (1, 0, _MATH, """
        # tanh(log(1 + e)) = n / (n + 2), n = e (e + 2), e = e^x
        if x > K(20.0):
            return x
        if isinf(x):
            return K(-0.0)
        if x < K(-600.0):
            # mish(x) = x e^x (1 + O(e^x)); e^x subnormal in float64: round once
            h = exp(x * K(0.5))
            return (x * h) * h
        e = exp(x)
        n = e * (e + K(2.0))
        return x * n / (n + K(2.0))
    """),
    "mish_bwd": (2, 0, _MATH, """
        # mish'(x) = t + x s (1 - t^2) = (n (n + 2) + 4 x e (1 + e)) / (n + 2)^2
        if x > (K(24.0) if CT else K(15.0)):
            return g
        if isinf(x):
            return g if isinf(g) else g * K(0.0)
        if x < (K(-760.0) if CT else K(-120.0)):
            return -g if isinf(g) else g * K(-0.0)
        e = exp(x)
        n = e * (e + K(2.0))
        q = n + K(2.0)
        d = (n * q + K(4.0) * x * e * (K(1.0) + e)) / (q * q)
        if d == K(0.0) and isinf(g):
            return -g if x < K(0.0) else g
        return g * d
    """),
    "elu_bwd_y": (2, 1, _MATH, """
        if x > K(0.0):
            return g
        d = x + a
        if d == K(0.0) and isinf(g):
            return g  # y = -alpha: saturated; the true derivative is > 0
        return g * d
    """),
    "celu_bwd_y": (2, 1, _MATH, """
        if x > K(0.0):
            return g
        d = x / a + K(1.0)
        if d == K(0.0) and isinf(g):
            return g
        return g * d
    """),
    "selu_bwd_y": (2, 0, _MATH, f"""
        if x > K(0.0):
            return g * K({SELU_S!r})
        d = x + K({SELU_SA!r})
        if d == K(0.0) and isinf(g):
            return g
        return g * d
    """),
    "softplus_bwd_y": (2, 2, _MATH, """
        z = a * x
        if z > b:
            return g
        d = -expm1(-z)
        if d == K(0.0) and isinf(g):
            return g  # y = 0: x was -inf or underflowed; sigmoid > 0
        return g * d
    """),
    # ------------------------------------------------------------ gelu
    "gelu": (1, 0, _MATH, f"""
        # x/2 erfc(-x/sqrt2), never 1 + erf: the negative tail keeps its relative accuracy
        if isinf(x):
            return x if x > K(0.0) else K(-0.0)
        if not DW:
            return (K(0.5) * x) * erfc(x * K({-RSQRT2_HI!r}))
        t = x * K({-RSQRT2_HI!r})
        # t + tl = -x/sqrt2 to twice the precision; erfc(t + tl) = erfc(t) - tl 2/sqrt(pi) e^-t^2
        tl = fma(x, K({-RSQRT2_HI!r}), -t) + x * K({-RSQRT2_LO!r})
        if t < K(0.5):
            e = erfc(t) - tl * K({TWO_RSQRTPI!r}) * exp(-(t * t))
            return (K(0.5) * x) * e
        if t > K(27.3):
            return K(-0.0)  # |gelu(x)| < 0.4 e^-745 rounds to zero
        # the tail: erfc(t + tl) = e^-(t + tl)^2 F(t + tl), F = erfcx by the CPU's pieces
        # (libdevice's erfc errs by up to 5 ULP here), with e^-(t + tl)^2 = e^-p (1 - pe),
        # p + pe = (t + tl)^2, and F(t + tl) = F(t) (1 + tl F'/F), F'/F = 2t - 2/(sqrt(pi) F):
        # the small terms are summed into one correction c, applied by one fma
        p = t * t
        pe = fma(t, t, -p) + K(2.0) * t * tl
        if t < K(6.0):
            if t < K(2.0):
                w = (t - K(1.0)) / (t + K(1.0))
                F = {_horner("w", ERFCX_A)}
            else:
                w = (t - K(3.5)) / (t + K(3.5))
                F = {_horner("w", ERFCX_B)}
            c = (K(2.0) * t - K({TWO_RSQRTPI!r}) / F) * tl - pe
            hx = K(0.5) * x
            H = hx * F
            Hl = fma(hx, F, -H)
        else:
            # F = P(1/t^2) / t, and x/2 = -(t + tl)/sqrt2: x/2 F = -P/sqrt2 (1 + tl/t), no division
            w = K(1.0) / (t * t)
            P = {_horner("w", ERFCX_C)}
            c = (tl / t + K({RSQRT2_LO / RSQRT2_HI!r}) + (K(2.0) * t - K({TWO_RSQRTPI!r}) * t / P) * tl
                 - pe)
            H = P * K({-RSQRT2_HI!r})
            Hl = fma(P, K({-RSQRT2_HI!r}), -H)
        # x/2 erfc(t + tl) = (H + Hl)(1 + c) e^-p, rounded once at the end (but for e^-p)
        Gl = fma(H, c, Hl)
        if p < K(700.0):
            E = exp(-p)
            return fma(H, E, Gl * E)
        # e^-p subnormal or nearly: e^-p = e^r (1 + rl) 2^-64, r = 64 ln2 - p exact (p >= 512
        # and EXP64_HI are multiples of 2^-43), so the result rounds once, at the end
        r = K({EXP64_HI!r}) - p
        E = exp(r) * (K(1.0) + K({EXP64_LO!r}))
        return fma(H, E, Gl * E) * K({2.0 ** -64!r})
    """),
    "gelu_bwd": (2, 0, _MATH, f"""
        # gelu'(x) = Phi(x) + x phi(x)
        if isinf(x):
            return g if x > K(0.0) or isinf(g) else g * K(0.0)
        d = K(0.5) * erfc(x * K({-RSQRT2_HI!r})) + x * K({C0!r}) * exp(K(-0.5) * (x * x))
        if d == K(0.0):
            if isinf(g):
                return -g if x < K(0.0) else g
            if x < K(0.0):
                d = K(-0.0)  # both terms underflowed (x < -38): the derivative is negative
        return g * d
    """),
    "gelu_tanh": (1, 0, _MATH, f"""
        # x sigmoid(v), v = 2 sqrt(2/pi) (x + c x^3); float64: v carried as v + vl
        if isinf(x):
            return x if x > K(0.0) else K(-0.0)
        x2 = x * x
        v = K({K2_HI!r}) * x * (K(1.0) + K({GT_C!r}) * x2)
        vl = K(0.0)
        if DW and abs(x) < K(1e100):  # (beyond, x^3 overflows and v is +-inf anyway)
            x2l = fma(x, x, -x2)
            c = K({GT_C!r}) * x2
            cl = fma(K({GT_C!r}), x2, -c) + K({GT_C!r}) * x2l + K({GT_C_LO!r}) * x2
            w = K(1.0) + c
            wl = ((K(1.0) - w) + c) + cl if c < K(1.0) else ((c - w) + K(1.0)) + cl
            pp = x * w
            pl = fma(x, w, -pp) + x * wl
            v = K({K2_HI!r}) * pp
            vl = fma(K({K2_HI!r}), pp, -v) + K({K2_HI!r}) * pl + K({K2_LO!r}) * pp
        if CT and v < K(-600.0):
            # 1 + e^v = 1: gelu_tanh(x) = x e^(v + vl), near or below the subnormals: e^v =
            # e^r 2^-64, r = v + 64 ln2 exact (v and EXP64_HI are multiples of 2^-43), so the
            # result rounds once, at the end
            if v < K(-800.0):
                return K(-0.0)
            xe = x * exp(v + K({EXP64_HI!r}))
            if xe == K(0.0):
                return xe  # x times an underflowed e^v: a zero with x's sign
            return fma(xe, vl + K({EXP64_LO!r}), xe) * K({2.0 ** -64!r})
        # one formula for both signs: x / (1 + e) or x e / (1 + e), e = e^-|v + vl|
        pos = v >= K(0.0)
        e = exp(-abs(v))
        if DW:
            return x_over_1pe_dw(x, e, pos, vl)
        return (x if pos else x * e) / (K(1.0) + e)
    """),
    "gelu_tanh_bwd": (2, 0, _MATH, f"""
        # sigmoid(v) + x v' sigmoid(v) (1 - sigmoid(v)), v' = 2 sqrt(2/pi) (1 + 3c x^2)
        if isinf(x):
            return g if x > K(0.0) or isinf(g) else g * K(0.0)
        if abs(x) > K(1e10):
            if x > K(0.0):
                return g
            return -g if isinf(g) else g * K(-0.0)  # far left the derivative is negative
        x2 = x * x
        v = K({K2_HI!r}) * x * (K(1.0) + K({GT_C!r}) * x2)
        dv = K({K2_HI!r}) * (K(1.0) + K({3 * GT_C!r}) * x2)
        e = exp(-abs(v))
        r = K(1.0) / (K(1.0) + e)  # the only division
        er = e * r
        s = r if v >= K(0.0) else er
        d = s + x * dv * (er * r)
        if d == K(0.0):
            if isinf(g):
                return -g if x < K(0.0) else g
            if x < K(0.0):
                d = K(-0.0)  # e^-|v| underflowed (x < -26): the derivative is negative
        return g * d
    """),
}


# Helpers a body may call; the kernel builder defines each one a body names as a
# local function next to f (so it is inlined too).
HELPERS = {
    "x_over_1pe_dw": """
        def x_over_1pe_dw(x, e, pos, vl):
            # x / (1 + E) if pos else x E / (1 + E), E = e (1 - vl) if pos else e (1 + vl)
            # (e = e^-|v|, v + vl the argument), to about one rounding: the residuals of the
            # product, the sum and the quotient, and the low part vl, are added at the end
            d = K(1.0) + e
            dl = (K(1.0) - d) + e
            num = x if pos else x * e
            numl = K(0.0) if pos else fma(x, e, -num)
            y0 = num / d
            r = fma(-y0, d, num)
            c = (r + numl - y0 * dl) / d + y0 * (vl * (e if pos else K(1.0)) / d)
            return y0 + c
    """,
}


def ufunc_name(row):
    """The public (ufunc) name of a row: relu_bwd -> relu_backward,
    elu_bwd_y -> elu_backward_from_output."""
    if row.endswith("_bwd_y"):
        return row[:-6] + "_backward_from_output"
    return row[:-4] + "_backward" if row.endswith("_bwd") else row


ROW_OF = {ufunc_name(r): r for r in ROWS}


# ---------------------------------------------------------------- the gated family
# Rows of two operands, mirroring relukit._ufuncs.GATED_ROWS (src/gated.c): a forward
# (a, b) -> y (nin 2) and a fused backward (g, a, b) -> (grad_a, grad_b) (nin 3), no
# scalar parameters.  A forward body is the statements of a scalar function
# ``f(a, b)`` returning y, a backward body those of ``f(g, a, b)`` returning the pair.
# The activation comes from its own row above, which the kernel builder defines as a
# local function ``row_<name>(x, g, a, b)`` where a body names it (one algorithm for
# the activation and its gated form, as gated.c includes exponential.c and gelu.c);
# a backward body calls its forward as ``gated_<name>(a, b)`` (grad_b = g act(a) is
# the forward with g for b).
#
# float32 results are computed in float64 (exact products of float32 operands, the
# activation in float64) and rounded once, as the CPU's float32 loops outside their
# float32 bulk; float16 in float32.  float64: the activation's float64 body, then
# the product (one more rounding); where the activation or sigmoid falls near or
# below the subnormals (silu: a < -700, gelu: a < -37, gelu_tanh: v < -700, glu:
# b < -700) the product is formed from e^v = m 2^-k scaled exactly (``tail_scale``),
# so that a huge partner operand keeps a full-precision result, as on the CPU.
# Special values as the CPU: NaN in any operand gives NaN; act(a) for finite nonzero
# a is a nonzero number however far it underflows, so times +-inf it is an infinity;
# an exact 0 times an infinity is NaN.

LN2_HI = float.fromhex("0x1.62e42fee00000p-1")   # ln 2 to 32 bits (fdlibm's ln2_hi): k ln2_hi exact
LN2_LO = float.fromhex("0x1.a39ef35793c76p-33")  # ln 2 - LN2_HI (fdlibm's ln2_lo)
INV_LN2 = 1.4426950408889634                      # 1/ln 2 rounded to double
# gelu(a) = -c0 e^(-a^2/2) S(1/a^2) for a -> -inf: the asymptotic series of erfc,
# S(u) = sum (-1)^k (2k-1)!! u^k, lowest degree first (gated.c: 9 terms, the next is
# below 2^-68 for a < -37)
GELU_SERIES = [1.0, -1.0, 3.0, -15.0, 105.0, -945.0, 10395.0, -135135.0, 2027025.0]


def _grad_a(dact):
    """Body lines: ``ga = (g b) act'(a)`` by the one-operand gradient row `dact` with
    g b as its gradient; float64: g b scaled by 2^600 where it is subnormal and by
    2^-1024 where finite g and b overflow (gated.c's gated_grad_pre_d), scaled back
    after; at a = -inf (act' = 0) a signed 0 for finite g and b."""
    return f"""
        p = g * b
        fin = not isinf(g) and not isinf(b)
        if DW and fin and (isinf(p) or (p != K(0.0) and abs(p) < K({2.0 ** -1022!r}))):
            if isinf(p):
                ga = row_{dact}(a, (g * K({2.0 ** -512!r})) * (b * K({2.0 ** -512!r})), K(0.0),
                                K(0.0)) * K({2.0 ** 512!r}) * K({2.0 ** 512!r})
            else:
                ga = row_{dact}(a, (g * K({2.0 ** 600!r})) * b, K(0.0), K(0.0)) * K({2.0 ** -600!r})
        else:
            ga = row_{dact}(a, p, K(0.0), K(0.0))
        if fin and isinf(a) and a < K(0.0):
            ga = (g * K(0.0)) * b
    """


def _inf_factor(y="y"):
    """Body lines: act(a) * (+-inf) for finite nonzero a is an infinity with the sign
    of a (act(a) has a's sign and is nonzero, however far it underflows)."""
    return f"""
        if isinf(b) and a == a and a != K(0.0) and not isinf(a):
            return b if a > K(0.0) else -b
        return {y}
    """


GATED_ROWS = {
    "glu": (2, 0, _MATH, f"""
        # torch's glu: a sigmoid(b) = a / (1 + e) for b >= 0, a e / (1 + e) below, e = e^-|b|
        if isnan(b):
            return b
        if isinf(b):
            return a if b > K(0.0) else a * K(0.0)
        if isinf(a):
            return a  # sigmoid(b) > 0 for finite b
        if DW and b < K(-700.0):
            # 1 + e^b = 1: a e^b, with e^b = m 2^-k applied exactly (below -1500: a signed 0)
            if b < K(-1500.0):
                return a * K(0.0)
            m, k = exp_split(b)
            return tail_scale(a, m, k)
        e = exp(-abs(b))
        if DW:
            return x_over_1pe_dw(a, e, b >= K(0.0), K(0.0))
        return (a if b >= K(0.0) else a * e) / (K(1.0) + e)
    """),
    "glu_bwd": (3, 0, _MATH, f"""
        # ga = g s, gb = g a s (1 - s) = g a e / (1 + e)^2, s = sigmoid(b), e = e^-|b|
        if isnan(b):
            return b, b
        z = g * K(0.0)
        if isinf(b):
            return (g if b > K(0.0) else z), z * a
        p = g * a
        if DW and abs(b) > K(700.0):
            # s or 1 - s is e^-|b| (1 + O(e^-|b|)), e^-|b| = m 2^-k applied exactly
            if abs(b) > K(1500.0):
                ga = g if b > K(0.0) else z
                gb = z * a
            else:
                m, k = exp_split(-abs(b))
                ga = g if b > K(0.0) else tail_scale(g, m, k)
                gb = tail_scale(p, m, k) if not isinf(p) else tail_scale(g, m, k) * a
        else:
            e = exp(-abs(b))
            pos = b >= K(0.0)
            if DW:
                ga = x_over_1pe_dw(g, e, pos, K(0.0))
                q = x_over_1pe_dw(x_over_1pe_dw(p, e, False, K(0.0)), e, True, K(0.0))
                gb = q + fma(g, a, -p) * (q / p) if p != K(0.0) and not isinf(p) else q
                if isinf(p) and not isinf(g) and not isinf(a):
                    gb = (g * x_over_1pe_dw(x_over_1pe_dw(K(1.0), e, False, K(0.0)), e, True,
                                            K(0.0))) * a  # g a past the range
            else:
                r = K(1.0) / (K(1.0) + e)
                er = e * r
                ga = g * (r if pos else er)
                gb = p * (er * r)
        # infinite factors times s, s (1 - s) > 0 (finite b): infinities (or NaN with a 0)
        if isinf(g):
            ga = g
        if isinf(g) or isinf(a):
            gb = p
        return ga, gb
    """),
    "reglu": (2, 0, _PIECE, """
        # relu(a) b: one rounding of an exact product (float16 in float32: exact there too)
        r = K(0.0) if a < K(0.0) else a
        return r * b
    """),
    "reglu_bwd": (3, 0, _PIECE, """
        # ga = a > 0 ? g b : 0 (NaN for NaN a; relu'(0) = 0), gb = g relu(a)
        r = K(0.0) if a < K(0.0) else a
        if a > K(0.0):
            ga = g * b
        else:
            ga = a if isnan(a) else K(0.0)
        return ga, g * r
    """),
    "geglu": (2, 0, _MATH, f"""
        # gelu(a) b, gelu(a) from gelu's row
        if DW and abs(a) < K({2.0 ** -900!r}):
            y = (a * b) * K(0.5)  # gelu(a) = a/2 (1 + O(a)): not rounded into the subnormals first
        elif DW and a < K(-37.0):
            # gelu(a) = -c0 e^(-a^2/2) S(1/a^2) near or below the subnormals: e^(-(h + l)/2)
            # with a^2 = h + l exact, e^(-h/2) = m 2^-k applied exactly with b; below -55, -0 b
            if a < K(-55.0):
                y = K(-0.0) * b
            else:
                h = a * a
                m, k = exp_split(h * K(-0.5))
                m = fma(m, fma(a, a, -h) * K(-0.5), m)
                u = K(1.0) / h
                y = tail_scale(b, K({-C0!r}) * {_horner("u", GELU_SERIES)} * m, k)
        else:
            y = row_gelu(a, K(0.0), K(0.0), K(0.0)) * b
    """ + _inf_factor()),
    "geglu_bwd": (3, 0, _MATH, """
        gb = gated_geglu(a, g)
    """ + _grad_a("gelu_bwd") + """
        return ga, gb
    """),
    "geglu_tanh": (2, 0, _MATH, f"""
        # gelu_tanh(a) b = a sigmoid(v) b, v = 2 sqrt(2/pi) (a + c a^3), from gelu_tanh's row
        if DW and abs(a) < K({2.0 ** -900!r}):
            y = (a * b) * K(0.5)
        elif DW and a < K(-21.0):
            # v < -700 (v + vl in double-word, as gelu_tanh's row): a e^(v + vl) b with
            # e^v = m 2^-k applied exactly; v < -1500 (a < -30 included): -0 b
            y = K(-0.0) * b
            if a >= K(-30.0):
                h = a * a
                hl = fma(a, a, -h)
                ch = K({GT_C!r}) * h
                chl = fma(K({GT_C!r}), hl, fma(K({GT_C_LO!r}), h, fma(K({GT_C!r}), h, -ch)))
                mh = K(1.0) + ch
                ml = ((ch - mh) + K(1.0)) + chl  # (ch > 1: Fast2Sum)
                kx = K({K2_HI!r}) * a
                kxl = fma(K({K2_LO!r}), a, fma(K({K2_HI!r}), a, -kx))
                v = kx * mh
                vl = fma(kx, ml, fma(kxl, mh, fma(kx, mh, -v)))
                if v >= K(-700.0):
                    y = row_gelu_tanh(a, K(0.0), K(0.0), K(0.0)) * b
                elif v >= K(-1500.0):
                    m, k = exp_split(v)
                    y = tail_scale(b, a * fma(m, vl, m), k)
        else:
            y = row_gelu_tanh(a, K(0.0), K(0.0), K(0.0)) * b
    """ + _inf_factor()),
    "geglu_tanh_bwd": (3, 0, _MATH, """
        gb = gated_geglu_tanh(a, g)
    """ + _grad_a("gelu_tanh_bwd") + """
        return ga, gb
    """),
    "swiglu": (2, 0, _MATH, f"""
        # silu(a) b, silu(a) from silu's row
        if DW and abs(a) < K({2.0 ** -900!r}):
            y = (a * b) * K(0.5)  # silu(a) = a/2 (1 + O(a)): not rounded into the subnormals first
        elif DW and a < K(-700.0):
            # silu(a) = a e^a (1 + O(e^a)) near or below the subnormals: a e^a b with
            # e^a = m 2^-k applied exactly; below -1500, -0 b
            if a < K(-1500.0):
                y = K(-0.0) * b
            else:
                m, k = exp_split(a)
                y = tail_scale(b, a * m, k)
        else:
            y = row_silu(a, K(0.0), K(0.0), K(0.0)) * b
    """ + _inf_factor()),
    "swiglu_bwd": (3, 0, _MATH, """
        gb = gated_swiglu(a, g)
    """ + _grad_a("silu_bwd") + """
        return ga, gb
    """),
}

HELPERS.update({
    "exp_split": f"""
        def exp_split(v):
            # e^v = m 2^-k for v in [-1520, -680] (float64): k = round(-v / ln2), m = e^r,
            # r = v + k ln2; v and k ln2_hi (k < 2^12, ln2_hi of 32 bits) are multiples of
            # 2^-43 and r is small, so v + k ln2_hi is exact
            k = floor(v * K({-INV_LN2!r}) + K(0.5))
            r = (v + k * K({LN2_HI!r})) + k * K({LN2_LO!r})
            return exp(r), k
    """,
    "tail_scale": f"""
        def tail_scale(x, c, k):
            # x c 2^-k for k in [980, 2200] (a result near or below the subnormals), |c| <=
            # 2^12, any x (gated.c's tail_scale_d): 2^-k as 2^(1400 - k) (normal) and 2^-700
            # twice, ordered by |x| so that no step before the last leaves the normal range
            # while the result is representable; roundings: x c once, the last step once
            P = ldexp(K(1.0), I32(1400 - k))
            s = K({2.0 ** -700!r})
            if abs(x) >= K(1.0):
                return (((x * s) * c) * P) * s
            return (((x * c) * P) * s) * s
    """,
})

ALL_ROWS = {**ROWS, **GATED_ROWS}
ROW_OF.update({ufunc_name(r): r for r in GATED_ROWS})
