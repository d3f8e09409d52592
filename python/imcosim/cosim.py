"""The TPU-IMAC co-simulation (docs/cosim.md) from Python: a configuration run as ``imcosim
cosim`` runs it, its main figures returned, its files written when asked."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

from imcosim import _arrays, _core
from imcosim._core import InputError
from imcosim.imac import LINEAR_SOLVERS


@dataclass(frozen=True)
class DesignFigures:
    """One design's figures per inference."""

    latency_s: float
    energy_j: float
    weight_bytes: int  #: digital weight memory: int8 weights, int32 biases
    area_m2: float
    #: per layer: name, unit (tpu, dac, imac, adc), cycles, latency_s, macs, sram_bytes,
    #: dram_bytes, energy_j
    layers: list[dict[str, Any]]


@dataclass(frozen=True)
class CosimResult:
    """The main figures of a co-simulation (what ``imcosim cosim --json`` records)."""

    model: str
    images: int
    accuracy: dict[str, float]  #: fraction correct per figure ("float", "tpu-only int8", ...)
    tpu_only_mismatches: int  #: images where the TPU-only class differs from the trainer's
    tpu_only: DesignFigures
    tpu_imac: DesignFigures
    speedup: float  #: TPU-only latency over TPU-IMAC latency
    weight_memory_reduction: float
    imac_latency_s: float  #: from the ngspice transients; NaN without latency images
    imac_power_watt: float
    imac_static_power_watt: float
    #: the ngspice check of the FC part (analysis, images, fast_volt, spice_volt,
    #: max_difference_volt, equal_classes), or None
    spice_check: Optional[dict[str, Any]]


def run_cosim(config: Union[str, os.PathLike], *, overrides: Sequence[str] = (),
              workers: int = 1, timeout_s: float = 600.0, linear_solver: str = "auto",
              cache_dir: Union[str, os.PathLike, None] = None,
              output_dir: Union[str, os.PathLike, None] = None) -> CosimResult:
    """Runs the co-simulation of the INI file ``config``; ``overrides`` are ``section.key=value``
    settings that replace the file's (``imcosim cosim --set``). ngspice runs in ``workers``
    processes forked from this one. With ``output_dir`` the run's files (cosim.h5, table.md,
    table.csv, layers.csv) are written there as well."""
    if isinstance(overrides, str) or not all(isinstance(item, str) for item in overrides):
        raise InputError(f"overrides: expected a list of 'section.key=value' strings, not "
                         f"{overrides!r}")
    figures = _core.run_cosim(
        _arrays.path("config", config), list(overrides), _arrays.positive_int("workers", workers),
        _arrays.positive_real("timeout_s", timeout_s),
        _arrays.choice("linear_solver", linear_solver, LINEAR_SOLVERS),
        _arrays.neuron_cache_directory(cache_dir), _arrays.optional_path("output_dir", output_dir))
    return CosimResult(**{**figures, "tpu_only": _design(figures["tpu_only"]),
                          "tpu_imac": _design(figures["tpu_imac"])})


def _design(figures: dict[str, Any]) -> DesignFigures:
    return DesignFigures(**figures)
