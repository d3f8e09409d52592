"""The systolic-array TPU model (docs/tpu.md) from Python: the cycles of a SCALE-Sim topology on
the array of a SCALE-Sim config, as ``imcosim tpu`` reports them, and int8 layers executed
bit-exactly with their timing."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any, Optional, Union

import numpy as np
import numpy.typing as npt

from imcosim import _arrays, _core
from imcosim._core import InputError, Requantisation

DATAFLOWS = ("os", "ws", "is")


@dataclass(frozen=True)
class LayerTiming:
    """One layer's stall-free timing on the array (SCALE-Sim v2's COMPUTE_REPORT figures)."""

    spatial_rows: int  #: Sr: GEMM dimension along the array's rows
    spatial_cols: int  #: Sc: along its columns
    temporal: int  #: T: streamed over time
    row_folds: int
    col_folds: int
    cycles_per_fold: int
    busy_cycles: int  #: cycles during which the array is busy
    total_cycles: int  #: SCALE-Sim's "Total Cycles": busy_cycles - 1
    stall_cycles: int
    mac_operations: int
    overall_util_percent: float
    mapping_efficiency_percent: float
    compute_util_percent: float
    ifmap_sram_reads: int
    filter_sram_reads: int
    ofmap_sram_writes: int


@dataclass(frozen=True)
class TpuLayer(LayerTiming):
    """A topology layer's timing with its name and its DRAM traffic (imcosim's TPU_REPORT)."""

    name: str
    ifmap_dram_reads: int
    filter_dram_reads: int
    ofmap_dram_writes: int


@dataclass(frozen=True)
class TpuRun:
    """Every layer of a topology on one array, and the CLI's two reports as text."""

    topology: str
    array_rows: int
    array_cols: int
    dataflow: str  #: os, ws or is
    layers: list[TpuLayer]
    compute_report: str  #: COMPUTE_REPORT.csv as ``imcosim tpu`` writes it
    tpu_report: str  #: TPU_REPORT.csv as ``imcosim tpu`` writes it

    @property
    def total_cycles(self) -> int:
        """The sum of every layer's Total Cycles (what ``imcosim tpu`` prints)."""
        return sum(layer.total_cycles for layer in self.layers)


@dataclass(frozen=True)
class ConvResult:
    accumulators: np.ndarray  #: (H_out, W_out, filters) int32: the array's sums, before the bias
    #: (H_out, W_out, filters) int8: bias added and requantised, the next layer's input
    activations: np.ndarray
    timing: LayerTiming


def _timing(figures: dict[str, Any], cls: type = LayerTiming) -> Any:
    return cls(**{field.name: figures[field.name] for field in fields(cls)})


def run_tpu(config: Union[str, os.PathLike], topology: Union[str, os.PathLike], *,
            gemm: bool = False, clock_mhz: float = 500.0) -> TpuRun:
    """Times every layer of the SCALE-Sim v2 topology CSV ``topology`` on the array of the
    SCALE-Sim v2 config ``config``. The topology is read as GEMM ``name, M, N, K`` rows when its
    header names those columns or ``gemm`` is true, as convolution rows otherwise."""
    run = _core.simulate_topology(_arrays.path("config", config),
                                  _arrays.path("topology", topology), bool(gemm),
                                  _arrays.positive_real("clock_mhz", clock_mhz))
    return TpuRun(topology=run["topology"], array_rows=run["array_rows"],
                  array_cols=run["array_cols"], dataflow=run["dataflow"],
                  layers=[_timing(layer, TpuLayer) for layer in run["layers"]],
                  compute_report=run["compute_report"], tpu_report=run["tpu_report"])


def _array(array: tuple[int, int], dataflow: str) -> tuple[int, int, str]:
    if not isinstance(array, tuple) or len(array) != 2:
        raise InputError(f"array: expected (rows, cols) of processing elements, not {array!r}")
    return (_arrays.positive_int("array[0]", array[0]), _arrays.positive_int("array[1]", array[1]),
            _arrays.choice("dataflow", dataflow, DATAFLOWS))


def gemm_int8(a: npt.ArrayLike, b: npt.ArrayLike, *, array: tuple[int, int] = (32, 32),
              dataflow: str = "os") -> tuple[np.ndarray, LayerTiming]:
    """C = A B for int8 ``a`` (M, K) and ``b`` (K, N) with int32 accumulation, bit-identical to
    the array, and the GEMM's timing on an ``array`` of (rows, cols) PEs running ``dataflow``."""
    a_matrix = _arrays.integer_array("a", a, ("M", "K"), "M rows of K int8 values")
    k = a_matrix.shape[1]
    b_matrix = _arrays.integer_array("b", b, (k, "N"), f"K = {k} rows (a's columns) by N columns")
    product, timing = _core.gemm_int8(a_matrix, np.ascontiguousarray(b_matrix.T),
                                      *_array(array, dataflow))
    return product, _timing(timing)


def _pair(name: str, value: Union[int, tuple[int, int]], minimum: int) -> tuple[int, int]:
    pair = value if isinstance(value, tuple) else (value, value)
    if len(pair) != 2:
        raise InputError(f"{name}: expected an integer or (height, width), not {value!r}")
    return (_arrays.positive_int(f"{name}[0]", pair[0], minimum),
            _arrays.positive_int(f"{name}[1]", pair[1], minimum))


def conv2d_int8(input_hwc: npt.ArrayLike, filters: npt.ArrayLike, *,
                stride: Union[int, tuple[int, int]] = 1,
                padding: Union[int, tuple[int, int]] = 0, groups: int = 1,
                bias: Optional[npt.ArrayLike] = None,
                requantisation: Optional[Requantisation] = None,
                array: tuple[int, int] = (32, 32), dataflow: str = "os",
                cycle_level: bool = False) -> ConvResult:
    """One int8 convolution as the TPU model runs it: ``input_hwc`` (H, W, C), ``filters``
    (F, FH, FW, C / groups), an optional int32 ``bias`` (F,), then ``requantisation`` (default:
    none, accumulators clamped to int8). ``cycle_level`` moves the operands through the PEs
    register by register instead of the fast GEMM (same bits, far slower)."""
    image = _arrays.integer_array("input_hwc", input_hwc, ("H", "W", "C"),
                               "height, width, channels")
    groups = _arrays.positive_int("groups", groups)
    channels = image.shape[2]
    if channels % groups != 0:
        raise InputError(f"groups: {groups} does not divide the input's {channels} channels")
    bank = _arrays.integer_array("filters", filters, ("F", "FH", "FW", channels // groups),
                              "filters, height, width, input channels per group")
    bias_array = None
    if bias is not None:
        bias_array = _arrays.integer_array("bias", bias, (bank.shape[0],), "one per filter",
                                            np.int32)
    if requantisation is None:
        requantisation = Requantisation(multiplier=1, right_shift=0, zero_point=0,
                                        clamp_low=-128, clamp_high=127)
    elif not isinstance(requantisation, Requantisation):
        raise InputError(f"requantisation: expected imcosim.Requantisation, not "
                         f"{requantisation!r}")
    accumulators, activations, timing = _core.conv2d_int8(
        image, bank, _pair("stride", stride, 1), _pair("padding", padding, 0), groups,
        bias_array, requantisation, *_array(array, dataflow), bool(cycle_level))
    return ConvResult(accumulators, activations, _timing(timing))
