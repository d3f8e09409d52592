"""Pictures of imcosim's co-simulation results (docs/cosim.md, "Plots").

    python3 -m imcosim.plot layers OUTDIR/cosim.h5 -o layers.png
    python3 -m imcosim.plot variation RUN/cosim.h5 [RUN/cosim.h5 ...] -o variation.png

``layers`` draws the latency of every layer of both designs (TPU-only and TPU-IMAC) as bars;
``variation`` draws the accuracy of the device draws against the device-to-device spread of
each run, one line per model, with the runs' TPU-only int8 accuracy as a dashed reference.
The format follows the output's suffix (.png, .svg, .pdf). Bad input exits 2 with a message
naming the file.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from dataclasses import dataclass

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the back-end is chosen first)

FORMATS = (".png", ".svg", ".pdf")
DESIGNS = ("tpu-only", "tpu-imac")
UNIT_COLOURS = {"tpu": "tab:blue", "imac": "tab:orange"}
OUTPUT_HELP = "picture to write (.png, .svg, .pdf)"


class PlotError(Exception):
    """Input that cannot be drawn: the message names the file and the entry."""


@dataclass(frozen=True)
class DesignLayers:
    names: list[str]
    units: list[str]
    latency_s: list[float]


@dataclass(frozen=True)
class VariationPoint:
    model: str
    spread_percent: float
    draw_accuracies: list[float]
    tpu_only_accuracy: float


def _open_cosim(path: str) -> h5py.File:
    try:
        f = h5py.File(path, "r")
    except OSError as error:
        raise PlotError(f"{path}: cannot be read as HDF5 ({error})") from error
    if _text(f.attrs.get("format", "")) != "imcosim-cosim":
        f.close()
        raise PlotError(
            f"{path}: not a co-simulation result (attribute 'format' is not imcosim-cosim)")
    return f


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _entry(f: h5py.File, path: str, name: str):
    if name not in f:
        raise PlotError(f"{path}: entry '{name}' is missing")
    return f[name]


def read_design_layers(path: str) -> dict[str, DesignLayers]:
    """Per-layer latency of both designs from /designs/<design>/layers."""
    with _open_cosim(path) as f:
        designs = {}
        for design in DESIGNS:
            name = f"designs/{design}/layers"
            layers = _entry(f, path, name)
            columns = _text(layers.attrs.get("columns", "")).split(",")
            names = _text(layers.attrs.get("layer_names", "")).split(",")
            units = _text(layers.attrs.get("layer_units", "")).split(",")
            if "latency_s" not in columns or layers.ndim != 2 or len(names) != layers.shape[0]:
                raise PlotError(f"{path}: entry '{name}' has no latency_s column for every layer")
            if len(units) != len(names):
                raise PlotError(
                    f"{path}: entry '{name}' names {len(units)} units for {len(names)} layers")
            latency = [float(v) for v in layers[:, columns.index("latency_s")]]
            designs[design] = DesignLayers(names, units, latency)
        return designs


def _configuration(f: h5py.File) -> dict[str, str]:
    settings = {}
    for line in _text(f.attrs.get("configuration", "")).splitlines():
        key, _, value = line.partition("=")
        settings[key.strip()] = value.strip()
    return settings


def read_variation_point(path: str) -> VariationPoint:
    """One run of a variation sweep: its spread, its device draws' accuracies, its TPU-only int8."""
    with _open_cosim(path) as f:
        settings = _configuration(f)
        distribution = settings.get("device.d2d_distribution", "none")
        spread = (0.0 if distribution == "none" else
                  float(settings.get("device.d2d_spread_percent", "0")))
        accuracy = _entry(f, path, "accuracy")
        draws = sorted(k for k in accuracy if k.startswith("tpu-imac_device_draw_"))
        figures = [float(accuracy[k].attrs["accuracy"]) for k in draws]
        if not figures:
            # A run without draws is the spread-free point: its devices are the nominal ones.
            figures = [float(_entry(f, path, "accuracy/tpu-imac_geometry_wires").attrs["accuracy"])]
        tpu_only = float(_entry(f, path, "accuracy/tpu-only_int8").attrs["accuracy"])
        return VariationPoint(_text(f.attrs.get("model", "model")), spread, figures, tpu_only)


def _check_output(path: str) -> None:
    if os.path.splitext(path)[1].lower() not in FORMATS:
        raise PlotError(f"{path}: the output must end in one of {', '.join(FORMATS)}")


def plot_layers(path: str, output: str) -> plt.Figure:
    """Bars of every layer's latency (µs), both designs side by side, shared axis."""
    designs = read_design_layers(path)
    figure, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, design in zip(axes, DESIGNS):
        layers = designs[design]
        heights = [0.0 if math.isnan(t) else t * 1e6 for t in layers.latency_s]
        colours = [UNIT_COLOURS.get(unit, "tab:gray") for unit in layers.units]
        bars = ax.bar(layers.names, heights, color=colours)
        for bar, latency in zip(bars, layers.latency_s):
            if math.isnan(latency):
                ax.annotate("not measured", (bar.get_x() + bar.get_width() / 2, 0), ha="center",
                            va="bottom", rotation=90, fontsize=8)
        known = sum(t for t in layers.latency_s if not math.isnan(t))
        unmeasured = any(math.isnan(t) for t in layers.latency_s)
        ax.set_title(f"{design}: {known * 1e6:.2f} µs" + (" + unmeasured" if unmeasured else ""))
        ax.set_xlabel("layer")
        ax.tick_params(axis="x", rotation=45)
    axes[0].set_ylabel("latency per inference (µs)")
    run = os.path.basename(os.path.dirname(os.path.abspath(path)))
    figure.suptitle(f"Per-layer latency, {run}/{os.path.basename(path)}")
    figure.tight_layout()
    _check_output(output)
    figure.savefig(output, dpi=120)
    return figure


def plot_variation(paths: list[str], output: str) -> plt.Figure:
    """Accuracy of the device draws against the device-to-device spread, one line per model."""
    points: dict[str, list[VariationPoint]] = {}
    for path in paths:
        point = read_variation_point(path)
        points.setdefault(point.model, []).append(point)
    figure, ax = plt.subplots(figsize=(6, 4))
    for index, (model, runs) in enumerate(sorted(points.items())):
        runs.sort(key=lambda p: p.spread_percent)
        colour = f"C{index}"
        spreads = [p.spread_percent for p in runs]
        means = [100 * sum(p.draw_accuracies) / len(p.draw_accuracies) for p in runs]
        ax.plot(spreads, means, "o-", color=colour, label=f"{model} TPU-IMAC")
        for p in runs:
            ax.plot([p.spread_percent] * len(p.draw_accuracies),
                    [100 * a for a in p.draw_accuracies], ".", color=colour, alpha=0.4)
        tpu_only = 100 * sum(p.tpu_only_accuracy for p in runs) / len(runs)
        ax.axhline(tpu_only, color=colour, linestyle="--", label=f"{model} TPU-only int8")
    ax.set_xlabel("device-to-device spread (%)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(f"Accuracy against device variation ({len(paths)} runs)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    figure.tight_layout()
    _check_output(output)
    figure.savefig(output, dpi=120)
    return figure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m imcosim.plot",
                                     description=__doc__.split("\n\n")[0])
    kinds = parser.add_subparsers(dest="kind", required=True)
    layers = kinds.add_parser("layers", help="per-layer latency of both designs of one run")
    layers.add_argument("cosim", help="a co-simulation's cosim.h5")
    layers.add_argument("-o", "--output", required=True, help=OUTPUT_HELP)
    variation = kinds.add_parser("variation", help="accuracy against device-to-device spread")
    variation.add_argument("cosim", nargs="+", help="the runs' cosim.h5 files")
    variation.add_argument("-o", "--output", required=True, help=OUTPUT_HELP)
    arguments = parser.parse_args(argv)
    try:
        _check_output(arguments.output)
        if arguments.kind == "layers":
            plot_layers(arguments.cosim, arguments.output)
        else:
            plot_variation(arguments.cosim, arguments.output)
    except PlotError as error:
        print(f"imcosim plot: error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
