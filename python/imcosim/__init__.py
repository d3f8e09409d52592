"""imcosim from Python: crossbar tiles, IMAC networks, the TPU model and the TPU-IMAC
co-simulation with NumPy arrays in and out (docs/python.md), and pictures of result files
(imcosim.plot).

    import imcosim
    currents = imcosim.solve(conductance_siemens, inputs_volt, r_row_ohm=2.5, r_col_ohm=2.5)

Errors are imcosim.Error with the library's message; bad input (a wrong shape or type, a value
out of range, a malformed file) is imcosim.InputError, which is also a ValueError.

The names below load on first use, so that ``imcosim.plot`` needs no compiled module (the
sanitizer build has none) and ``import imcosim`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Error": "imcosim._core",
    "InputError": "imcosim._core",
    "Tile": "imcosim.crossbar",
    "NodeVoltages": "imcosim.crossbar",
    "solve": "imcosim.crossbar",
    "transfer_matrix": "imcosim.crossbar",
    "node_voltages": "imcosim.crossbar",
    "ImacNetwork": "imcosim.imac",
    "ImacEvaluation": "imcosim.imac",
    "run_tpu": "imcosim.tpu",
    "TpuRun": "imcosim.tpu",
    "TpuLayer": "imcosim.tpu",
    "LayerTiming": "imcosim.tpu",
    "gemm_int8": "imcosim.tpu",
    "conv2d_int8": "imcosim.tpu",
    "ConvResult": "imcosim.tpu",
    "Requantisation": "imcosim.tpu",
    "run_cosim": "imcosim.cosim",
    "CosimResult": "imcosim.cosim",
    "DesignFigures": "imcosim.cosim",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'imcosim' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:
    from imcosim._core import Error, InputError
    from imcosim.cosim import CosimResult, DesignFigures, run_cosim
    from imcosim.crossbar import NodeVoltages, Tile, node_voltages, solve, transfer_matrix
    from imcosim.imac import ImacEvaluation, ImacNetwork
    from imcosim.tpu import (ConvResult, LayerTiming, Requantisation, TpuLayer, TpuRun,
                             conv2d_int8, gemm_int8, run_tpu)
