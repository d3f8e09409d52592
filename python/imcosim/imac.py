"""IMAC fully-connected networks at circuit level (docs/imac.md) from Python.

A network is built from a model file or from weight arrays, on the reference circuit or on one
given as an INI file or as a dict of its keys; it is evaluated by the fast path (``fast``: the
same circuit solved exactly without SPICE, the neuron from a cached ngspice characterisation) or
by ngspice (``spice``: worker processes forked from this interpreter), as ``imcosim imac fast``
and ``imcosim imac spice`` do.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np
import numpy.typing as npt

from imcosim import _arrays, _core
from imcosim._core import InputError

ENCODINGS = ("binary", "ternary", "k-level")
ANALYSES = ("tran", "op")
TILE_FORMS = ("wires", "ports")
OP_STARTS = ("fast", "zero")
LINEAR_SOLVERS = ("auto", "klu", "sparse")

#: A circuit: an INI file (docs/imac.md, "Circuit parameters"), its keys as a dict (e.g.
#: ``{"xbar_rows": 8, "xbar_cols": 8, "amp_gains": [30, 10]}``), or None for the reference design.
Circuit = Union[str, os.PathLike, Mapping[str, Any], None]


@dataclass(frozen=True)
class ImacEvaluation:
    """What both back-ends report per input sample (docs/imac.md defines each figure)."""

    outputs_volt: np.ndarray  #: (K, n_out): output neuron voltages
    predicted_class: np.ndarray  #: (K,) int64: index of the largest output; -1 if not evaluated
    power_watt: np.ndarray  #: (K,): average power per inference (fast: the static power)
    settled_power_watt: np.ndarray  #: (K,): the power of the settled operating point
    latency_s: np.ndarray  #: (K,): settling time of the outputs; NaN from the fast path
    #: with hidden_outputs=True, each layer's neuron outputs (K, n_l); else empty
    layer_outputs_volt: list[np.ndarray]


def _evaluation(figures: dict[str, Any]) -> ImacEvaluation:
    return ImacEvaluation(
        outputs_volt=figures["outputs_volt"],
        predicted_class=np.asarray(figures["predicted_class"], dtype=np.int64),
        power_watt=figures["power_watt"],
        settled_power_watt=figures["settled_power_watt"],
        latency_s=figures["latency_s"],
        layer_outputs_volt=list(figures["layer_outputs_volt"]))


def _ini_value(key: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return ",".join(_ini_value(key, item) for item in value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise InputError(f"circuit['{key}']: expected a number, a string or a list of numbers, "
                         f"not {value!r}")
    return repr(float(value)) if isinstance(value, (float, np.floating)) else str(int(value))


def _circuit(circuit: Circuit) -> tuple[Optional[str], Optional[str]]:
    """(configuration file, INI text) for the library; both None for the reference design."""
    if circuit is None:
        return None, None
    if isinstance(circuit, Mapping):
        return None, "".join(f"{key} = {_ini_value(str(key), value)}\n"
                             for key, value in circuit.items())
    return _arrays.path("circuit", circuit), None


class ImacNetwork:
    """A trained fully-connected network mapped onto crossbar tiles, difference amplifiers and
    analog neurons. Build one with ``from_file`` or ``from_arrays``; bad models, circuits and
    inputs raise InputError naming the file, key or argument."""

    def __init__(self, network: _core.ImacNetwork) -> None:
        self._network = network
        self._evaluators: dict[str, _core.FastEvaluator] = {}

    @classmethod
    def from_file(cls, model_file: Union[str, os.PathLike], *,
                  circuit: Circuit = None) -> "ImacNetwork":
        """The network of a model file (HDF5: /layers/<l>/weight, /layers/<l>/bias, attribute
        encoding; what examples/imac/make_network.py writes)."""
        config_file, config_text = _circuit(circuit)
        return cls(_core.ImacNetwork.from_file(_arrays.path("model_file", model_file),
                                               config_file, config_text))

    @classmethod
    def from_arrays(cls, weights: Sequence[npt.ArrayLike], biases: Sequence[npt.ArrayLike], *,
                    encoding: str = "ternary", levels: Optional[int] = None,
                    circuit: Circuit = None) -> "ImacNetwork":
        """The network of weight matrices ``weights[l]`` (n_out, n_in) and bias vectors
        ``biases[l]`` (n_out,): binary weights are -1/+1, ternary -1/0/+1, k-level any value in
        [-1, 1], quantised to ``levels`` values."""
        encoding = _arrays.choice("encoding", encoding, ENCODINGS)
        if encoding == "k-level":
            levels = _arrays.positive_int("levels", levels, minimum=2)
        if len(weights) != len(biases) or not weights:
            raise InputError(f"weights and biases: expected one bias vector per weight matrix "
                             f"and at least one layer, got {len(weights)} and {len(biases)}")
        weight_arrays, bias_arrays = [], []
        inputs: Any = "n_in"
        for index, (weight, bias) in enumerate(zip(weights, biases)):
            weight_arrays.append(_arrays.float_array(
                f"weights[{index}]", weight, ("n_out", inputs),
                "n_out neurons by the previous layer's outputs"))
            outputs = weight_arrays[-1].shape[0]
            bias_arrays.append(_arrays.float_array(f"biases[{index}]", bias, (outputs,),
                                                   "one bias per neuron of the layer"))
            inputs = outputs
        config_file, config_text = _circuit(circuit)
        return cls(_core.ImacNetwork.from_arrays(weight_arrays, bias_arrays, encoding,
                                                 levels or 0, config_file, config_text))

    @property
    def layer_sizes(self) -> list[int]:
        """Inputs, then the neurons of each layer, e.g. [16, 8, 4]."""
        return list(self._network.layer_sizes)

    @property
    def input_count(self) -> int:
        return self._network.input_count

    @property
    def output_count(self) -> int:
        return self._network.output_count

    @property
    def tile_count(self) -> int:
        return self._network.tile_count

    @property
    def crossbar_area_m2(self) -> float:
        return self._network.crossbar_area_m2

    @property
    def encoding(self) -> str:
        return self._network.encoding

    @property
    def circuit_text(self) -> str:
        """Every circuit value as INI text (``key = value`` lines), as result files record it."""
        return self._network.circuit_text

    def _inputs(self, inputs_volt: npt.ArrayLike) -> np.ndarray:
        columns = self.input_count
        return _arrays.float_array("inputs_volt", inputs_volt, ("K", columns),
                                   f"one sample of n_in = {columns} input voltages per row")

    def _fast_evaluator(self, cache_dir: Any) -> _core.FastEvaluator:
        directory = _arrays.neuron_cache_directory(cache_dir)
        if directory not in self._evaluators:
            self._evaluators[directory] = _core.FastEvaluator(self._network, directory)
        return self._evaluators[directory]

    def fast(self, inputs_volt: npt.ArrayLike, *, hidden_outputs: bool = False,
             cache_dir: Union[str, os.PathLike, None] = None) -> ImacEvaluation:
        """The fast path on the samples ``inputs_volt`` (K, n_in) in volts: outputs, classes and
        static power. The first call characterises the neuron in ngspice (a few seconds, cached
        in ``cache_dir``, by default the CLI's cache) and sets the network up; later calls reuse
        both."""
        inputs = self._inputs(inputs_volt)
        return _evaluation(_core.evaluate_fast(self._network, self._fast_evaluator(cache_dir), inputs,
                                               bool(hidden_outputs)))

    def spice(self, inputs_volt: npt.ArrayLike, *, workers: int = 1, analysis: str = "tran",
              tiles: str = "wires", op_start: str = "fast", samples_per_run: Optional[int] = None,
              timeout_s: float = 600.0, linear_solver: str = "auto",
              hidden_outputs: bool = False,
              cache_dir: Union[str, os.PathLike, None] = None) -> ImacEvaluation:
        """The network simulated in ngspice, in ``workers`` processes forked from this one, with
        the options of ``imcosim imac spice``: ``analysis`` tran (outputs, power, latency) or op
        (each sample's DC operating point, the fast path's exact counterpart); ``tiles`` wires or
        ports; ``op_start`` fast (Newton started from the fast path's solution) or zero.
        ``samples_per_run`` defaults to the samples spread over the workers, at most 16
        transients or 64 operating points per ngspice run."""
        inputs = self._inputs(inputs_volt)
        workers = _arrays.positive_int("workers", workers)
        analysis = _arrays.choice("analysis", analysis, ANALYSES)
        if samples_per_run is None:
            most = 16 if analysis == "tran" else 64
            samples_per_run = min(max(math.ceil(inputs.shape[0] / workers), 1), most)
        start = (self._fast_evaluator(cache_dir)
                 if _arrays.choice("op_start", op_start, OP_STARTS) == "fast" else None)
        return _evaluation(_core.evaluate_with_spice(
            self._network, inputs, start, workers, _arrays.positive_real("timeout_s", timeout_s),
            _arrays.choice("linear_solver", linear_solver, LINEAR_SOLVERS), analysis,
            _arrays.choice("tiles", tiles, TILE_FORMS),
            _arrays.positive_int("samples_per_run", samples_per_run), bool(hidden_outputs)))

    def __repr__(self) -> str:
        sizes = "-".join(str(size) for size in self.layer_sizes)
        return f"ImacNetwork({sizes}, {self.encoding}, {self.tile_count} tiles)"
