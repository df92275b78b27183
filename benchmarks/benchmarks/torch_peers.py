"""PyTorch's CPU op for each relukit ufunc, as a second peer (asv classes
``<Op>Torch``, made by common.make_op_benchmarks; skipped without torch).

Each entry takes (F, a, *tensors): F = torch.nn.functional, a = torch.ops.aten,
and the array operands in the ufunc's order ([g,] x), with the parameters the
family modules use.  Backward ops are the aten functions autograd calls."""

SELU_A, SELU_S = 1.6732632423543772, 1.0507009873554805

TORCH = {
    "relu": lambda F, a, x: F.relu(x),
    "relu_backward": lambda F, a, g, x: a.threshold_backward(g, x, 0),
    "relu6": lambda F, a, x: F.relu6(x),
    "relu6_backward": lambda F, a, g, x: a.hardtanh_backward(g, x, 0.0, 6.0),
    "hardtanh": lambda F, a, x: F.hardtanh(x, -1.0, 1.0),
    "hardtanh_backward": lambda F, a, g, x: a.hardtanh_backward(g, x, -1.0, 1.0),
    "threshold": lambda F, a, x: F.threshold(x, 0.5, -1.0),
    "threshold_backward": lambda F, a, g, x: a.threshold_backward(g, x, 0.5),
    "leaky_relu": lambda F, a, x: F.leaky_relu(x, 0.01),
    "leaky_relu_backward": lambda F, a, g, x: a.leaky_relu_backward(g, x, 0.01, False),
    "hardsigmoid": lambda F, a, x: F.hardsigmoid(x),
    "hardsigmoid_backward": lambda F, a, g, x: a.hardsigmoid_backward(g, x),
    "hardswish": lambda F, a, x: F.hardswish(x),
    "hardswish_backward": lambda F, a, g, x: a.hardswish_backward(g, x),
    "elu": lambda F, a, x: F.elu(x, 1.0),
    "elu_backward": lambda F, a, g, x: a.elu_backward(g, 1.0, 1.0, 1.0, False, x),
    "elu_backward_from_output": lambda F, a, g, y: a.elu_backward(g, 1.0, 1.0, 1.0, True, y),
    "celu": lambda F, a, x: F.celu(x, 1.0),
    "celu_backward": lambda F, a, g, x: a.elu_backward(g, 1.0, 1.0, 1.0, False, x),
    "celu_backward_from_output": lambda F, a, g, y: a.elu_backward(g, 1.0, 1.0, 1.0, True, y),
    "selu": lambda F, a, x: F.selu(x),
    "selu_backward": lambda F, a, g, x: a.elu_backward(g, SELU_A, SELU_S, 1.0, False, x),
    "selu_backward_from_output": lambda F, a, g, y: a.elu_backward(g, SELU_A, SELU_S, 1.0, True, y),
    "silu": lambda F, a, x: F.silu(x),
    "silu_backward": lambda F, a, g, x: a.silu_backward(g, x),
    "softplus": lambda F, a, x: F.softplus(x, 1.0, 20.0),
    "softplus_backward": lambda F, a, g, x: a.softplus_backward(g, x, 1.0, 20.0),
    "mish": lambda F, a, x: F.mish(x),
    "mish_backward": lambda F, a, g, x: a.mish_backward(g, x),
    "gelu": lambda F, a, x: F.gelu(x),
    "gelu_backward": lambda F, a, g, x: a.gelu_backward(g, x),
    "gelu_tanh": lambda F, a, x: F.gelu(x, approximate="tanh"),
    "gelu_tanh_backward": lambda F, a, g, x: a.gelu_backward(g, x, approximate="tanh"),
}
