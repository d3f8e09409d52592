"""Independent reference for the end-to-end tests, written as an imcosim user would.

  write PROBLEM.h5 EXPECTED.h5 M N K SEED   random problem file (h5py) plus the currents that a
                                           dense modified nodal analysis (numpy) predicts
  compare EXPECTED.h5 RESULT.h5            prints the max relative difference of /currents
  compare-deck EXPECTED.h5 SAMPLE OUTPUT   the same for `ngspice -b` output of `imcosim netlist`

Zero resistances are 0 V sources here (branch currents), not merged nodes, so this shares no
formulation with imcosim's solver.
"""
import re
import sys

import h5py
import numpy as np


def tile_currents(g, r_row, r_col, r_source, r_sense, inputs):
    m, n = g.shape
    row = lambda i, j: i * n + j
    col = lambda i, j: m * n + i * n + j
    driver = lambda i: 2 * m * n + i
    ground = lambda j: 2 * m * n + m + j
    nodes = 2 * m * n + m + n
    resistors, links = [], []

    def connect(a, b, r):
        (links.append((a, b)) if r == 0 else resistors.append((a, b, 1.0 / r)))

    for i in range(m):
        connect(driver(i), row(i, 0), r_source)
        for j in range(n):
            if j + 1 < n:
                connect(row(i, j), row(i, j + 1), r_row)
            if i + 1 < m:
                connect(col(i, j), col(i + 1, j), r_col)
            resistors.append((row(i, j), col(i, j), g[i, j]))
    for j in range(n):
        connect(col(m - 1, j), ground(j), r_sense)
    size = nodes + m + n + len(links)
    a = np.zeros((size, size))
    for p, q, c in resistors:
        a[p, p] += c
        a[q, q] += c
        a[p, q] -= c
        a[q, p] -= c
    sources = [(driver(i), -1) for i in range(m)] + [(ground(j), -1) for j in range(n)] + links
    for k, (plus, minus) in enumerate(sources):
        a[plus, nodes + k] += 1
        a[nodes + k, plus] += 1
        if minus >= 0:
            a[minus, nodes + k] -= 1
            a[nodes + k, minus] -= 1
    rhs = np.zeros((size, inputs.shape[0]))
    rhs[nodes:nodes + m, :] = inputs.T
    x = np.linalg.solve(a, rhs)
    return x[nodes + m:nodes + m + n, :].T


def relative_difference(candidate, reference):
    scale = np.abs(reference).max(axis=1)
    return float((np.abs(candidate - reference).max(axis=1) / scale).max())


def main(argv):
    if argv[1] == "write":
        problem, expected, m, n, k, seed = argv[2:8]
        m, n, k = int(m), int(n), int(k)
        rng = np.random.default_rng(int(seed))
        g = 10.0 ** rng.uniform(-6, -3, size=(m, n))
        inputs = rng.uniform(-0.5, 0.5, size=(k, m))
        maybe_zero = lambda high: 0.0 if rng.uniform() < 0.25 else rng.uniform(0, high)
        wires = dict(r_row=maybe_zero(10), r_col=maybe_zero(10), r_source=maybe_zero(100),
                     r_sense=maybe_zero(100))
        with h5py.File(problem, "w") as f:
            f["conductance"] = g
            f["inputs"] = inputs
            for name, value in wires.items():
                f.attrs[name] = value
        with h5py.File(expected, "w") as f:
            f["currents"] = tile_currents(g, **wires, inputs=inputs)
    elif argv[1] == "compare":
        with h5py.File(argv[2], "r") as e, h5py.File(argv[3], "r") as r:
            print(relative_difference(r["currents"][()], e["currents"][()]))
    elif argv[1] == "compare-deck":
        with h5py.File(argv[2], "r") as e:
            reference = e["currents"][int(argv[3]):int(argv[3]) + 1, :]
        printed = dict(re.findall(r"^i_out_(\d+) = (\S+)\s*$", open(argv[4]).read(), re.M))
        candidate = np.array([[float(printed[str(j)]) for j in range(reference.shape[1])]])
        print(relative_difference(candidate, reference))


if __name__ == "__main__":
    main(sys.argv)
