"""Shared set-up of the binding tests: the built CLI to compare with, the source tree's examples
and the build tree's neuron cache (one ngspice characterisation per circuit, shared with the C++
tests)."""

import os
import subprocess
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def cli():
    """Runs `imcosim ARGS...`, failing the test with its output unless it exits 0."""
    program = os.environ["IMCOSIM"]

    def run(*args):
        done = subprocess.run([program, *map(str, args)], capture_output=True, text=True)
        command = " ".join(map(str, args))
        assert done.returncode == 0, f"imcosim {command}:\n{done.stdout}{done.stderr}"
        return done.stdout

    return run


@pytest.fixture(scope="session")
def cache_dir():
    return os.environ["IMCOSIM_NEURON_CACHE"]


@pytest.fixture(scope="session")
def examples():
    return SOURCE / "examples"
