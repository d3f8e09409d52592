"""Crossbar tiles from NumPy: the same currents as `imcosim solve`, the transfer matrix and IR-drop
maps, bad arguments as InputError (a ValueError), and the GIL released while solving."""

import re
import threading
import time

import h5py
import numpy as np
import pytest

import imcosim

WIRES = dict(r_row_ohm=2.5, r_col_ohm=3.0, r_source_ohm=10.0, r_sense_ohm=5.0)


def random_tile(rows, cols, samples, seed=1):
    rng = np.random.default_rng(seed)
    return 1.0 / rng.uniform(5e3, 15e3, (rows, cols)), rng.uniform(-0.5, 0.5, (samples, rows))


def write_problem(path, conductance, inputs):
    """The problem file `imcosim solve` reads (docs/file-formats.md), with WIRES."""
    with h5py.File(path, "w") as f:
        f["conductance"] = conductance
        f["inputs"] = inputs
        f.attrs.update(r_row=WIRES["r_row_ohm"], r_col=WIRES["r_col_ohm"],
                       r_source=WIRES["r_source_ohm"], r_sense=WIRES["r_sense_ohm"])


@pytest.mark.parametrize("method", ["auto", "direct", "iterative"])
def test_64x64_tile_equals_the_cli(tmp_path, cli, method):
    conductance, inputs = random_tile(64, 64, 20)
    write_problem(tmp_path / "problem.h5", conductance, inputs)
    cli("solve", tmp_path / "problem.h5", "-o", tmp_path / "result.h5", "--method", method)
    with h5py.File(tmp_path / "result.h5", "r") as f:
        expected = f["currents"][...]
        expected_method = f.attrs["method"]
    tile = imcosim.Tile(conductance, **WIRES, method=method, expected_samples=20)
    currents = tile.solve(inputs)
    assert tile.method == expected_method
    assert currents.shape == (20, 64)
    difference = np.abs(currents - expected).max() / np.abs(expected).max()
    assert difference <= 1e-12, difference
    np.testing.assert_array_equal(imcosim.solve(conductance, inputs, **WIRES, method=method),
                                  currents)


def test_node_voltages_equal_the_cli(tmp_path, cli):
    conductance, inputs = random_tile(16, 12, 3)
    write_problem(tmp_path / "problem.h5", conductance, inputs)
    cli("solve", tmp_path / "problem.h5", "-o", tmp_path / "maps.h5", "--node-voltages", "2")
    nodes = imcosim.node_voltages(conductance, inputs[2], **WIRES)
    with h5py.File(tmp_path / "maps.h5", "r") as f:
        np.testing.assert_allclose(nodes.row_volt, f["row_node_voltages"][...], rtol=0, atol=1e-12)
        np.testing.assert_allclose(nodes.column_volt, f["column_node_voltages"][...], rtol=0,
                                   atol=1e-12)
    expected_drop = max(np.abs(inputs[2][:, None] - nodes.row_volt).max(),
                        np.abs(nodes.column_volt).max())
    assert nodes.ir_drop_volt == pytest.approx(expected_drop, rel=1e-12)


def test_transfer_matrix_maps_inputs_to_currents():
    conductance, inputs = random_tile(24, 10, 5)
    transfer = imcosim.transfer_matrix(conductance, **WIRES)
    assert transfer.shape == (10, 24)
    currents = imcosim.solve(conductance, inputs, **WIRES, method="direct")
    np.testing.assert_allclose(inputs @ transfer.T, currents, rtol=0,
                               atol=1e-9 * np.abs(currents).max())
    # Without parasitics the transfer matrix is the transposed conductance matrix.
    ideal = imcosim.transfer_matrix(conductance, r_row_ohm=0, r_col_ohm=0)
    np.testing.assert_allclose(ideal, conductance.T, rtol=1e-12)


@pytest.mark.parametrize("conductance, inputs, name, expected", [
    (np.full((4, 3), 1e-4), np.zeros((2, 5)), "inputs_volt", "(K, 4)"),
    (np.full((4, 3), 1e-4), np.zeros(4), "inputs_volt", "(K, 4)"),
    (np.full((4, 3), 1e-4), np.zeros((0, 4)), "inputs_volt", "(K, 4)"),
    (np.full(4, 1e-4), np.zeros((2, 4)), "conductance_siemens", "(M, N)"),
    (np.full((4, 3), 1e-4), np.array([["a"] * 4]), "inputs_volt", "real numbers"),
    (np.full((4, 3), 1e-4).astype(complex), np.zeros((1, 4)), "conductance_siemens",
     "real numbers"),
    ("not an array", np.zeros((1, 4)), "conductance_siemens", "real numbers"),
    (np.full((4, 3), 1e-4), [[0.0, 0.1], [0.2]], "inputs_volt", "real numbers"),
])
def test_wrong_shapes_and_types_raise_value_errors(conductance, inputs, name, expected):
    with pytest.raises(imcosim.InputError) as raised:
        imcosim.solve(conductance, inputs, r_row_ohm=1.0, r_col_ohm=1.0)
    assert isinstance(raised.value, ValueError)
    assert isinstance(raised.value, imcosim.Error)
    assert str(raised.value).startswith(name), str(raised.value)
    assert expected in str(raised.value), str(raised.value)


@pytest.mark.parametrize("arguments, message", [
    (dict(r_row_ohm=-1.0, r_col_ohm=1.0), "r_row_ohm: r_row = -1 ohm is invalid"),
    (dict(r_row_ohm=1.0, r_col_ohm=1.0, r_sense_ohm=float("nan")), "r_sense_ohm: r_sense = nan"),
    (dict(r_row_ohm=1.0, r_col_ohm=1e13), "r_col_ohm: r_col = 10000000000000 ohm is invalid"),
    (dict(r_row_ohm="1", r_col_ohm=1.0), "r_row_ohm: expected a real number"),
    (dict(r_row_ohm=1.0, r_col_ohm=1.0, method="exact"), "method: expected one of auto"),
])
def test_bad_resistances_and_methods_raise_value_errors(arguments, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        imcosim.solve(np.full((4, 3), 1e-4), np.zeros((1, 4)), **arguments)


def test_values_the_library_refuses_raise_its_message():
    conductance = np.full((4, 3), 1e-4)
    conductance[2, 1] = 0.0
    with pytest.raises(imcosim.InputError,
                       match=r"^conductance_siemens\[2\]\[1\]: conductance = 0 S is invalid"):
        imcosim.Tile(conductance, r_row_ohm=1.0, r_col_ohm=1.0)
    inputs = np.zeros((2, 4))
    inputs[1, 3] = np.inf
    with pytest.raises(imcosim.InputError, match=r"^inputs_volt\[1\]\[3\]: inputs = inf V"):
        imcosim.solve(np.full((4, 3), 1e-4), inputs, r_row_ohm=1.0, r_col_ohm=1.0)


def test_runtime_failures_are_errors_but_not_value_errors():
    conductance, inputs = random_tile(64, 64, 1)
    tile = imcosim.Tile(conductance, **WIRES, method="iterative", max_iterations=1)
    with pytest.raises(imcosim.Error) as raised:
        tile.solve(inputs)
    assert not isinstance(raised.value, ValueError)
    assert "iteration" in str(raised.value)


def test_solves_release_the_gil():
    """While a long solve runs in another thread, this one keeps running: no gap between its
    steps comes near the solve's duration, as it would if the solve held the GIL."""
    conductance, inputs = random_tile(256, 256, 1)
    started = time.perf_counter()
    tile = imcosim.Tile(conductance, **WIRES, method="direct")
    tile.solve(inputs)
    duration = time.perf_counter() - started
    assert duration > 0.05, "the tile is too small to tell"
    worker = threading.Thread(
        target=lambda: imcosim.Tile(conductance, **WIRES, method="direct").solve(inputs))
    steps = []
    worker.start()
    while worker.is_alive():
        steps.append(time.perf_counter())
        time.sleep(0.001)
    worker.join()
    gaps = np.diff(steps) if len(steps) > 1 else [duration]
    assert max(gaps) < 0.5 * duration, (max(gaps), duration)
