"""imcosim.plot draws what the co-simulation files hold (docs/cosim.md, "Plots")."""

import math

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
