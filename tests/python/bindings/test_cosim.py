"""The co-simulation from Python: configuration errors raise InputError with the library's
message (a full run needs trained models: tests/cosim runs it through the CLI)."""

import pytest

import imcosim


def test_a_bad_configuration_raises_the_librarys_message(tmp_path):
    (tmp_path / "cosim.ini").write_text("[cosim]\ntest_imagez = 5\n")
    with pytest.raises(imcosim.InputError, match="test_imagez"):
        imcosim.run_cosim(tmp_path / "cosim.ini")
    with pytest.raises(imcosim.InputError, match="missing.ini"):
        imcosim.run_cosim(tmp_path / "missing.ini")


def test_bad_arguments_raise_input_errors(tmp_path):
    with pytest.raises(imcosim.InputError, match="^overrides"):
        imcosim.run_cosim(tmp_path / "cosim.ini", overrides="cosim.seed=2")
    with pytest.raises(imcosim.InputError, match="^workers"):
        imcosim.run_cosim(tmp_path / "cosim.ini", workers=0)
