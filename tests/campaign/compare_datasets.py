"""Compares two campaign datasets: the same objects, dataset values and attributes.

Usage: compare_datasets.py A.h5 B.h5. Exits 0 when equal, 1 with the first difference."""
import sys

import h5py
import numpy as np


def contents(path):
    objects = {}
    with h5py.File(path, "r") as f:
        objects["/"] = (None, dict(f.attrs))

        def visit(name, item):
            value = item[()] if isinstance(item, h5py.Dataset) else None
            objects[name] = (value, dict(item.attrs))

        f.visititems(visit)
    return objects


def main():
    a, b = contents(sys.argv[1]), contents(sys.argv[2])
    if a.keys() != b.keys():
        sys.exit(f"objects differ: {sorted(a.keys() ^ b.keys())}")
    for name in a:
        (value_a, attrs_a), (value_b, attrs_b) = a[name], b[name]
        if (value_a is None) != (value_b is None) or (
            value_a is not None
            and (value_a.shape != value_b.shape or not np.array_equal(value_a, value_b))
        ):
            sys.exit(f"dataset {name} differs")
        if attrs_a.keys() != attrs_b.keys():
            sys.exit(f"attributes of {name} differ: {sorted(attrs_a.keys() ^ attrs_b.keys())}")
        for key in attrs_a:
            if not np.array_equal(attrs_a[key], attrs_b[key]):
                sys.exit(f"attribute {name}.{key} differs: {attrs_a[key]!r} != {attrs_b[key]!r}")
    print(f"equal: {len(a)} objects")


main()
