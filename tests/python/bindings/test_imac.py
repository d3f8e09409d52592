"""IMAC networks from Python: `fast` equals `imcosim imac fast` on the same files, a network from
arrays equals the one from its model file, ngspice run from the interpreter agrees with the fast
path within 2 mV, and bad models, circuits and inputs raise InputError."""

import re
import subprocess
import sys

import h5py
import numpy as np
import pytest

import imcosim

CIRCUIT = {"xbar_rows": 8, "xbar_cols": 8}


@pytest.fixture(scope="module")
def network_files(tmp_path_factory, examples):
    directory = tmp_path_factory.mktemp("imac")
    subprocess.run([sys.executable, examples / "imac" / "make_network.py", "--sizes", "16,8,4",
                    "--encoding", "ternary", "--samples", "6", "--seed", "3",
                    "--model", directory / "model.h5", "--inputs", directory / "inputs.h5"],
                   check=True, capture_output=True)
    (directory / "circuit.ini").write_text("xbar_rows = 8\nxbar_cols = 8\n")
    with h5py.File(directory / "inputs.h5", "r") as f:
        inputs = f["inputs"][...]
    return directory, inputs


@pytest.fixture(scope="module")
def network(network_files):
    directory, _ = network_files
    return imcosim.ImacNetwork.from_file(directory / "model.h5", circuit=directory / "circuit.ini")


def test_fast_equals_the_cli(network_files, network, cli, cache_dir):
    directory, inputs = network_files
    cli("imac", "fast", directory / "model.h5", "--inputs", directory / "inputs.h5", "--config",
        directory / "circuit.ini", "--cache-dir", cache_dir, "-o", directory / "fast.h5",
        "--quiet")
    evaluation = network.fast(inputs, cache_dir=cache_dir)
    with h5py.File(directory / "fast.h5", "r") as f:
        np.testing.assert_allclose(evaluation.outputs_volt, f["outputs"][...], rtol=0, atol=1e-12)
        np.testing.assert_array_equal(evaluation.predicted_class, f["predicted_class"][...])
        np.testing.assert_allclose(evaluation.power_watt, f["power"][...], rtol=1e-12)
    assert evaluation.outputs_volt.shape == (6, 4)
    assert np.isnan(evaluation.latency_s).all()
    assert network.layer_sizes == [16, 8, 4]
    assert network.tile_count == 3 + 2  # 17 rows (16 inputs and the bias) on 8-row tiles, then 9


def test_a_network_from_arrays_equals_its_model_file(network_files, network, cache_dir):
    directory, inputs = network_files
    with h5py.File(directory / "model.h5", "r") as f:
        weights = [f[f"layers/{l}/weight"][...] for l in range(2)]
        biases = [f[f"layers/{l}/bias"][...] for l in range(2)]
    from_arrays = imcosim.ImacNetwork.from_arrays(weights, biases, encoding="ternary",
                                                  circuit=CIRCUIT)
    assert from_arrays.circuit_text == network.circuit_text
    hidden = from_arrays.fast(inputs, hidden_outputs=True, cache_dir=cache_dir)
    np.testing.assert_array_equal(hidden.outputs_volt,
                                  network.fast(inputs, cache_dir=cache_dir).outputs_volt)
    assert [layer.shape for layer in hidden.layer_outputs_volt] == [(6, 8), (6, 4)]
    np.testing.assert_array_equal(hidden.layer_outputs_volt[-1], hidden.outputs_volt)


@pytest.mark.parametrize("analysis", ["tran", "op"])
def test_spice_from_the_interpreter_agrees_with_fast(network_files, network, cache_dir,
                                                     analysis):
    _, inputs = network_files
    fast = network.fast(inputs[:2], cache_dir=cache_dir)
    spice = network.spice(inputs[:2], workers=2, analysis=analysis, cache_dir=cache_dir)
    assert np.abs(spice.outputs_volt - fast.outputs_volt).max() < 2e-3
    np.testing.assert_array_equal(spice.predicted_class, fast.predicted_class)
    assert (spice.power_watt > 0).all()
    assert np.isnan(spice.latency_s).all() == (analysis == "op")


@pytest.mark.parametrize("build, message", [
    (lambda d: imcosim.ImacNetwork.from_file(d / "missing.h5"), "missing.h5"),
    (lambda d: imcosim.ImacNetwork.from_file(d / "model.h5", circuit={"xbar_rowz": 8}),
     "xbar_rowz"),
    (lambda d: imcosim.ImacNetwork.from_file(d / "model.h5", circuit={"vdd": [1, "x"]}),
     "vdd"),
    (lambda d: imcosim.ImacNetwork.from_arrays([np.full((2, 3), 0.5)], [np.zeros(2)]),
     "weights"),
    (lambda d: imcosim.ImacNetwork.from_arrays([np.ones((2, 3))], [np.zeros(3)]),
     "biases[0]: expected shape (2,)"),
    (lambda d: imcosim.ImacNetwork.from_arrays([np.ones((2, 3)), np.ones((2, 4))],
                                               [np.zeros(2), np.zeros(2)]),
     "weights[1]: expected shape (n_out, 2)"),
    (lambda d: imcosim.ImacNetwork.from_arrays([np.ones((2, 3))], [np.zeros(2)],
                                               encoding="quaternary"), "encoding"),
])
def test_bad_models_and_circuits_raise_input_errors(network_files, build, message):
    directory, _ = network_files
    with pytest.raises(imcosim.InputError, match=re.escape(message)):
        build(directory)


def test_bad_inputs_raise_input_errors(network, cache_dir):
    with pytest.raises(ValueError, match=r"^inputs_volt: expected shape \(K, 16\)"):
        network.fast(np.zeros((3, 15)), cache_dir=cache_dir)
    with pytest.raises(imcosim.InputError, match="^inputs_volt"):
        network.fast(np.full((1, 16), np.nan), cache_dir=cache_dir)
    with pytest.raises(imcosim.InputError, match="^analysis: expected one of tran, op"):
        network.spice(np.zeros((1, 16)), analysis="ac")
    with pytest.raises(imcosim.InputError, match="^workers: expected an integer >= 1"):
        network.spice(np.zeros((1, 16)), workers=0)
