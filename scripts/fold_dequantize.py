"""Folds constant DequantizeLinear nodes of an ONNX model into fp32 initializers.

The YuNet face detector is published with int8 block-quantised weights whose per-tensor scales
still carry a `block_size` attribute; ONNX Runtime 1.31 refuses those nodes. Dequantising the
weights once, at set-up time, gives an equivalent fp32 model that every runtime loads.

Usage: python fold_dequantize.py IN.onnx OUT.onnx
"""

import sys

import numpy as np
import onnx
from onnx import numpy_helper


def dequantize(x, scale, zero_point, axis, block_size):
    x = x.astype(np.float32)
    zp = np.zeros_like(scale, dtype=np.float32) if zero_point is None else zero_point.astype(np.float32)
    scale = scale.astype(np.float32)
    if scale.size == 1:
        return (x - zp.reshape(())) * scale.reshape(())
    axis = axis % x.ndim
    if scale.ndim == 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        return (x - zp.reshape(shape)) * scale.reshape(shape)
    # Blocked: each scale covers `block_size` consecutive elements along `axis`.
    reps = np.repeat(scale, block_size, axis=axis)
    zps = np.repeat(zp, block_size, axis=axis)
    index = [slice(None)] * x.ndim
    index[axis] = slice(0, x.shape[axis])
    return (x - zps[tuple(index)]) * reps[tuple(index)]


def main(src, dst):
    model = onnx.load(src)
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    kept, folded = [], 0
    for node in graph.node:
        if node.op_type != "DequantizeLinear" or not all(i in inits for i in node.input if i):
            kept.append(node)
            continue
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        x = numpy_helper.to_array(inits[node.input[0]])
        scale = numpy_helper.to_array(inits[node.input[1]])
        zp = numpy_helper.to_array(inits[node.input[2]]) if len(node.input) > 2 and node.input[2] else None
        value = dequantize(x, scale, zp, attrs.get("axis", 1), attrs.get("block_size", 0))
        graph.initializer.append(numpy_helper.from_array(value.astype(np.float32), node.output[0]))
        folded += 1
    del graph.node[:]
    graph.node.extend(kept)
    # Drop the quantised tensors nothing reads any more.
    used = {i for n in graph.node for i in n.input} | {o.name for o in graph.output}
    live = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(live)
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    print(f"folded {folded} DequantizeLinear nodes into fp32 weights: {dst}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: fold_dequantize.py IN.onnx OUT.onnx")
    main(sys.argv[1], sys.argv[2])
