"""imcosim.plot draws what imcosim's result files hold (docs/plots.md): hand-made co-simulation
files for the corner cases, and a file of every kind written by the imcosim executable."""

import csv
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import matplotlib.image
import numpy as np
import pytest

from imcosim import plot

COLUMNS = "cycles,latency_s,macs,sram_bytes,dram_bytes,energy_j"


def write_cosim(path, model, spread_percent, draw_accuracies, tpu_only, imac_latency_s=math.nan):
    """A co-simulation result as docs/cosim.md documents it (the entries the plots read)."""
    distribution = "lognormal" if spread_percent > 0 else "none"
    with h5py.File(path, "w") as f:
        f.attrs["format"] = "imcosim-cosim"
        f.attrs["format_version"] = 1
        f.attrs["model"] = model
        f.attrs["configuration"] = (
            f"cosim.seed = 1\ndevice.d2d_distribution = {distribution}\n"
            f"device.d2d_spread_percent = {spread_percent}\n"
        )
        only = f.create_dataset("designs/tpu-only/layers", data=np.array(
            [[2175, 4.35e-6, 0, 0, 0, 0], [848, 1.7e-6, 0, 0, 0, 0], [1850, 3.7e-6, 0, 0, 0, 0]]))
        only.attrs["columns"] = COLUMNS
        only.attrs["layer_names"] = "Conv0,Conv3,FC1"
        only.attrs["layer_units"] = "tpu,tpu,tpu"
        imac = f.create_dataset("designs/tpu-imac/layers", data=np.array(
            [[2175, 4.35e-6, 0, 0, 0, 0], [848, 1.7e-6, 0, 0, 0, 0], [0, 1e-9, 0, 0, 0, 0],
             [0, imac_latency_s, 0, 0, 0, 0]]))
        imac.attrs["columns"] = COLUMNS
        imac.attrs["layer_names"] = "Conv0,Conv3,DAC,FC part"
        imac.attrs["layer_units"] = "tpu,tpu,dac,imac"
        f.create_group("accuracy/tpu-only_int8").attrs["accuracy"] = tpu_only
        f.create_group("accuracy/tpu-imac_geometry_wires").attrs["accuracy"] = draw_accuracies[0]
        if spread_percent > 0:
            for d, accuracy in enumerate(draw_accuracies):
                f.create_group(f"accuracy/tpu-imac_device_draw_{d}").attrs["accuracy"] = accuracy


def drawn_pixels(path):
    """Pixels that differ from the picture's background (its most common colour)."""
    image = matplotlib.image.imread(path)[..., :3]
    colours, counts = np.unique(image.reshape(-1, 3), axis=0, return_counts=True)
    background = colours[np.argmax(counts)]
    return int(np.any(image != background, axis=-1).sum())


def test_layers_draws_every_layer_of_both_designs_in_microseconds(tmp_path):
    write_cosim(tmp_path / "cosim.h5", "lenet5", 0, [0.86], 0.88, imac_latency_s=5.08e-6)
    figure = plot.plot_layers(str(tmp_path / "cosim.h5"), str(tmp_path / "layers.png"))
    only, imac = figure.axes
    assert [p.get_height() for p in only.patches] == pytest.approx([4.35, 1.7, 3.7])
    assert [p.get_height() for p in imac.patches] == pytest.approx([4.35, 1.7, 1e-3, 5.08])
    assert [t.get_text() for t in imac.get_xticklabels()] == ["Conv0", "Conv3", "DAC", "FC part"]
    assert "µs" in only.get_ylabel()
    assert "cosim.h5" in figure._suptitle.get_text()
    assert drawn_pixels(tmp_path / "layers.png") > 5000


def test_layers_marks_an_unmeasured_latency_instead_of_drawing_zero_silently(tmp_path):
    write_cosim(tmp_path / "cosim.h5", "lenet5", 0, [0.86], 0.88)
    figure = plot.plot_layers(str(tmp_path / "cosim.h5"), str(tmp_path / "layers.svg"))
    imac = figure.axes[1]
    assert "unmeasured" in imac.get_title()
    assert any(t.get_text() == "not measured" for t in imac.texts)


def test_breakdown_names_an_unmeasured_part_instead_of_drawing_zero_silently(tmp_path):
    write_cosim(tmp_path / "cosim.h5", "lenet5", 0, [0.86], 0.88)
    figure = plot.plot_breakdown(str(tmp_path / "cosim.h5"), str(tmp_path / "breakdown.png"))
    latency = figure.axes[0]
    assert any("IMAC not measured" in t for t in texts(latency.texts))
    # TPU-only: conv 6.05 µs, FC 3.7 µs; TPU-IMAC: conv 6.05 µs, DAC 1 ns, the IMAC part unknown.
    assert sorted(p.get_height() for p in latency.patches) == pytest.approx([1e-3, 3.7, 6.05, 6.05])


def test_variation_draws_the_mean_of_the_draws_against_the_spread(tmp_path):
    runs = []
    for spread, accuracies in ((0, [0.86]), (10, [0.70, 0.74]), (20, [0.50, 0.40])):
        runs.append(str(tmp_path / f"d2d{spread}.h5"))
        write_cosim(runs[-1], "lenet5", spread, accuracies, 0.88)
    figure = plot.plot_variation(list(reversed(runs)), str(tmp_path / "variation.png"))
    ax = figure.axes[0]
    mean_line = next(line for line in ax.lines if line.get_label() == "lenet5 TPU-IMAC")
    assert list(mean_line.get_xdata()) == [0, 10, 20]
    assert list(mean_line.get_ydata()) == pytest.approx([86, 72, 45])
    reference = next(line for line in ax.lines if line.get_label() == "lenet5 TPU-only int8")
    assert list(reference.get_ydata()) == pytest.approx([88, 88])
    assert "%" in ax.get_xlabel() and "%" in ax.get_ylabel()
    assert drawn_pixels(tmp_path / "variation.png") > 5000


def test_bad_input_exits_two_naming_the_file(tmp_path, capsys):
    not_hdf5 = tmp_path / "notes.h5"
    not_hdf5.write_text("not a result")
    assert plot.main(["layers", str(not_hdf5), "-o", str(tmp_path / "x.png")]) == 2
    assert "notes.h5" in capsys.readouterr().err
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.attrs["format"] = "imcosim-cosim"
    assert plot.main(["layers", str(other), "-o", str(tmp_path / "x.png")]) == 2
    assert "designs/tpu-only/layers" in capsys.readouterr().err
    write_cosim(tmp_path / "cosim.h5", "lenet5", 0, [0.86], 0.88)
    assert plot.main(["layers", str(tmp_path / "cosim.h5"), "-o", str(tmp_path / "x.bmp")]) == 2
    assert "x.bmp" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


# --- every kind from files that imcosim wrote in the test ---------------------------------------

SOURCE = Path(__file__).resolve().parents[2]
CLI = os.environ.get("IMCOSIM_CLI", str(SOURCE / "build" / "bin" / "imcosim"))
TINY_CNN = """name tiny
input 28 28 1
conv2d filters=4 kernel=5 stride=2
relu
maxpool kernel=3
flatten
split
dense units=12
imac_sigmoid
dense units=10
imac_sigmoid
"""
COSIM = """[cosim]
test_images = 20
[tpu_only]
model = float.h5
calibration_images = 64
[tpu_imac]
model = imac.h5
[tpu]
array_rows = 8
array_cols = 8
dataflow = ws
[device]
draws = 2
d2d_distribution = lognormal
d2d_spread_percent = 5
[spice]
every = 0
latency_images = 1
"""
TILE_CAMPAIGN = """[campaign]
samples = 40
seed = 42
[tile]
rows = 16
cols = 16
r_row = 2.5
r_col = 2.5
[device]
d2d_distribution = lognormal
d2d_spread_percent = 10
[backends]
solver = direct
spice_every = 20
"""
NETWORK_CAMPAIGN = """[campaign]
samples = 30
seed = 42
[network]
model = model.h5
circuit = circuit.ini
[device]
d2d_distribution = lognormal
d2d_spread_percent = 10
[inputs]
v_min = 0
v_max = 0.8
[backends]
fast = true
spice_every = 15
"""


def imcosim(*arguments, cwd, expect=0):
    """Runs the imcosim executable; its exit code must be `expect`."""
    run = subprocess.run([CLI, *map(str, arguments)], cwd=cwd, capture_output=True, text=True,
                         check=False)
    assert run.returncode == expect, f"imcosim {' '.join(map(str, arguments))}:\n{run.stdout}{run.stderr}"
    return run


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A directory of result files, each written by the imcosim command whose kind draws it."""
    d = tmp_path_factory.mktemp("written")
    cache = ("--cache-dir", d / "neuron-cache")
    imcosim("demo", "--rows", 24, "--cols", 16, "--samples", 5, "--workers", 1, "--quiet",
            "--save-problem", "tile.h5", cwd=d)
    imcosim("solve", "tile.h5", "-o", "maps.h5", "--node-voltages", "0,worst,mean", "--quiet",
            cwd=d)
    imcosim("solve", "tile.h5", "-o", "one.h5", "--node-voltages", "3", "--quiet", cwd=d)
    (d / "tile.ini").write_text(TILE_CAMPAIGN)
    imcosim("dataset", "tile.ini", "-o", "tile-data.h5", "--workers", 1, "--quiet", cwd=d)
    subprocess.run([sys.executable, SOURCE / "examples/imac/make_network.py", "--sizes", "8,6,4",
                    "--encoding", "ternary", "--samples", "3", "--model", "model.h5", "--inputs",
                    "inputs.h5"], cwd=d, check=True, capture_output=True)
    (d / "circuit.ini").write_text("xbar_rows = 8\nxbar_cols = 8\n")
    (d / "network.ini").write_text(NETWORK_CAMPAIGN)
    imcosim("dataset", "network.ini", "-o", "network-data.h5", "--workers", 1, "--quiet", *cache,
            cwd=d)
    imcosim("imac", "spice", "model.h5", "--inputs", "inputs.h5", "--config", "circuit.ini",
            "--waveforms", "-o", "waves.h5", "--workers", 1, "--quiet", *cache, cwd=d)
    imcosim("tpu", "-c", SOURCE / "examples/tpu/scalesim_32x32_ws.cfg", "-t",
            SOURCE / "examples/tpu/lenet_topology.csv", "-o", "tpu", "--quiet", cwd=d)
    (d / "tiny.txt").write_text(TINY_CNN)
    (d / "cnn-circuit.ini").write_text("xbar_rows = 16\nxbar_cols = 16\namp_gains = 30,30\n")
    imcosim("train", "--model", "tiny.txt", "-o", "float.h5", "--epochs", 1, "--train-images", 256,
            "--test-images", 64, "--quiet", cwd=d)
    imcosim("train", "--init", "float.h5", "-o", "imac.h5", "--precision", "imac-ideal",
            "--config", "cnn-circuit.ini", "--epochs", 1, "--train-images", 256, "--test-images",
            64, "--calibration-images", 64, "--quiet", *cache, cwd=d)
    (d / "cosim.ini").write_text(COSIM)
    for spread in (5, 15):
        imcosim("cosim", "cosim.ini", "-o", f"d2d{spread}", "--set",
                f"device.d2d_spread_percent={spread}", "--workers", 1, "--quiet", *cache, cwd=d)
    return d


def texts(artists):
    return [a.get_text() for a in artists]


def test_ir_drop_draws_the_row_and_column_maps_of_every_map_in_millivolts(written):
    figure = plot.plot_ir_drop(str(written / "maps.h5"), str(written / "ir-drop.png"))
    maps = [ax for ax in figure.axes if ax.images]
    assert len(maps) == 6  # row and column wires of sample_0, worst and mean, in that order
    assert [ax.get_title().split(":")[0] for ax in maps] == ["sample_0"] * 2 + ["worst"] * 2 + [
        "mean"] * 2
    colourbars = [ax for ax in figure.axes if not ax.images]
    assert all("(mV)" in ax.get_ylabel() for ax in colourbars)
    assert all("row i" in ax.get_ylabel() and "column j" in ax.get_xlabel() for ax in maps)
    assert "maps.h5" in figure._suptitle.get_text()
    with h5py.File(written / "maps.h5") as f, h5py.File(written / "tile.h5") as p:
        worst = f["node_voltages/worst"]
        drivers = p["inputs"][worst.attrs["sample"]]
        np.testing.assert_allclose(maps[2].images[0].get_array(),
                                   1e3 * (drivers[:, None] - worst["row"][...]))
        np.testing.assert_allclose(maps[3].images[0].get_array(), 1e3 * worst["column"][...])
        assert maps[2].images[0].get_array().shape == (24, 16)
    assert drawn_pixels(written / "ir-drop.png") > 50000


def test_ir_drop_reads_the_single_vector_layout_and_a_moved_problem(written, tmp_path):
    figure = plot.plot_ir_drop(str(written / "one.h5"), str(tmp_path / "one.pdf"))
    assert [ax.get_title().split(":")[0] for ax in figure.axes if ax.images] == ["sample_3"] * 2
    assert (tmp_path / "one.pdf").read_bytes().startswith(b"%PDF")
    # The problem_file attribute names tile.h5 relative to where solve ran: from elsewhere it is
    # found beside the result, or named by --problem.
    shutil.copy(written / "one.h5", tmp_path / "one.h5")
    with pytest.raises(plot.PlotError, match="problem_file"):
        plot.read_node_voltage_maps(str(tmp_path / "one.h5"))
    assert len(plot.read_node_voltage_maps(str(tmp_path / "one.h5"),
                                           str(written / "tile.h5"))) == 1


def test_montecarlo_draws_each_back_ends_errors_and_every_back_ends_outputs(written):
    figure = plot.plot_montecarlo(str(written / "tile-data.h5"), str(written / "mc.png"))
    errors, outputs = figure.axes
    assert [t.split(" (")[0] for t in texts(errors.get_legend().get_texts())] == [
        "ideal", "solver", "ngspice"]
    assert len(errors.patches) == 3 and len(outputs.patches) == 4
    assert "(%)" in errors.get_xlabel() and "(µA)" in outputs.get_xlabel()
    assert "tile-data.h5" in figure._suptitle.get_text()
    with h5py.File(written / "tile-data.h5") as f:
        nominal, solver = f["outputs/nominal"][...], f["outputs/solver"][...]
    dataset = plot.read_montecarlo(str(written / "tile-data.h5"))
    np.testing.assert_allclose(dataset.errors["solver"], np.abs(solver - nominal).max(1)
                               / np.abs(nominal).max(1))
    assert dataset.errors["ngspice"].size == 2  # samples 0 and 20, one vector each
    assert drawn_pixels(written / "mc.png") > 20000


def test_montecarlo_of_a_network_states_volts(written):
    figure = plot.plot_montecarlo(str(written / "network-data.h5"), str(written / "mc-net.png"))
    errors, outputs = figure.axes
    assert "(mV)" in errors.get_xlabel() and "(V)" in outputs.get_xlabel()
    assert [t.split(" (")[0] for t in texts(errors.get_legend().get_texts())] == [
        "fast", "ngspice"]
    assert drawn_pixels(written / "mc-net.png") > 20000


def test_tpu_draws_every_layers_cycles_and_utilisation(written):
    figure = plot.plot_tpu(str(written / "tpu"), str(written / "tpu.png"))
    cycles, utilisation = figure.axes
    with open(written / "tpu/COMPUTE_REPORT.csv") as report:
        rows = list(csv.reader(report, skipinitialspace=True))[1:]
    assert [p.get_height() for p in cycles.patches] == [int(row[1]) for row in rows]
    assert texts(cycles.get_xticklabels()) == ["Conv1", "Conv2", "FC1", "FC2", "FC3"]
    assert len(utilisation.patches) == 3 * len(rows)
    assert "(%)" in utilisation.get_ylabel() and "cycles" in cycles.get_ylabel()
    assert "COMPUTE_REPORT.csv" in figure._suptitle.get_text()
    assert drawn_pixels(written / "tpu.png") > 20000


def test_breakdown_stacks_each_designs_parts_to_its_total(written):
    path = written / "d2d5/cosim.h5"
    figure = plot.plot_breakdown(str(path), str(written / "breakdown.png"))
    latency, energy = figure.axes
    with h5py.File(path) as f:
        totals = {d: (f[f"designs/{d}"].attrs["latency_s"], f[f"designs/{d}"].attrs["energy_j"])
                  for d in plot.DESIGNS}
    for ax, column, scale in ((latency, 0, 1e6), (energy, 1, 1e6)):
        for position, design in enumerate(plot.DESIGNS):
            stack = [p.get_height() for p in ax.patches if round(p.get_x() + p.get_width() / 2)
                     == position]
            assert sum(stack) == pytest.approx(totals[design][column] * scale, rel=1e-9)
        # TPU-only: conv and FC; TPU-IMAC: conv, DAC, IMAC (measured by ngspice) and ADC.
        assert len(ax.patches) == 6
        assert texts(ax.get_legend().get_texts()) == list(plot.PARTS)
    assert "(µs)" in latency.get_ylabel() and "(µJ)" in energy.get_ylabel()
    assert "d2d5/cosim.h5" in figure._suptitle.get_text()
    assert drawn_pixels(written / "breakdown.png") > 20000


def test_layers_and_variation_draw_cosim_runs_of_the_cli(written):
    figure = plot.plot_layers(str(written / "d2d5/cosim.h5"), str(written / "layers.png"))
    with h5py.File(written / "d2d5/cosim.h5") as f:
        layers = [f[f"designs/{d}/layers"].shape[0] for d in plot.DESIGNS]
    assert [len(ax.patches) for ax in figure.axes] == layers
    runs = [str(written / f"d2d{s}/cosim.h5") for s in (15, 5)]
    figure = plot.plot_variation(runs, str(written / "variation.png"))
    mean = next(line for line in figure.axes[0].lines if line.get_label() == "tiny TPU-IMAC")
    assert list(mean.get_xdata()) == [5, 15]
    assert drawn_pixels(written / "variation.png") > 5000


def test_waveforms_draw_the_inputs_and_outputs_of_each_stored_sample(written):
    figure = plot.plot_waveforms(str(written / "waves.h5"), str(written / "waves.png"))
    axes = figure.axes
    assert len(axes) == 6  # inputs over outputs, for each of the 3 samples
    with h5py.File(written / "waves.h5") as f:
        sample = f["waveforms/sample_1"]
        time_ns, outputs = 1e9 * sample["time_s"][...], sample["outputs_volt"][...]
    inputs_ax, outputs_ax = axes[1], axes[4]
    assert len(inputs_ax.lines) == 8 and len(outputs_ax.lines) == 4
    np.testing.assert_allclose(outputs_ax.lines[2].get_xdata(), time_ns)
    np.testing.assert_allclose(outputs_ax.lines[2].get_ydata(), outputs[:, 2])
    assert "(ns)" in outputs_ax.get_xlabel() and "(V)" in outputs_ax.get_ylabel()
    assert "waves.h5" in figure._suptitle.get_text()
    assert drawn_pixels(written / "waves.png") > 20000
    figure = plot.plot_waveforms(str(written / "waves.h5"), str(written / "one.svg"), [2])
    assert len(figure.axes) == 2
    with pytest.raises(plot.PlotError, match="waveforms/sample_7"):
        plot.plot_waveforms(str(written / "waves.h5"), str(written / "x.png"), [7])


def test_imcosim_plot_runs_the_module_with_its_exit_code(written, tmp_path):
    run = imcosim("plot", "tpu", written / "tpu", "-o", tmp_path / "tpu.svg", "--json", cwd=tmp_path)
    assert json.loads(run.stdout) == {"command": "plot tpu", "exit_code": 0,
                                      "result": {"kind": "tpu", "output": str(tmp_path / "tpu.svg")}}
    assert "<svg" in (tmp_path / "tpu.svg").read_text()
    failed = imcosim("plot", "montecarlo", written / "maps.h5", "-o", tmp_path / "mc.png",
                     cwd=tmp_path, expect=2)
    assert "maps.h5" in failed.stderr and "schema" in failed.stderr
    assert not (tmp_path / "mc.png").exists()
    help_text = imcosim("plot", "--help", cwd=tmp_path).stdout
    assert help_text.startswith("Usage: imcosim plot")
    for kind in ("ir-drop", "montecarlo", "tpu", "layers", "breakdown", "variation", "waveforms"):
        assert kind in help_text


def test_each_kind_refuses_a_file_of_another_kind_naming_file_and_entry(written, tmp_path,
                                                                       capsys):
    output = str(tmp_path / "x.png")
    for arguments, named in ((["ir-drop", written / "tile-data.h5"], "'node_voltages'"),
                             (["montecarlo", written / "waves.h5"], "'schema'"),
                             (["tpu", written], "COMPUTE_REPORT.csv"),
                             (["breakdown", written / "maps.h5"], "imcosim-cosim"),
                             (["waveforms", written / "maps.h5"], "'waveforms'")):
        assert plot.main([*map(str, arguments), "-o", output]) == 2
        error = capsys.readouterr().err
        assert str(arguments[1].name) in error and named in error, error
    assert not (tmp_path / "x.png").exists()
