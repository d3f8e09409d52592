#!/usr/bin/python3
"""Writes an IMAC model file and an input file in imcosim's format (docs/imac.md).

As a library: export_model() takes the weight matrices and bias vectors of a trained network,
e.g. from PyTorch,

    linears = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
    export_model("model.h5", [m.weight.detach().numpy() for m in linears],
                 [m.bias.detach().numpy() for m in linears], encoding="ternary")

As a script: a random network and (with --inputs) random inputs of the given shape, from a
recorded seed,

    examples/imac/make_network.py --sizes 16,8,4 --encoding binary \
        --samples 10 --seed 1 --model model.h5 --inputs inputs.h5
"""
import argparse

import h5py
import numpy as np

ENCODINGS = ("binary", "ternary", "k-level")


def export_model(path, weights, biases, encoding, levels=None):
    """weights[l] is [n_out][n_in], biases[l] is [n_out]; values as the encoding requires:
    binary -1/+1, ternary -1/0/+1, k-level anything in [-1, 1] (quantised to `levels`)."""
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {ENCODINGS}")
    with h5py.File(path, "w") as f:
        for index, (weight, bias) in enumerate(zip(weights, biases)):
            f[f"layers/{index}/weight"] = np.asarray(weight, dtype=np.float64)
            f[f"layers/{index}/bias"] = np.asarray(bias, dtype=np.float64)
        f.attrs["encoding"] = encoding
        if encoding == "k-level":
            f.attrs["levels"] = np.int64(levels)


def export_inputs(path, inputs_volt, labels=None):
    """inputs_volt is [K][n_in] in volts (0 to 0.8 V is the neurons' output range)."""
    with h5py.File(path, "w") as f:
        f["inputs"] = np.asarray(inputs_volt, dtype=np.float64)
        if labels is not None:
            f["labels"] = np.asarray(labels, dtype=np.int64)


def random_values(rng, shape, encoding):
    if encoding == "binary":
        return rng.choice([-1.0, 1.0], shape)
    if encoding == "ternary":
        return rng.choice([-1.0, 0.0, 1.0], shape)
    return rng.uniform(-1.0, 1.0, shape)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", required=True, help="layer sizes, e.g. 400,120,84,10")
    parser.add_argument("--encoding", choices=ENCODINGS, default="binary")
    parser.add_argument("--levels", type=int, default=5, help="k-level only")
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model", required=True)
    parser.add_argument("--inputs", help="also write --samples random input vectors here")
    args = parser.parse_args()

    sizes = [int(size) for size in args.sizes.split(",")]
    rng = np.random.default_rng(args.seed)
    weights = [random_values(rng, (n_out, n_in), args.encoding)
               for n_in, n_out in zip(sizes, sizes[1:])]
    biases = [random_values(rng, n_out, args.encoding) for n_out in sizes[1:]]
    export_model(args.model, weights, biases, args.encoding, args.levels)
    message = f"wrote {args.model} ({args.sizes}, {args.encoding})"
    if args.inputs:  # drawn after the model, which is therefore the same with or without them
        export_inputs(args.inputs, rng.uniform(0.0, 0.8, (args.samples, sizes[0])))
        message += f" and {args.inputs} ({args.samples} samples)"
    print(f"{message}, seed {args.seed}")


if __name__ == "__main__":
    main()
