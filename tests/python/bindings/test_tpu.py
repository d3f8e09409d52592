"""The TPU model from Python: a topology's cycles and reports equal `imcosim tpu`'s, int8 GEMMs
and convolutions equal NumPy's integer arithmetic, and bad arguments raise InputError."""

import csv
import io

import numpy as np
import pytest

import imcosim

CONFIGS = ["scalesim_32x32_os.cfg", "scalesim_32x32_ws.cfg", "scalesim_32x32_is.cfg",
           "scalesim_8x32_ws_user.cfg"]
TOPOLOGIES = ["lenet_topology.csv", "gemm_topology.csv", "alexnet_conv.csv"]


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_cycles_and_reports_equal_the_cli(tmp_path, cli, examples, config, topology):
    config_file, topology_file = examples / "tpu" / config, examples / "tpu" / topology
    cli("tpu", "-c", config_file, "-t", topology_file, "-o", tmp_path, "--quiet")
    run = imcosim.run_tpu(config_file, topology_file)
    compute_report = (tmp_path / "COMPUTE_REPORT.csv").read_text()
    assert run.compute_report == compute_report
    assert run.tpu_report == (tmp_path / "TPU_REPORT.csv").read_text()
    rows = list(csv.DictReader(io.StringIO(compute_report), skipinitialspace=True))
    assert [layer.total_cycles for layer in run.layers] == [int(row["Total Cycles"])
                                                            for row in rows]
    assert run.total_cycles == sum(int(row["Total Cycles"]) for row in rows)


def test_gemm_equals_numpy_and_is_timed_as_its_topology(tmp_path):
    rng = np.random.default_rng(4)
    a = rng.integers(-128, 128, (40, 70), dtype=np.int8)
    b = rng.integers(-128, 128, (70, 24))  # int64 holding int8 values is accepted
    product, timing = imcosim.gemm_int8(a, b, array=(8, 32), dataflow="ws")
    assert product.dtype == np.int32
    np.testing.assert_array_equal(product, a.astype(np.int64) @ b)
    (tmp_path / "gemm.csv").write_text("Layer, M, N, K,\ng, 40, 24, 70,\n")
    (tmp_path / "array.cfg").write_text(
        "[general]\nrun_name = gemm\n[architecture_presets]\nArrayHeight: 8\nArrayWidth: 32\nIfmapSramSzkB: 64\n"
        "FilterSramSzkB: 64\nOfmapSramSzkB: 64\nDataflow: ws\n[run_presets]\n"
        "InterfaceBandwidth: CALC\n")
    layer = imcosim.run_tpu(tmp_path / "array.cfg", tmp_path / "gemm.csv").layers[0]
    assert (timing.total_cycles, timing.mac_operations) == (layer.total_cycles,
                                                           layer.mac_operations)


def reference_conv(image, filters, stride, padding):
    padded = np.pad(image.astype(np.int64), ((padding, padding), (padding, padding), (0, 0)))
    count, height, width, _ = filters.shape
    rows = (padded.shape[0] - height) // stride + 1
    cols = (padded.shape[1] - width) // stride + 1
    out = np.zeros((rows, cols, count), dtype=np.int64)
    for y in range(rows):
        for x in range(cols):
            window = padded[y * stride:y * stride + height, x * stride:x * stride + width]
            out[y, x] = np.tensordot(filters.astype(np.int64), window, axes=([1, 2, 3], [0, 1, 2]))
    return out


@pytest.mark.parametrize("cycle_level", [False, True])
def test_conv2d_equals_numpy(cycle_level):
    rng = np.random.default_rng(5)
    image = rng.integers(-128, 128, (9, 9, 3), dtype=np.int8)
    filters = rng.integers(-128, 128, (5, 3, 3, 3), dtype=np.int8)
    bias = rng.integers(-1000, 1000, 5, dtype=np.int32)
    rule = imcosim.Requantisation.from_scale(1 / 512, 0)
    result = imcosim.conv2d_int8(image, filters, stride=2, padding=1, bias=bias,
                                 requantisation=rule, array=(4, 4), cycle_level=cycle_level)
    expected = reference_conv(image, filters, stride=2, padding=1)
    np.testing.assert_array_equal(result.accumulators, expected)
    assert result.activations.dtype == np.int8
    # The rule's multiplier and shift approximate 1/512; away from halves the codes agree.
    codes = np.clip(np.round((expected + bias) / 512), -128, 127)
    assert np.abs(result.activations.astype(np.int64) - codes).max() <= 1
    assert result.timing.mac_operations == 5 * 5 * 5 * 27


@pytest.mark.parametrize("call, message", [
    (lambda: imcosim.gemm_int8(np.zeros((2, 3)), np.zeros((3, 2), np.int8)),
     r"^a: expected an array of int8 values"),
    (lambda: imcosim.gemm_int8(np.zeros((2, 3), np.int8), np.zeros((4, 2), np.int8)),
     r"^b: expected shape \(3, N\)"),
    (lambda: imcosim.gemm_int8(np.full((2, 3), 300), np.zeros((3, 2), np.int8)),
     r"^a: values from 300 to 300 do not fit int8"),
    (lambda: imcosim.gemm_int8(np.zeros((2, 3), np.int8), np.zeros((3, 2), np.int8),
                               dataflow="xs"), "^dataflow"),
    (lambda: imcosim.gemm_int8(np.zeros((2, 3), np.int8), np.zeros((3, 2), np.int8),
                               array=(0, 4)), r"^array\[0\]"),
    (lambda: imcosim.conv2d_int8(np.zeros((4, 4, 3), np.int8), np.zeros((2, 5, 5, 3), np.int8)),
     "filter"),
    (lambda: imcosim.conv2d_int8(np.zeros((4, 4, 3), np.int8), np.zeros((2, 3, 3, 2), np.int8)),
     r"^filters: expected shape \(F, FH, FW, 3\)"),
    (lambda: imcosim.run_tpu("missing.cfg", "missing.csv"), "missing.cfg"),
])
def test_bad_arguments_raise_input_errors(call, message):
    """`message` is a regular expression."""
    with pytest.raises(imcosim.InputError, match=message):
        call()


def test_the_compiled_module_refuses_wrong_shapes_by_itself():
    """Past the package's checks, _core still raises rather than reading out of bounds."""
    from imcosim import _core
    with pytest.raises((IndexError, imcosim.InputError)):
        _core.gemm_int8(np.zeros(3, np.int8), np.zeros((2, 3), np.int8), 4, 4, "os")
    with pytest.raises(imcosim.InputError):
        _core.gemm_int8(np.zeros((2, 3), np.int8), np.zeros((2, 4), np.int8), 4, 4, "os")
    with pytest.raises((IndexError, imcosim.InputError)):
        _core.conv2d_int8(np.zeros((4, 4), np.int8), np.zeros((1, 1, 1, 1), np.int8), (1, 1),
                          (0, 0), 1, None, imcosim.Requantisation.from_scale(0.5, 0), 4, 4, "os",
                          False)
    with pytest.raises((TypeError, imcosim.InputError)):
        _core.Tile(np.zeros(3), _core.WireResistances(0, 0, 0, 0), "auto", 1, 10)
