"""Float32 bodies of the transcendental GPU rows, in float32 arithmetic, mirroring
the CPU's float32 kernels (src/) operation for operation, so that the GPU's
float32 (and bfloat16, and where the CPU does so float16) results have the
CPU's bits (its FMA targets, avx2 and avx512, which give the same bits).

A row listed in ``F32_ROWS`` computes float32, bfloat16 and (unless its entry
says otherwise) float16 storage with its float32 body instead of the generic
body of ``_table.ROWS`` in float64.  Its float64 storage keeps the generic body.

The body vocabulary (the statements of ``f(x, g, a, b)``, every value float32):

``K(v)``
    a float32 constant or conversion: every constant goes through it.
``+ - * /``
    float32 operations rounded once each.  The kernel generator rewrites each
    of them into an explicit call (``ADD``, ``SUB``, ``MUL``, ``DIV``): on the
    GPU, libdevice's ``__nv_fadd_rn`` and its kin, which NVVM never contracts
    into a fused multiply-add (it does contract a plain ``a * b + c``); on the
    CPU check (numba's CPU target, which never contracts) and in the
    simulator, the plain operation.  So the arithmetic is what the text says.
``fma(a, b, c)``
    a * b + c rounded once.  The CPU's compiler contracts some of its kernels'
    separate multiplies and adds into FMAs (``-ffp-contract=fast``); a body
    writes ``fma`` exactly where the CPU's machine code has one.
``vmax(a, b)``, ``vmin(a, b)``
    x86's max/min: ``a if a > b else b`` (the second operand for NaN).
``f2i(v)``, ``i2f(i)``
    the bits of a float32 as an int32, and back.
``pow2(t, k)``
    2^(m + k) from t = 1.5 2^23 + m (the rounding shifter's sum), as the CPU's
    ``rk_vf_pow2``.
``isnan``, ``abs``
    as in Python.
``RARE(x, g, a, b)``
    the row's generic body computed in float64, rounded once to float32: for
    the lanes the CPU computes with float64 formulas (its rare paths).  Those
    give the correctly rounded result but for results within about 2^-20 ULP
    of a rounding boundary, on both sides; any such input is listed by the
    check (``relukit.cuda._f32check``).

Helpers (``F32_HELPERS``) are functions in the same vocabulary; a body calls
them by name and the generator defines each one it uses, once.  Integer
arithmetic (on ``f2i`` results) belongs in ``F32_INT_HELPERS``, which the
generator leaves as written.
"""
import ast

# ---------------------------------------------------------------- constants (src/vmath_coeffs.h)
F_LOG2E = "0x1.715476p+0"       # 1/ln2 rounded to float
F_SHIFT = "0x1.8p23"            # 1.5 2^23: adding it rounds to an integer in the low bits
F_LN2HI = "0x1.62e4p-1"         # ln2 to 16 bits: m LN2HI is exact for |m| < 256
F_LN2LO = "0x1.7f7d1cp-20"      # ln2 - LN2HI rounded to float
EXPF_P = ["0x1.fffffcp-2", "0x1.55548ap-3", "0x1.55585p-5", "0x1.123ec2p-7", "0x1.6ac324p-10"]
EXPM1F_P = ["0x1p-1", "0x1.555554p-3", "0x1.5554eap-5", "0x1.1113a2p-7", "0x1.6d4be2p-10",
            "0x1.9c8d88p-13"]


def _k(h):
    """Source of the float32 constant of hexadecimal `h`."""
    return f"K({float.fromhex(h)!r})"


# ---------------------------------------------------------------- helpers
F32_INT_HELPERS = {
    "pow2": """
        def pow2(t, k):
            # 2^(m + k), m in the low bits of t = 1.5 2^23 + m (src/vmath.h rk_vf_pow2)
            return i2f((f2i(t) + (127 + k)) << 23)
    """,
}

F32_HELPERS = {
    "vmax": """
        def vmax(a, b):
            return a if a > b else b
    """,
    "vmin": """
        def vmin(a, b):
            return a if a < b else b
    """,
    # src/exponential.c silu_exp_f: e^v = 2^m (1 + p), the reduction's rounding carried into
    # p; returns (t, p), t = 1.5 2^23 + m.  The CPU's compiler fuses m * -LN2LO into both
    # sums that use it.
    "exp_red": f"""
        def exp_red(v):
            t = fma(v, {_k(F_LOG2E)}, {_k(F_SHIFT)})
            m = t - {_k(F_SHIFT)}
            r1 = fma(-m, {_k(F_LN2HI)}, v)
            r = fma(m, -{_k(F_LN2LO)}, r1)
            d = fma(m, -{_k(F_LN2LO)}, r1 - r)
            e = fma({_k(EXPF_P[4])}, r, {_k(EXPF_P[3])})
            e = fma(e, r, {_k(EXPF_P[2])})
            e = fma(e, r, {_k(EXPF_P[1])})
            e = fma(e, r, {_k(EXPF_P[0])})
            return t, r + fma(r * r, e, d)
    """,
    # src/dwarith.h: a b = p + e exactly (twoprod_f), a + b = s + e exactly (twosum_f)
    "twoprod": """
        def twoprod(a, b):
            p = a * b
            return p, fma(a, b, -p)
    """,
    "twosum": """
        def twosum(a, b):
            s = a + b
            bb = s - a
            return s, (a - (s - bb)) + (b - bb)
    """,
    # src/vmath.h vf_expm1 (with rk_vf_expm1_half): e^x - 1; rlo has a use in an FMA, so
    # the CPU's compiler keeps r = rhi + rlo unfused
    "expm1f": f"""
        def expm1f(x):
            xc = vmin(vmax(x, K(-17.5)), K(88.75))
            tt = fma(xc, {_k(F_LOG2E)}, {_k(F_SHIFT)})
            n = tt - {_k(F_SHIFT)}
            rhi = fma(-n, {_k(F_LN2HI)}, xc)
            rlo = n * -{_k(F_LN2LO)}
            r = rhi + rlo
            q = fma({_k(EXPM1F_P[5])}, r, {_k(EXPM1F_P[4])})
            q = fma(q, r, {_k(EXPM1F_P[3])})
            q = fma(q, r, {_k(EXPM1F_P[2])})
            q = fma(q, r, {_k(EXPM1F_P[1])})
            q = fma(q, r, {_k(EXPM1F_P[0])})
            plo = fma(r * r, q, rlo)
            s = pow2(tt, -1)
            A = s - K(0.5)
            eA = s - A - K(0.5)
            B = s * rhi
            S = A + B
            e = A - S + B + eA
            y = S + fma(s, plo, e)
            y = y + y
            if abs(x) < K(2.9802322387695312e-08) or isnan(x):
                return x
            return y
    """,
}

# ---------------------------------------------------------------- rows
# row: (body, f16): f16 False where the CPU's float16 loop does not go through its
# float32 kernel (the GPU's float16 then keeps the generic body)
F32_ROWS = {
    # src/exponential.c silu_f / silu_rare_f
    "silu": ("""
        v = vmax(-x, K(-87.0))
        t, p = exp_red(v)
        if x >= K(-16.0):
            P = pow2(t, 0)
            return x / fma(P, p, P + K(1.0))
        if isnan(x):
            return x
        if x >= K(-87.0):
            # the denominator 2^m (1 + (p + 2^-m)), rounded once (m in [23, 126])
            t, p = exp_red(vmin(v, K(87.0)))
            P = pow2(t, 0)
            return x / fma(P, p + K(1.0) / P, P)
        if x < K(-120.0):
            return K(-0.0)
        # x e^x, scaled by 2^64 so that a subnormal result rounds once
        t, q = exp_red(vmax(x, K(-120.0)))
        M = x * pow2(t, 64)
        return fma(M, q, M) * K(5.421010862427522e-20)
    """, True),
}


# The gated family's float32 bodies (src/gated.c): row: (body, f16), the body the
# statements of f(a, b) (forward) or f(g, a, b) returning (grad_a, grad_b); RARE takes
# the same operands and is the generic gated body in float64, rounded once
F32_GATED = {}
_GATED_NIN = {"glu": 2, "geglu": 2, "geglu_tanh": 2, "swiglu": 2, "glu_bwd": 3,
              "geglu_bwd": 3, "geglu_tanh_bwd": 3, "swiglu_bwd": 3}


# ---------------------------------------------------------------- the other rows, by source file
# Each module below defines HELPERS, INT_HELPERS and ROWS in this module's form (its
# helper names prefixed by its group, but for the ones shared from here).
from relukit.cuda import (_f32_elu, _f32_gated, _f32_gelu,  # noqa: E402
                          _f32_gelu_tanh, _f32_sigmoid)

for _mod in (_f32_elu, _f32_sigmoid, _f32_gelu_tanh, _f32_gelu, _f32_gated):
    for _name, _dst in (("HELPERS", F32_HELPERS), ("INT_HELPERS", F32_INT_HELPERS),
                        ("ROWS", F32_ROWS), ("GATED", F32_GATED)):
        _src = getattr(_mod, _name, {})
        assert not set(_src) & set(_dst), f"{_mod.__name__}.{_name}: a name defined twice"
        _dst.update(_src)


# ---------------------------------------------------------------- source generation
class _Explicit(ast.NodeTransformer):
    """Rewrite every binary + - * / into ADD/SUB/MUL/DIV calls (augmented
    assignments too), so that the arithmetic is explicit for every backend."""
    OPS = {ast.Add: "ADD", ast.Sub: "SUB", ast.Mult: "MUL", ast.Div: "DIV"}

    def visit_BinOp(self, node):
        self.generic_visit(node)
        name = self.OPS.get(type(node.op))
        if name is None:
            raise ValueError(f"relukit.cuda float32 body: operator {type(node.op).__name__} "
                             "belongs in an integer helper")
        return ast.copy_location(ast.Call(ast.Name(name, ast.Load()), [node.left, node.right], []),
                                 node)

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        value = ast.BinOp(ast.Name(node.target.id, ast.Load()), node.op, node.value)
        return ast.copy_location(ast.Assign([node.target], self.visit_BinOp(value)), node)


def _dedent(src):
    lines = [ln for ln in src.splitlines() if ln.strip()]
    cut = min(len(ln) - len(ln.lstrip()) for ln in lines)
    return "\n".join(ln[cut:] for ln in lines) + "\n"


def explicit(src):
    """`src` (functions or statements) with every float operation made explicit."""
    tree = _Explicit().visit(ast.parse(_dedent(src)))
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def bit_intrinsics(intrinsic, types):
    """``f2i`` and ``i2f`` for a Numba target, built with its `intrinsic` decorator and
    its `types` module (CPU: numba.extending / numba.types; GPU: numba.cuda's)."""
    from llvmlite import ir

    @intrinsic
    def f2i(typingctx, v):
        """The bits of a float32 as an int32."""
        def codegen(context, builder, sig, args):
            return builder.bitcast(args[0], ir.IntType(32))
        return types.int32(types.float32), codegen

    @intrinsic
    def i2f(typingctx, i):
        """The float32 of the low 32 bits of an integer."""
        def codegen(context, builder, sig, args):
            v = args[0]
            if v.type.width != 32:
                v = builder.trunc(v, ir.IntType(32))
            return builder.bitcast(v, ir.FloatType())
        return types.float32(i), codegen
    return f2i, i2f


def _calls(text, names):
    return [n for n in names if n + "(" in text]


def f32_source(row):
    """Source (unindented) of the helpers a row's float32 body uses and of the
    function ``f(x, g, a, b)`` (a gated row: ``f(a, b)``, or ``f(g, a, b)``
    returning the pair), every float operation explicit.  ``RARE`` is defined by
    the kernel generator (the generic body in float64)."""
    body, _ = F32_ROWS.get(row) or F32_GATED[row]
    sig = {None: "x, g, a, b", 2: "a, b", 3: "g, a, b"}[_GATED_NIN.get(row)]
    every = {**F32_HELPERS, **F32_INT_HELPERS}
    need = []

    def visit(text):  # callees before their callers (a kernel's local functions must be)
        for name in _calls(text, list(every)):
            if name not in need:
                visit(every[name].replace(f"def {name}(", ""))
                if name not in need:
                    need.append(name)
    visit(body)
    out = [_dedent(every[n]) if n in F32_INT_HELPERS else explicit(every[n]) for n in need]
    fn = f"def f({sig}):\n" + "\n".join("    " + ln for ln in _dedent(body).splitlines())
    out.append(explicit(fn))
    return "\n".join(out)


def uses_f32(row, dtype_name):
    """True when `row` stored as `dtype_name` computes with its float32 body."""
    entry = F32_ROWS.get(row) or F32_GATED.get(row)
    if entry is None:
        return False
    return dtype_name in ("float32", "bfloat16") or (dtype_name == "float16" and entry[1])
