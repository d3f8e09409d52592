"""Pictures of imcosim's result files (docs/plots.md).

    imcosim plot KIND INPUT... -o PICTURE     (or: python3 -m imcosim.plot KIND ...)

Kinds: ``ir-drop`` (a tile's node-voltage maps from ``imcosim solve --node-voltages``),
``montecarlo`` (errors and outputs of a dataset from ``imcosim dataset``), ``tpu`` (per-layer
cycles and utilisation from ``imcosim tpu -o OUTDIR``), ``layers`` and ``breakdown`` (latency and
energy of TPU-only and TPU-IMAC from a co-simulation's cosim.h5), ``variation`` (accuracy against
device variation over several cosim.h5) and ``waveforms`` (ngspice transients from
``imcosim imac spice --waveforms``). The format follows the output's suffix (.png, .svg, .pdf).
Bad input exits 2 with a message naming the file and the entry.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import sys
from dataclasses import dataclass

import h5py
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the back-end is chosen first)

FORMATS = (".png", ".svg", ".pdf")
DESIGNS = ("tpu-only", "tpu-imac")
UNIT_COLOURS = {"tpu": "tab:blue", "imac": "tab:orange"}
OUTPUT_HELP = "picture to write (.png, .svg, .pdf)"
# The parts of a design's latency and energy in the breakdown, bottom to top.
PARTS = ("TPU conv", "TPU FC", "DAC", "IMAC", "ADC")
PART_COLOURS = dict(zip(PARTS, ("tab:blue", "tab:cyan", "tab:green", "tab:orange", "tab:red")))


class PlotError(Exception):
    """Input that cannot be drawn: the message names the file and the entry."""


class UsageError(PlotError):
    """A malformed command line (argparse's complaint, with the program's name)."""


# --- readers: each checks its file and raises PlotError naming the file and the entry ---------


@dataclass(frozen=True)
class DesignLayers:
    names: list[str]
    units: list[str]
    latency_s: list[float]
    energy_j: list[float]


@dataclass(frozen=True)
class VariationPoint:
    model: str
    spread_percent: float
    draw_accuracies: list[float]
    tpu_only_accuracy: float


@dataclass(frozen=True)
class NodeVoltageMap:
    name: str                  # "sample_<k>", "worst", "mean", or "sample_<k>" of the old layout
    row_drop_volt: np.ndarray  # [M][N]: driver voltage minus row-node voltage
    column_volt: np.ndarray    # [M][N]: column-node voltage, its drop from the virtual ground


@dataclass(frozen=True)
class MonteCarloDataset:
    subject: str                       # "tile" (currents) or "network" (voltages)
    errors: dict[str, np.ndarray]      # back-end: per input vector, error against nominal
    outputs: dict[str, np.ndarray]     # back-end (nominal included): every output value


@dataclass(frozen=True)
class TpuLayers:
    names: list[str]
    cycles: list[int]
    time_us: list[float]
    utilisation_percent: dict[str, list[float]]  # SCALE-Sim's three figures per layer


@dataclass(frozen=True)
class SampleWaveforms:
    sample: int
    time_s: np.ndarray        # [T]
    inputs_volt: np.ndarray   # [T][n_in]
    outputs_volt: np.ndarray  # [T][n_out]


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _open_hdf5(path: str) -> h5py.File:
    try:
        return h5py.File(path, "r")
    except OSError as error:
        raise PlotError(f"{path}: cannot be read as HDF5 ({error})") from error


def _open_cosim(path: str) -> h5py.File:
    f = _open_hdf5(path)
    if _text(f.attrs.get("format", "")) != "imcosim-cosim":
        f.close()
        raise PlotError(
            f"{path}: not a co-simulation result (attribute 'format' is not imcosim-cosim)")
    return f


def _entry(f: h5py.File, path: str, name: str):
    if name not in f:
        raise PlotError(f"{path}: entry '{name}' is missing")
    return f[name]


def _matrix(f: h5py.File, path: str, name: str, columns: int | None = None) -> np.ndarray:
    """A rank-2 numeric dataset (with `columns` columns when given)."""
    entry = _entry(f, path, name)
    if (not isinstance(entry, h5py.Dataset) or entry.ndim != 2 or entry.dtype.kind not in "fiu"
            or (columns is not None and entry.shape[1] != columns)):
        expected = f"[rows][{columns}]" if columns is not None else "[rows][columns]"
        raise PlotError(f"{path}: entry '{name}' is not a numeric dataset {expected}")
    return entry[...].astype(float)


def read_design_layers(path: str) -> dict[str, DesignLayers]:
    """Per-layer latency and energy of both designs from /designs/<design>/layers."""
    with _open_cosim(path) as f:
        designs = {}
        for design in DESIGNS:
            name = f"designs/{design}/layers"
            layers = _entry(f, path, name)
            columns = _text(layers.attrs.get("columns", "")).split(",")
            names = _text(layers.attrs.get("layer_names", "")).split(",")
            units = _text(layers.attrs.get("layer_units", "")).split(",")
            if ("latency_s" not in columns or "energy_j" not in columns or layers.ndim != 2
                    or len(names) != layers.shape[0]):
                raise PlotError(
                    f"{path}: entry '{name}' has no latency_s and energy_j columns for every layer")
            if len(units) != len(names):
                raise PlotError(
                    f"{path}: entry '{name}' names {len(units)} units for {len(names)} layers")
            latency = [float(v) for v in layers[:, columns.index("latency_s")]]
            energy = [float(v) for v in layers[:, columns.index("energy_j")]]
            designs[design] = DesignLayers(names, units, latency, energy)
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


def _problem_inputs(result_path: str, f: h5py.File, problem: str | None) -> tuple[str, np.ndarray]:
    """The input vectors [K][M] of the problem a crossbar result was solved from: `problem`, or
    the result's attribute problem_file (as written, else beside the result)."""
    if problem is None:
        if "problem_file" not in f.attrs:
            raise PlotError(f"{result_path}: attribute 'problem_file' is missing; give --problem")
        named = _text(f.attrs["problem_file"])
        beside = os.path.join(os.path.dirname(result_path), named)
        problem = named if os.path.exists(named) or os.path.isabs(named) else beside
        if not os.path.exists(problem):
            raise PlotError(f"{result_path}: attribute 'problem_file' names {named}, which is "
                            "not found (nor beside the result); give --problem")
    with _open_hdf5(problem) as p:
        return problem, _matrix(p, problem, "inputs")


def read_node_voltage_maps(path: str, problem: str | None = None) -> list[NodeVoltageMap]:
    """Every node-voltage map of a crossbar result as IR drops: the single-vector layout
    (/row_node_voltages, /column_node_voltages, attribute node_voltage_sample) or the group
    /node_voltages/<map>/{row,column} (docs/file-formats.md)."""
    with _open_hdf5(path) as f:
        if "row_node_voltages" in f:
            if "node_voltage_sample" not in f.attrs:
                raise PlotError(f"{path}: attribute 'node_voltage_sample' is missing beside "
                                "entry 'row_node_voltages'")
            sample = int(f.attrs["node_voltage_sample"])
            layout = [(f"sample_{sample}", "row_node_voltages", "column_node_voltages", sample)]
        elif "node_voltages" in f and isinstance(f["node_voltages"], h5py.Group):
            layout = []
            for name in sorted(f["node_voltages"], key=_map_order):
                group = f[f"node_voltages/{name}"]
                sample = int(group.attrs["sample"]) if "sample" in group.attrs else None
                if name != "mean" and sample is None:
                    raise PlotError(f"{path}: entry 'node_voltages/{name}' has no attribute "
                                    "'sample'")
                layout.append((name, f"node_voltages/{name}/row", f"node_voltages/{name}/column",
                               sample))
        else:
            raise PlotError(f"{path}: entry 'node_voltages' (or 'row_node_voltages') is missing; "
                            "write the maps with imcosim solve --node-voltages")
        if not layout:
            raise PlotError(f"{path}: entry 'node_voltages' holds no map")
        problem_path, inputs = _problem_inputs(path, f, problem)
        first = int(f.attrs.get("first_sample", 0))
        # The mean map averages the vectors the result holds: one per row of /currents.
        solved = f["currents"].shape[0] if "currents" in f else inputs.shape[0] - first
        maps = []
        for name, row_name, column_name, sample in layout:
            row = _matrix(f, path, row_name)
            column = _matrix(f, path, column_name, row.shape[1])
            if row.shape != column.shape or row.shape[0] != inputs.shape[1]:
                raise PlotError(f"{path}: entries '{row_name}' {row.shape} and '{column_name}' "
                                f"{column.shape} are not both [M][N] with M = {inputs.shape[1]}, "
                                f"the rows of {problem_path}")
            if sample is None:
                drivers = inputs[first:first + solved].mean(axis=0)
            elif 0 <= first + sample < inputs.shape[0]:
                drivers = inputs[first + sample]
            else:
                raise PlotError(f"{path}: map '{name}' is of input vector {sample}, which "
                                f"{problem_path} (entry 'inputs', {inputs.shape[0]} vectors) "
                                "does not hold")
            maps.append(NodeVoltageMap(name, drivers[:, None] - row, column))
        return maps


def _map_order(name: str):
    """sample_<k> in numeric order, then worst, then mean."""
    match = re.fullmatch(r"sample_(\d+)", name)
    if match:
        return (0, int(match.group(1)), "")
    return {"worst": (1, 0, ""), "mean": (2, 0, "")}.get(name, (3, 0, name))


def read_montecarlo(path: str) -> MonteCarloDataset:
    """Per-vector errors against the nominal circuit and every output value, per back-end, of a
    campaign dataset (docs/dataset.md). A tile's error is max |I - I_nominal| / max |I_nominal|
    over each vector's outputs, a network's max |V - V_nominal|, as imcosim montecarlo states
    them."""
    with _open_hdf5(path) as f:
        if not _text(f.attrs.get("schema", "")).startswith("imcosim-campaign-dataset/"):
            raise PlotError(f"{path}: not a campaign dataset (attribute 'schema' is not "
                            "imcosim-campaign-dataset/...)")
        subject = _text(f.attrs.get("subject", "tile"))
        if subject not in ("tile", "network"):
            raise PlotError(f"{path}: attribute 'subject' is {subject}, not tile or network")
        try:
            vectors = int(f.attrs["vectors_per_sample"])
            completed = int(f.attrs["completed_samples"])
            first = int(f.attrs.get("first_sample", 0))
        except KeyError as error:
            raise PlotError(f"{path}: attribute {error} is missing") from error
        if completed < 1 or vectors < 1:
            raise PlotError(f"{path}: attribute 'completed_samples' is {completed}: no samples")
        rows = completed * vectors
        nominal = _matrix(f, path, "outputs/nominal")
        if nominal.shape[0] < rows:
            raise PlotError(f"{path}: entry 'outputs/nominal' has {nominal.shape[0]} rows for "
                            f"{completed} samples of {vectors} vectors")
        nominal = nominal[:rows]
        columns = nominal.shape[1]
        results = {name: _matrix(f, path, f"outputs/{name}", columns)[:rows]
                   for name in _text(f.attrs.get("outputs", "nominal")).split()
                   if name != "nominal"}
        reference = {name: nominal for name in results}
        if "outputs/ngspice" in f:
            samples = _matrix(f, path, "outputs/ngspice_sample", 1)[:, 0].astype(int) - first
            spice = _matrix(f, path, "outputs/ngspice", columns)
            if spice.shape[0] < samples.size * vectors or np.any(
                    (samples < 0) | (samples >= completed)):
                raise PlotError(f"{path}: entry 'outputs/ngspice_sample' names samples that "
                                "'outputs/ngspice' or 'outputs/nominal' do not hold")
            picked = (samples[:, None] * vectors + np.arange(vectors)).ravel()
            results["ngspice"] = spice[:picked.size]
            reference["ngspice"] = nominal[picked]
    errors = {}
    for name, values in results.items():
        deviation = np.abs(values - reference[name]).max(axis=1)
        if subject == "tile":
            deviation = deviation / np.abs(reference[name]).max(axis=1)
        errors[name] = deviation[np.isfinite(deviation)]
    outputs = {"nominal": nominal.ravel()}
    outputs.update({name: values[np.isfinite(values)].ravel() for name, values in results.items()})
    return MonteCarloDataset(subject, errors, outputs)


def _report_rows(path: str) -> list[dict[str, str]]:
    """The rows of a report CSV, its '#' comment lines skipped and its header's spaces trimmed."""
    try:
        with open(path, newline="", encoding="utf-8") as report:
            lines = [line for line in report if line.strip() and not line.startswith("#")]
    except OSError as error:
        raise PlotError(f"{path}: cannot be read ({error.strerror})") from error
    rows = list(csv.reader(lines, skipinitialspace=True))
    if not rows:
        raise PlotError(f"{path}: holds no header")
    header = [name.strip() for name in rows[0]]
    return [dict(zip(header, (value.strip() for value in row))) for row in rows[1:]]


def _column(path: str, rows: list[dict[str, str]], name: str, kind=float) -> list:
    values = []
    for number, row in enumerate(rows, start=2):
        try:
            values.append(kind(row[name]))
        except KeyError as error:
            raise PlotError(f"{path}: column '{name}' is missing") from error
        except ValueError as error:
            raise PlotError(f"{path}: column '{name}' of data row {number - 1} is not a number "
                            f"({row[name]!r})") from error
    return values


def read_tpu_reports(directory: str) -> TpuLayers:
    """Per-layer figures of `imcosim tpu -o DIRECTORY`: its COMPUTE_REPORT.csv (SCALE-Sim's
    cycles and utilisation) and TPU_REPORT.csv (layer names, time at the clock)."""
    compute_path = os.path.join(directory, "COMPUTE_REPORT.csv")
    tpu_path = os.path.join(directory, "TPU_REPORT.csv")
    compute = _report_rows(compute_path)
    tpu = _report_rows(tpu_path)
    if not compute:
        raise PlotError(f"{compute_path}: holds no layer")
    if len(tpu) != len(compute):
        raise PlotError(f"{tpu_path}: holds {len(tpu)} layers, {compute_path} {len(compute)}")
    utilisation = {name: _column(compute_path, compute, name)
                   for name in ("Overall Util %", "Mapping Efficiency %", "Compute Util %")}
    names = [row.get("Layer name") or f"layer {k}" for k, row in enumerate(tpu)]
    return TpuLayers(names, _column(compute_path, compute, "Total Cycles", int),
                     _column(tpu_path, tpu, "Time (us)"), utilisation)


def read_waveforms(path: str) -> tuple[list[SampleWaveforms], float | None]:
    """Every sample's transient of `imcosim imac spice --waveforms` (/waveforms/sample_<k>), in
    sample order, and the window length t_sampling (s) when the file records it."""
    with _open_hdf5(path) as f:
        group = _entry(f, path, "waveforms")
        if not isinstance(group, h5py.Group):
            raise PlotError(f"{path}: entry 'waveforms' is not a group")
        samples = []
        for name in group:
            match = re.fullmatch(r"sample_(\d+)", name)
            if not match:
                raise PlotError(f"{path}: entry 'waveforms/{name}' is not sample_<k>")
            entry = f"waveforms/{name}"
            time = _entry(f, path, f"{entry}/time_s")
            if not isinstance(time, h5py.Dataset) or time.ndim != 1:
                raise PlotError(f"{path}: entry '{entry}/time_s' is not a dataset [T]")
            inputs = _matrix(f, path, f"{entry}/inputs_volt")
            outputs = _matrix(f, path, f"{entry}/outputs_volt")
            if inputs.shape[0] != time.shape[0] or outputs.shape[0] != time.shape[0]:
                raise PlotError(f"{path}: entries '{entry}/inputs_volt' and 'outputs_volt' do "
                                f"not have one row per time point ({time.shape[0]})")
            samples.append(SampleWaveforms(int(match.group(1)), time[...].astype(float),
                                           inputs, outputs))
        if not samples:
            raise PlotError(f"{path}: entry 'waveforms' holds no sample")
        window = float(f.attrs["t_sampling"]) if "t_sampling" in f.attrs else None
        return sorted(samples, key=lambda s: s.sample), window


# --- pictures ---------------------------------------------------------------------------------


def _file_label(path: str) -> str:
    """The input as titles name it: its directory's name and its own (runs share file names)."""
    absolute = os.path.abspath(path)
    return f"{os.path.basename(os.path.dirname(absolute))}/{os.path.basename(absolute)}"


def _check_output(path: str) -> None:
    if os.path.splitext(path)[1].lower() not in FORMATS:
        raise PlotError(f"{path}: the output must end in one of {', '.join(FORMATS)}")


def _save(figure: plt.Figure, output: str) -> plt.Figure:
    """Writes the picture whole or not at all: drawn into a temporary beside it, then renamed."""
    _check_output(output)
    figure.tight_layout()
    temporary = f"{output}.tmp-{os.getpid()}"
    try:
        figure.savefig(temporary, dpi=120, format=os.path.splitext(output)[1][1:].lower())
        os.replace(temporary, output)
    except OSError as error:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise PlotError(f"{output}: cannot be written ({error.strerror})") from error
    return figure


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
    figure.suptitle(f"Per-layer latency, {_file_label(path)}")
    return _save(figure, output)


def _part(design: DesignLayers, layer: int) -> str:
    """The part of the breakdown a layer belongs to: the TPU's convolutions or FC layers, or
    the TPU-IMAC design's converters and analog network."""
    unit = design.units[layer]
    if unit == "tpu":
        return "TPU FC" if design.names[layer].startswith("FC") else "TPU conv"
    return {"dac": "DAC", "imac": "IMAC", "adc": "ADC"}.get(unit, unit.upper())


def plot_breakdown(path: str, output: str) -> plt.Figure:
    """Latency (µs) and energy (µJ) per inference of both designs, stacked by part; a part
    that was not measured (the IMAC latency without a transient) is drawn as 0 and named."""
    designs = read_design_layers(path)
    figure, axes = plt.subplots(1, 2, figsize=(9, 4.5))
    for ax, (figure_name, unit, scale) in zip(
            axes, (("latency_s", "µs", 1e6), ("energy_j", "µJ", 1e6))):
        drawn = set()
        for position, design in enumerate(DESIGNS):
            layers = designs[design]
            sums = dict.fromkeys(PARTS, 0.0)
            present = set()
            unmeasured = []
            for layer, value in enumerate(getattr(layers, figure_name)):
                part = _part(layers, layer)
                present.add(part)
                if math.isnan(value):
                    unmeasured.append(part)
                    continue
                sums[part] = sums.get(part, 0.0) + value * scale
            bottom = 0.0
            for part, height in sums.items():
                if height == 0.0:
                    continue
                ax.bar(position, height, bottom=bottom, width=0.6,
                       color=PART_COLOURS.get(part, "tab:gray"),
                       label=None if part in drawn else part)
                drawn.add(part)
                bottom += height
            note = f"{bottom:.3g} {unit}"
            # Parts too thin to see (the converters, the IMAC network beside a TPU's µs) are
            # named with their figure instead.
            for part, height in sums.items():
                if part in present and part not in unmeasured and height < 0.02 * bottom:
                    note += f"\n{part} {height:.3g} {unit}"
            if unmeasured:
                note += "\n+ " + ", ".join(sorted(set(unmeasured))) + " not measured"
            ax.annotate(note, (position, bottom), ha="center", va="bottom", fontsize=8)
        ax.set_xticks(range(len(DESIGNS)), ["TPU-only", "TPU-IMAC"])
        ax.set_ylabel(f"{'latency' if figure_name == 'latency_s' else 'energy'} per inference "
                      f"({unit})")
        ax.set_ylim(top=ax.get_ylim()[1] * 1.2)
        ax.legend(fontsize=8)
    axes[0].set_title("latency")
    axes[1].set_title("energy")
    figure.suptitle(f"TPU-only against TPU-IMAC, {_file_label(path)}")
    return _save(figure, output)


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
    names = ", ".join(_file_label(p) for p in paths[:2]) + (", ..." if len(paths) > 2 else "")
    ax.set_title(f"Accuracy against device variation ({len(paths)} runs: {names})", fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(figure, output)


def plot_ir_drop(path: str, output: str, problem: str | None = None) -> plt.Figure:
    """One row per node-voltage map: the row wires' drop from their drivers and the column
    wires' rise above the virtual ground, both in mV over the tile (row i down, column j
    across)."""
    maps = read_node_voltage_maps(path, problem)
    figure, axes = plt.subplots(len(maps), 2, figsize=(9, 3.4 * len(maps)), squeeze=False)
    for (row_ax, column_ax), node_map in zip(axes, maps):
        for ax, values, wires, what in (
                (row_ax, node_map.row_drop_volt, "row", "row-node drop V_in − V_row"),
                (column_ax, node_map.column_volt, "column", "column-node voltage V_col")):
            # Both figures are signed (a negative input drops the other way): a diverging map,
            # white at 0 mV, the wires' ideal.
            limit = float(np.abs(values).max() * 1e3) or 1.0
            image = ax.imshow(values * 1e3, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto",
                              interpolation="nearest")
            figure.colorbar(image, ax=ax, label=f"{what} (mV)")
            ax.set_title(f"{node_map.name}: {wires} wires", fontsize=10)
            ax.set_xlabel("column j (bit line)")
            ax.set_ylabel("row i (word line)")
    figure.suptitle(f"IR drop, {_file_label(path)}")
    return _save(figure, output)


def plot_montecarlo(path: str, output: str) -> plt.Figure:
    """Histograms of each back-end's per-vector error against the nominal circuit and of the
    output values of every back-end (the nominal circuit included)."""
    dataset = read_montecarlo(path)
    tile = dataset.subject == "tile"
    error_scale, error_unit = (100.0, "%") if tile else (1e3, "mV")
    output_scale, output_unit = (1e6, "µA") if tile else (1.0, "V")
    figure, (error_ax, output_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for index, (name, errors) in enumerate(dataset.errors.items()):
        error_ax.hist(errors * error_scale, bins=30, histtype="stepfilled", alpha=0.5,
                      color=f"C{index + 1}", label=f"{name} ({errors.size} vectors)")
    error_ax.set_xlabel("error against nominal, max over outputs " +
                        ("|I − I_nom| / max |I_nom| (%)" if tile else "|V − V_nom| (mV)"))
    error_ax.set_ylabel("input vectors")
    error_ax.set_title(f"per-vector error ({error_unit})")
    for index, (name, values) in enumerate(dataset.outputs.items()):
        output_ax.hist(values * output_scale, bins=40, histtype="stepfilled", alpha=0.4,
                       color=f"C{index}", label=name)
    output_ax.set_xlabel(f"output {'current' if tile else 'voltage'} ({output_unit})")
    output_ax.set_ylabel("outputs")
    output_ax.set_title("output values")
    for ax in (error_ax, output_ax):
        ax.legend(fontsize=8)
    figure.suptitle(f"Monte Carlo of a {dataset.subject}, {_file_label(path)}")
    return _save(figure, output)


def plot_tpu(directory: str, output: str) -> plt.Figure:
    """Every layer's cycles (with its time at the report's clock) and SCALE-Sim's three
    utilisation figures."""
    if os.path.isfile(directory):
        directory = os.path.dirname(directory) or "."
    layers = read_tpu_reports(directory)
    figure, (cycle_ax, use_ax) = plt.subplots(1, 2, figsize=(10, 4))
    positions = np.arange(len(layers.names))
    bars = cycle_ax.bar(positions, layers.cycles, color="tab:blue")
    for bar, time_us in zip(bars, layers.time_us):
        cycle_ax.annotate(f"{time_us:.3g} µs", (bar.get_x() + bar.get_width() / 2,
                                                 bar.get_height()),
                          ha="center", va="bottom", fontsize=7)
    cycle_ax.set_xticks(positions, layers.names, rotation=45)
    cycle_ax.set_xlabel("layer")
    cycle_ax.set_ylabel("total cycles (clock cycles)")
    cycle_ax.set_title(f"cycles, {sum(layers.cycles)} in all ({sum(layers.time_us):.3g} µs)")
    width = 0.8 / len(layers.utilisation_percent)
    for index, (name, values) in enumerate(layers.utilisation_percent.items()):
        use_ax.bar(positions + (index - 1) * width, values, width=width, label=name)
    use_ax.set_xticks(positions, layers.names, rotation=45)
    use_ax.set_xlabel("layer")
    use_ax.set_ylabel("utilisation (%)")
    use_ax.set_ylim(0, 110)
    use_ax.set_title("utilisation of the array")
    use_ax.legend(fontsize=8)
    figure.suptitle(f"TPU per layer, {_file_label(os.path.join(directory, 'COMPUTE_REPORT.csv'))}"
                    " and TPU_REPORT.csv")
    return _save(figure, output)


def plot_waveforms(path: str, output: str, samples: list[int] | None = None) -> plt.Figure:
    """Per sample, its inputs (top) and outputs (bottom) in V against time in ns, the idle
    window 0 shaded."""
    stored, window_s = read_waveforms(path)
    if samples is None:
        chosen = stored[:4]
    else:
        by_index = {s.sample: s for s in stored}
        missing = [k for k in samples if k not in by_index]
        if missing:
            raise PlotError(f"{path}: entry 'waveforms/sample_{missing[0]}' is missing (the file "
                            f"holds samples {', '.join(str(k) for k in by_index)})")
        chosen = [by_index[k] for k in samples]
    figure, axes = plt.subplots(2, len(chosen), figsize=(max(4.5 * len(chosen), 6.0), 6),
                                squeeze=False, sharex="col")
    for column, sample in enumerate(chosen):
        time_ns = sample.time_s * 1e9
        inputs_ax, outputs_ax = axes[0][column], axes[1][column]
        inputs_ax.plot(time_ns, sample.inputs_volt, linewidth=0.8)
        outputs_ax.plot(time_ns, sample.outputs_volt, linewidth=1.0,
                        label=[f"output {n}" for n in range(sample.outputs_volt.shape[1])])
        if sample.outputs_volt.shape[1] <= 10:
            outputs_ax.legend(fontsize=7)
        for ax in (inputs_ax, outputs_ax):
            if window_s is not None:
                ax.axvspan(0, window_s * 1e9, color="0.9", zorder=0)
            ax.grid(alpha=0.3)
        inputs_ax.set_title(f"sample {sample.sample}: {sample.inputs_volt.shape[1]} inputs")
        outputs_ax.set_title(f"sample {sample.sample}: {sample.outputs_volt.shape[1]} outputs")
        inputs_ax.set_ylabel("input voltage (V)")
        outputs_ax.set_ylabel("output voltage (V)")
        outputs_ax.set_xlabel("time (ns)")
    figure.suptitle(f"ngspice transients, {_file_label(path)}" +
                    ("\n(idle window 0 shaded)" if window_s is not None else ""), fontsize=11)
    return _save(figure, output)


# --- command line -----------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse whose complaints reach main() (for --json) instead of exiting at once."""

    def error(self, message):
        raise UsageError(f"{self.prog}: error: {message} (see '{self.prog} --help')")


class _Formatter(argparse.HelpFormatter):
    """Help that starts "Usage: imcosim plot", as every imcosim command's does."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "Usage: " if prefix is None else prefix)


def _sample_list(text: str) -> list[int]:
    try:
        samples = [int(part) for part in text.split(",")]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"'{text}' is not a list of sample indices") from error
    if any(k < 0 for k in samples):
        raise argparse.ArgumentTypeError(f"'{text}': sample indices are >= 0")
    return samples


def _add_output_convention(parser: argparse.ArgumentParser, default) -> None:
    """--quiet and --json as every imcosim command has them (docs/user-guide.md)."""
    parser.add_argument("-q", "--quiet", action="store_true", default=default,
                        help="print no summary ('wrote FILE'); only errors")
    parser.add_argument("--json", action="store_true", default=default,
                        help="print one JSON object (command, exit_code, error, result) on stdout")


def _parser(prog: str) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-o", "--output", required=True, help=OUTPUT_HELP)
    # Given after the kind they override the top-level ones, not given they leave them alone.
    _add_output_convention(common, argparse.SUPPRESS)
    parser = _Parser(prog=prog, description=__doc__.split("\n\n")[0], formatter_class=_Formatter,
                     epilog="Run '%(prog)s KIND --help' for a kind's inputs (docs/plots.md).")
    _add_output_convention(parser, False)
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")

    def kind(name: str, summary: str) -> argparse.ArgumentParser:
        return kinds.add_parser(name, parents=[common], help=summary, description=summary,
                                formatter_class=_Formatter)

    ir_drop = kind("ir-drop", "IR-drop maps of a tile (imcosim solve --node-voltages)")
    ir_drop.add_argument("result", help="crossbar result file with node-voltage maps")
    ir_drop.add_argument("--problem", help="its problem file (default: its problem_file "
                                           "attribute, as written or beside the result)")
    montecarlo = kind("montecarlo", "error and output histograms of a dataset (imcosim dataset)")
    montecarlo.add_argument("dataset", help="campaign dataset file")
    tpu = kind("tpu", "per-layer cycles and utilisation of a TPU run (imcosim tpu -o OUTDIR)")
    tpu.add_argument("reports", help="OUTDIR holding COMPUTE_REPORT.csv and TPU_REPORT.csv")
    layers = kind("layers", "per-layer latency of both designs of a co-simulation")
    layers.add_argument("cosim", help="a co-simulation's cosim.h5")
    breakdown = kind("breakdown", "latency and energy of TPU-only against TPU-IMAC by part")
    breakdown.add_argument("cosim", help="a co-simulation's cosim.h5")
    variation = kind("variation", "accuracy against device-to-device spread over several runs")
    variation.add_argument("cosim", nargs="+", help="the runs' cosim.h5 files")
    waveforms = kind("waveforms", "ngspice transients of an IMAC run (imac spice --waveforms)")
    waveforms.add_argument("result", help="imac spice result file written with --waveforms")
    waveforms.add_argument("--samples", type=_sample_list,
                           help="comma-separated sample indices (default: the first 4 stored)")
    return parser


def _draw(arguments: argparse.Namespace) -> None:
    _check_output(arguments.output)
    if arguments.kind == "ir-drop":
        plot_ir_drop(arguments.result, arguments.output, arguments.problem)
    elif arguments.kind == "montecarlo":
        plot_montecarlo(arguments.dataset, arguments.output)
    elif arguments.kind == "tpu":
        plot_tpu(arguments.reports, arguments.output)
    elif arguments.kind == "layers":
        plot_layers(arguments.cosim, arguments.output)
    elif arguments.kind == "breakdown":
        plot_breakdown(arguments.cosim, arguments.output)
    elif arguments.kind == "variation":
        plot_variation(arguments.cosim, arguments.output)
    else:
        plot_waveforms(arguments.result, arguments.output, arguments.samples)


def main(argv: list[str] | None = None) -> int:
    """Exit codes as imcosim's: 0 drawn, 2 bad usage or bad input. --json prints the object
    imcosim's commands print (docs/user-guide.md)."""
    argv = sys.argv[1:] if argv is None else argv
    prog = os.environ.get("IMCOSIM_PLOT_PROG", "python3 -m imcosim.plot")
    as_json = "--json" in argv  # before the command line is parsed, or when it cannot be
    arguments = None
    try:
        arguments = _parser(prog).parse_args(argv)
        as_json = arguments.json
        _draw(arguments)
    except PlotError as error:
        message = str(error) if isinstance(error, UsageError) else f"{prog}: error: {error}"
        print(message, file=sys.stderr)
        if as_json:
            print(json.dumps({"command": "plot", "exit_code": 2, "error": str(error),
                              "result": {}}))
        return 2
    finally:
        plt.close("all")
    if as_json:
        print(json.dumps({"command": f"plot {arguments.kind}", "exit_code": 0,
                          "result": {"kind": arguments.kind, "output": arguments.output}}))
    elif not arguments.quiet:
        print(f"wrote {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
