"""Crossbar tiles from NumPy arrays: output currents, the transfer matrix and IR-drop maps.

The tile is the canonical one of the design guide (docs/file-formats.md, "Crossbar problem
file"): input i drives row node (i, 0) through ``r_source_ohm``; row nodes are joined by
``r_row_ohm``, column nodes by ``r_col_ohm``; device (i, j) joins row node (i, j) to column node
(i, j); column j ends through ``r_sense_ohm`` in the virtual ground whose current is output j.
A resistance of 0 is an ideal connection. Methods are those of ``imcosim solve``
(docs/solvers.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from imcosim import _arrays, _core

METHODS = ("auto", "direct", "transfer", "iterative", "ideal")


@dataclass(frozen=True)
class NodeVoltages:
    """Every node voltage of a tile for one input vector (an IR-drop map)."""

    row_volt: np.ndarray  #: (M, N): row node (i, j)
    column_volt: np.ndarray  #: (M, N): column node (i, j)
    #: the largest deviation of any node from its voltage without parasitics: the driver's
    #: voltage on row nodes, 0 V on column nodes
    ir_drop_volt: float


def _wires(r_row_ohm: Any, r_col_ohm: Any, r_source_ohm: Any,
           r_sense_ohm: Any) -> _core.WireResistances:
    return _core.WireResistances(
        r_row_ohm=_arrays.real("r_row_ohm", r_row_ohm),
        r_col_ohm=_arrays.real("r_col_ohm", r_col_ohm),
        r_source_ohm=_arrays.real("r_source_ohm", r_source_ohm),
        r_sense_ohm=_arrays.real("r_sense_ohm", r_sense_ohm))


def _conductance(conductance_siemens: npt.ArrayLike) -> np.ndarray:
    return _arrays.float_array("conductance_siemens", conductance_siemens, ("M", "N"),
                               "device conductances in siemens, M rows by N columns")


def _inputs(inputs_volt: npt.ArrayLike, rows: int) -> np.ndarray:
    return _arrays.float_array("inputs_volt", inputs_volt, ("K", rows),
                               f"one input vector of M = {rows} voltages per row")


class Tile:
    """An M x N tile prepared once for a method (factorised, transfer matrix extracted, ...),
    then solved for any number of input vectors.

    Raises InputError (a ValueError) for a wrong shape, a conductance outside 1e-15 ... 1e3 S or
    a resistance outside 0 ... 1e12 ohm, and Error when the solver fails.
    """

    def __init__(self, conductance_siemens: npt.ArrayLike, *, r_row_ohm: float,
                 r_col_ohm: float, r_source_ohm: float = 0.0, r_sense_ohm: float = 0.0,
                 method: str = "auto", expected_samples: int = 1,
                 max_iterations: int = 10000) -> None:
        """``method``: one of METHODS; ``auto`` chooses from the size and ``expected_samples``,
        the number of input vectors a solve will see, as ``imcosim solve`` does.
        ``max_iterations``: the iterative method's limit per input vector."""
        self._tile = _core.Tile(
            _conductance(conductance_siemens),
            _wires(r_row_ohm, r_col_ohm, r_source_ohm, r_sense_ohm),
            _arrays.choice("method", method, METHODS),
            _arrays.positive_int("expected_samples", expected_samples),
            _arrays.positive_int("max_iterations", max_iterations))

    @property
    def shape(self) -> tuple[int, int]:
        """(M, N): rows (inputs) by columns (outputs)."""
        return (self._tile.rows, self._tile.cols)

    @property
    def method(self) -> str:
        """The method the tile is solved with (``auto`` resolved)."""
        return self._tile.method

    @property
    def tolerance_relative(self) -> float:
        """The accuracy the method guarantees against the exact solution, relative to the
        largest output current of each input vector (inf for ``ideal``)."""
        return self._tile.tolerance_relative

    def solve(self, inputs_volt: npt.ArrayLike) -> np.ndarray:
        """Output currents (K, N) in amperes for K input vectors, the rows of ``inputs_volt``
        (K, M) in volts. The GIL is released while solving."""
        return self._tile.solve(_inputs(inputs_volt, self._tile.rows))

    def node_voltages(self, input_volt: npt.ArrayLike) -> NodeVoltages:
        """Every row and column node voltage for one input vector (M,) in volts."""
        rows = self._tile.rows
        row_volt, column_volt, drop_volt = self._tile.node_voltages(_arrays.float_array(
            "input_volt", input_volt, (rows,), f"one voltage per tile row, M = {rows}"))
        return NodeVoltages(row_volt, column_volt, drop_volt)


def solve(conductance_siemens: npt.ArrayLike, inputs_volt: npt.ArrayLike, *,
          r_row_ohm: float, r_col_ohm: float, r_source_ohm: float = 0.0,
          r_sense_ohm: float = 0.0, method: str = "auto") -> np.ndarray:
    """Output currents (K, N) in amperes of the tile ``conductance_siemens`` (M, N) for the
    input vectors ``inputs_volt`` (K, M), as ``imcosim solve`` computes them."""
    conductance = _conductance(conductance_siemens)
    inputs = _inputs(inputs_volt, conductance.shape[0])
    tile = Tile(conductance, r_row_ohm=r_row_ohm, r_col_ohm=r_col_ohm, r_source_ohm=r_source_ohm,
                r_sense_ohm=r_sense_ohm, method=method, expected_samples=inputs.shape[0])
    return tile.solve(inputs)


def transfer_matrix(conductance_siemens: npt.ArrayLike, *, r_row_ohm: float, r_col_ohm: float,
                    r_source_ohm: float = 0.0, r_sense_ohm: float = 0.0) -> np.ndarray:
    """The exact transfer matrix T (N, M) in siemens: output currents = T @ input voltages.
    Without parasitics T is the transposed conductance matrix."""
    return _core.transfer_matrix(_conductance(conductance_siemens),
                                 _wires(r_row_ohm, r_col_ohm, r_source_ohm, r_sense_ohm))


def node_voltages(conductance_siemens: npt.ArrayLike, input_volt: npt.ArrayLike, *,
                  r_row_ohm: float, r_col_ohm: float, r_source_ohm: float = 0.0,
                  r_sense_ohm: float = 0.0, method: str = "auto") -> NodeVoltages:
    """The IR-drop map of the tile for one input vector (M,) in volts."""
    tile = Tile(conductance_siemens, r_row_ohm=r_row_ohm, r_col_ohm=r_col_ohm,
                r_source_ohm=r_source_ohm, r_sense_ohm=r_sense_ohm, method=method)
    return tile.node_voltages(input_volt)
