"""Hostile inputs end with exit code 2 within seconds (docs/reliability.md).

Each family below builds inputs that declare more than any machine holds, values that no
back-end represents, or files that say something other than what would be computed, with sizes
and values drawn from a seeded generator (another seed, another member of the family). Every run
must end with exit code 2 and a message naming the file and the fault, leave nothing behind in
its directory, and keep every input byte-identical. IMCOSIM is the executable under test.
"""

import os
import pathlib
import random
import subprocess
import time

import h5py
import numpy as np
import pytest

IMCOSIM = os.environ["IMCOSIM"]
# Sanitizer builds run several times slower; the bound is for an answer "within seconds", far
# below what the refused work would take (hours, or memory this machine does not have).
SECONDS = 30.0 if os.environ.get("IMCOSIM_SANITIZED") == "1" else 10.0
SEED = int(os.environ.get("IMCOSIM_HOSTILE_SEED", "20261206"))
MEMORY_BYTES = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def rng(name):
    return random.Random(f"{SEED}-{name}")


def snapshot(directory):
    """Every file below `directory` (named relative to it) with its bytes, and every folder."""
    return {str(path.relative_to(directory)): path.read_bytes() if path.is_file() else None
            for path in sorted(directory.rglob("*"))}


def refused(directory, arguments, *fragments):
    """Runs imcosim in `directory`; asserts exit 2, `fragments` in the message, nothing written."""
    before = snapshot(directory)
    started = time.monotonic()
    run = subprocess.run([IMCOSIM, *arguments], cwd=directory, capture_output=True, text=True,
                         timeout=120, check=False)
    elapsed = time.monotonic() - started
    message = run.stdout + run.stderr
    assert run.returncode == 2, f"{arguments}: exit {run.returncode}\n{message}"
    assert elapsed < SECONDS, f"{arguments}: took {elapsed:.1f} s\n{message}"
    for fragment in fragments:
        assert fragment in message, f"{arguments}: no {fragment!r} in\n{message}"
    assert "internal error" not in message, message
    assert snapshot(directory) == before, f"{arguments}: the directory changed\n{message}"
    return message


# ---- crossbar problem files ------------------------------------------------------------------

def write_problem(path, rows=3, cols=2, vectors=4, conductance=None, inputs=None, **wires):
    with h5py.File(path, "w") as f:
        if conductance is None:
            f["conductance"] = np.full((rows, cols), 1e-4)
        else:
            conductance(f)
        if inputs is None:
            f["inputs"] = np.zeros((vectors, rows))
        else:
            inputs(f)
        attributes = dict(r_row=1.0, r_col=1.0, r_source=0.0, r_sense=0.0)
        attributes.update(wires)
        f.attrs.update(attributes)


CROSSBAR_COMMANDS = (["solve", "p.h5", "-o", "out.h5"], ["spice", "p.h5", "-o", "out.h5"],
                     ["netlist", "p.h5", "-o", "out.cir"], ["validate", "p.h5"])


@pytest.mark.parametrize("draw", range(4))
def test_a_declared_conductance_beyond_any_tile(tmp_path, draw):
    """A few KB of file declaring a tile of more than 2^26 devices (up to more than memory)."""
    pick = rng(f"conductance-{draw}")
    rows = [2**31, pick.randint(2**13 + 1, 10**5), pick.randint(2 * 10**5, 10**6), 2**26 + 1][draw]
    cols = [1, pick.randint(2**13 + 1, 10**5), MEMORY_BYTES // (8 * rows) + 7, 1][draw]
    write_problem(tmp_path / "p.h5", conductance=lambda f: f.create_dataset(
        "conductance", shape=(rows, cols), dtype="f8", chunks=(64, 1)),
        inputs=lambda f: f.create_dataset("inputs", shape=(2, rows), dtype="f8", chunks=(1, 64)))
    for command in CROSSBAR_COMMANDS:
        refused(tmp_path, command, "p.h5:/conductance", f"{rows} x {cols} tile exceeds")


@pytest.mark.parametrize("draw", range(3))
def test_declared_input_vectors_beyond_memory(tmp_path, draw):
    # From a quarter of this machine's memory (what one read may take) to far beyond it.
    vectors = rng(f"vectors-{draw}").randint(MEMORY_BYTES // 4 // 24 + 1, 10**12)
    write_problem(tmp_path / "p.h5", inputs=lambda f: f.create_dataset(
        "inputs", shape=(vectors, 3), dtype="f8", chunks=(1024, 3)))
    for command in CROSSBAR_COMMANDS:
        refused(tmp_path, command, "p.h5:/inputs", "of memory")


@pytest.mark.parametrize("attribute,value", [
    ("r_row", 1e-320), ("r_col", 5e-324), ("r_source", -1.0), ("r_sense", float("nan")),
    ("r_row", 1e13)])
def test_wire_resistances_outside_what_the_solvers_represent(tmp_path, attribute, value):
    write_problem(tmp_path / "p.h5", **{attribute: value})
    for command in CROSSBAR_COMMANDS:
        refused(tmp_path, command, "p.h5", attribute)


@pytest.mark.parametrize("value", [1e-310, 1e308, 1e-16, 2e3, float("inf"), -1e-4])
def test_conductances_outside_what_the_solvers_represent(tmp_path, value):
    def conductance(f):
        values = np.full((3, 2), 1e-4)
        values[rng(f"g-{value}").randrange(3), 1] = value
        f["conductance"] = values
    write_problem(tmp_path / "p.h5", conductance=conductance)
    for command in CROSSBAR_COMMANDS:
        refused(tmp_path, command, "p.h5:/conductance")


# ---- IMAC models --------------------------------------------------------------------------

def write_model(path, layer_names, sizes=(4, 3, 2)):
    with h5py.File(path, "w") as f:
        f.attrs["encoding"] = "ternary"
        for name, (n_in, n_out) in zip(layer_names, zip(sizes, sizes[1:])):
            f[f"layers/{name}/weight"] = np.ones((n_out, n_in))
            f[f"layers/{name}/bias"] = np.zeros(n_out)


def write_inputs(path, count=2, width=4):
    with h5py.File(path, "w") as f:
        f["inputs"] = np.full((count, width), 0.4)


IMAC_COMMANDS = (["imac", "fast", "m.h5", "--inputs", "in.h5", "-o", "out.h5"],
                 ["imac", "netlist", "m.h5", "--inputs", "in.h5", "-o", "out.cir"])


@pytest.mark.parametrize("draw", range(3))
def test_a_model_with_a_gap_in_its_layers(tmp_path, draw):
    """/layers/0 and /layers/k, k >= 2: read as it stands, it would run as a one-layer network."""
    gap = rng(f"gap-{draw}").randint(2, 12)
    write_model(tmp_path / "m.h5", ["0", str(gap)])
    write_inputs(tmp_path / "in.h5")
    for command in IMAC_COMMANDS:
        refused(tmp_path, command, f"m.h5:/layers/{gap}", "without gaps")


def test_a_model_with_a_stray_member_in_its_layers(tmp_path):
    write_model(tmp_path / "m.h5", ["0", "1"])
    with h5py.File(tmp_path / "m.h5", "a") as f:
        f["layers/01/weight"] = np.ones((2, 3))
    write_inputs(tmp_path / "in.h5")
    for command in IMAC_COMMANDS:
        refused(tmp_path, command, "m.h5:/layers/01")


@pytest.mark.parametrize("draw", range(2))
def test_a_model_layer_declared_beyond_memory(tmp_path, draw):
    n_in = rng(f"layer-{draw}").randint(10**6, 10**7)
    n_out = MEMORY_BYTES // (8 * n_in) + 1000
    with h5py.File(tmp_path / "m.h5", "w") as f:
        f.attrs["encoding"] = "ternary"
        f.create_dataset("layers/0/weight", shape=(n_out, n_in), dtype="f8", chunks=(16, 1024))
        f["layers/0/bias"] = np.zeros(n_out)
    write_inputs(tmp_path / "in.h5")
    for command in IMAC_COMMANDS:
        refused(tmp_path, command, "m.h5:/layers/0/weight", "of memory")


# ---- campaign configurations ----------------------------------------------------------------

CAMPAIGN = """[campaign]
samples = {samples}
seed = 1
vectors_per_sample = {vectors}
block_samples = {block}

[tile]
rows = {rows}
cols = {cols}
r_row = 1
r_col = 1

[backends]
solver = direct
"""


def campaign_cases():
    pick = rng("campaign")
    side = pick.randint(10**6, 10**7)
    return [
        ("vectors", dict(samples=4, vectors=2**62 - pick.randint(0, 2**40), block=1, rows=4,
                         cols=4), "[campaign] vectors_per_sample"),
        ("devices", dict(samples=4, vectors=1, block=1, rows=side, cols=side), "[tile] rows"),
        ("block", dict(samples=2**40, vectors=64, block=2**40 // pick.randint(2, 64), rows=64,
                       cols=64), "[campaign] block_samples"),
        ("rows", dict(samples=2**61, vectors=pick.randint(8, 64), block=1, rows=2, cols=2),
         "[campaign] vectors_per_sample"),
    ]


@pytest.mark.parametrize("name,values,key", campaign_cases(), ids=lambda case: str(case)[:10])
def test_campaign_sizes_beyond_memory_or_counting(tmp_path, name, values, key):
    (tmp_path / "c.ini").write_text(CAMPAIGN.format(**values))
    refused(tmp_path, ["dataset", "c.ini", "-o", "d.h5", "--threads", "1"], "c.ini", key)
    refused(tmp_path, ["montecarlo", "c.ini", "--threads", "1"], "c.ini", key)


# ---- SCALE-Sim configurations and topologies --------------------------------------------------

CFG = """[general]
run_name = hostile

[architecture_presets]
ArrayHeight: {rows}
ArrayWidth: {cols}
IfmapSramSzkB: 64
FilterSramSzkB: 64
OfmapSramSzkB: 64
Dataflow: {dataflow}
{extra}
[run_presets]
InterfaceBandwidth: CALC
"""

TOPOLOGY = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, " \
           "Num Filter, Strides,\nConv1, 28, 28, 5, 5, 1, 6, 1,\n"


def tpu(tmp_path, cfg, topology, *fragments):
    (tmp_path / "a.cfg").write_text(cfg)
    (tmp_path / "t.csv").write_text(topology)
    return refused(tmp_path, ["tpu", "-c", "a.cfg", "-t", "t.csv", "-o", "out"], *fragments)


@pytest.mark.parametrize("extra", ["ArrayHeight: 16", "arrayheight = 8",
                                   "Dataflow: ws", "[architecture_presets]"])
def test_a_repeated_key_or_section_in_a_scalesim_config(tmp_path, extra):
    tpu(tmp_path, CFG.format(rows=8, cols=8, dataflow="os", extra=extra), TOPOLOGY, "a.cfg:")


@pytest.mark.parametrize("draw", range(3))
def test_an_array_beyond_the_model(tmp_path, draw):
    side = rng(f"array-{draw}").randint(2**20 + 1, 2**40)
    tpu(tmp_path, CFG.format(rows=side, cols=side, dataflow="os", extra=""), TOPOLOGY,
        "a.cfg:", "ArrayHeight")


@pytest.mark.parametrize("dataflow", ["os", "ws", "is"])
def test_a_gemm_whose_folds_would_take_years(tmp_path, dataflow):
    pick = rng(f"gemm-{dataflow}")
    # Within the 2^53 operations a layer may have, but billions of folds on a 1 x 1 array
    # whichever two of M, N and K the dataflow maps onto it.
    m, n, k = (pick.randint(2 * 10**4, 2 * 10**5) for _ in range(3))
    tpu(tmp_path, CFG.format(rows=1, cols=1, dataflow=dataflow, extra=""),
        f"Layer, M, N, K\nbig, {m}, {n}, {k}\n", "layer 'big'", "folds")


def test_a_layer_whose_operations_overflow(tmp_path):
    side = rng("overflow").randint(2**31, 2**40)
    tpu(tmp_path, CFG.format(rows=32, cols=32, dataflow="os", extra=""),
        f"Layer, M, N, K\nhuge, {side}, {side}, {side}\n", "layer 'huge'", "MAC operations")


def test_a_depthwise_layer_with_a_billion_channels(tmp_path):
    channels = rng("depthwise").randint(10**9, 2 * 10**9)
    tpu(tmp_path, CFG.format(rows=8, cols=8, dataflow="os", extra=""),
        TOPOLOGY + f"DP_conv, 14, 14, 3, 3, {channels}, 1, 1,\n", "DP_conv", "at most")


# ---- options -----------------------------------------------------------------------------

@pytest.mark.parametrize("option,value", [("--timeout", "1e300"), ("--timeout", "-5"),
                                          ("--worker-memory-gb", "1e300"),
                                          ("--worker-memory-gb", "0"), ("--workers", "0")])
def test_option_values_beyond_their_bounds(tmp_path, option, value):
    write_problem(tmp_path / "p.h5")
    refused(tmp_path, ["spice", "p.h5", "-o", "out.h5", option, value], option)


# ---- CNN model files --------------------------------------------------------------------

def write_cnn_model(path, stray):
    with h5py.File(path, "w") as f:
        f.attrs.update(format="imcosim-cnn", format_version=1, precision="float",
                       architecture="name tiny\ninput 4 4 1\nflatten\ndense units=3\n")
        f["parameters/1/weight"] = np.zeros((3, 16))
        f["parameters/1/bias"] = np.zeros(3)
        f[f"parameters/{stray}/weight"] = np.zeros((3, 16))


@pytest.mark.parametrize("stray", ["0", "2", str(rng("cnn").randint(3, 99)), "01"])
def test_a_cnn_model_with_parameters_of_no_layer(tmp_path, stray):
    """Layer 0 (flatten) has no parameters, the architecture ends at layer 1."""
    write_cnn_model(tmp_path / "m.h5", stray)
    refused(tmp_path, ["nn", "topology", "m.h5", "-o", "t.csv"], f"m.h5:/parameters/{stray}")


# ---- text that Boost.Program_options would format for good ----------------------------------

@pytest.mark.parametrize("line", ["samples = %value%", "%canonical_option% = 1",
                                  "seed = 1%original_token%", "[%prefix%]\nx%option%y = 2"])
def test_placeholders_in_a_configuration(tmp_path, line):
    """Found by fuzz_ini_readers: Boost 1.74 substituted %value% into its message forever."""
    (tmp_path / "c.ini").write_text("[campaign]\n" + line + "\n")
    refused(tmp_path, ["montecarlo", "c.ini", "--threads", "1"], "c.ini")
    (tmp_path / "circuit.ini").write_text(line.replace("[", "").replace("]", "") + "\n")
    write_model(tmp_path / "m.h5", ["0", "1"])
    write_inputs(tmp_path / "in.h5")
    refused(tmp_path, ["imac", "fast", "m.h5", "--inputs", "in.h5", "--config", "circuit.ini",
                       "-o", "out.h5"], "circuit.ini")


@pytest.mark.parametrize("arguments,named", [(["--%canonical_option%"], "canonical_option"),
                                             (["--timeout", "%value%"], "--timeout"),
                                             (["--method=%value%x"], "--method")])
def test_placeholders_on_the_command_line(tmp_path, arguments, named):
    write_problem(tmp_path / "p.h5")
    refused(tmp_path, ["solve", "p.h5", "-o", "out.h5", *arguments], named)


# ---- a full disk, for every writer -------------------------------------------------------

def limited_run(directory, arguments, limit_bytes):
    """imcosim with writes beyond `limit_bytes` failing as on a full disk (RLIMIT_FSIZE, the
    signal it sends ignored as a shell's `trap '' XFSZ` does): write(2) fails with EFBIG."""
    import resource
    import signal

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run([IMCOSIM, *arguments], cwd=directory, capture_output=True, text=True,
                          timeout=300, check=False, preexec_fn=limit)


def writer_cases(tmp_path):
    """(arguments, the output they write) for every command that writes a file."""
    write_problem(tmp_path / "p.h5", rows=24, cols=16, vectors=64)
    write_model(tmp_path / "m.h5", ["0", "1"], sizes=(24, 12, 4))
    write_inputs(tmp_path / "in.h5", count=40, width=24)
    (tmp_path / "circuit.ini").write_text("xbar_rows = 8\nxbar_cols = 8\n")
    (tmp_path / "a.cfg").write_text(CFG.format(rows=8, cols=8, dataflow="os", extra=""))
    (tmp_path / "t.csv").write_text(TOPOLOGY * 1 + "".join(
        f"Conv{k}, 28, 28, 3, 3, 4, 8, 1,\n" for k in range(2, 40)))
    (tmp_path / "c.ini").write_text(CAMPAIGN.format(samples=40, vectors=4, block=8, rows=8,
                                                    cols=8))
    return [
        (["solve", "p.h5", "-o", "out.h5"], "out.h5"),
        (["netlist", "p.h5", "-o", "out.cir"], "out.cir"),
        (["imac", "fast", "m.h5", "--inputs", "in.h5", "--config", "circuit.ini", "-o",
          "out.h5"], "out.h5"),
        (["imac", "netlist", "m.h5", "--inputs", "in.h5", "--config", "circuit.ini", "-o",
          "out.cir"], "out.cir"),
        (["tpu", "-c", "a.cfg", "-t", "t.csv", "-o", "out"], "out/TPU_REPORT.csv"),
        # A complete dataset is not written again: the second run extends it to more samples.
        (["dataset", "c.ini", "-o", "out.h5", "--threads", "1"], "out.h5"),
        (["nn", "topology", "lenet5", "-o", "out.csv"], "out.csv"),
    ]


@pytest.mark.parametrize("case", range(7))
def test_a_full_disk_costs_no_previous_output(tmp_path, case):
    """Each writer, its output made once, then made again with too little room: exit 1 saying
    the limit was reached, the previous output byte-identical, nothing else left behind."""
    arguments, output = writer_cases(tmp_path)[case]
    first = subprocess.run([IMCOSIM, *arguments], cwd=tmp_path, capture_output=True, text=True,
                           timeout=300, check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    if arguments[0] == "dataset":
        (tmp_path / "c.ini").write_text(CAMPAIGN.format(samples=400, vectors=4, block=8, rows=8,
                                                        cols=8))
    before = snapshot(tmp_path)
    before_output = (tmp_path / output).read_bytes()
    run = limited_run(tmp_path, arguments, len(before_output) // 2)
    message = run.stdout + run.stderr
    assert run.returncode == 1, f"{arguments}: exit {run.returncode}\n{message}"
    assert "the file size limit was reached" in message, message
    assert "internal error" not in message, message
    assert (tmp_path / output).read_bytes() == before_output
    assert snapshot(tmp_path) == before, message
