#!/usr/bin/python3
"""Runs every command of README.md and docs/*.md as written, as a user would from a fresh clone.

For each Markdown file, a fresh copy of the source tree is made in a temporary directory, with
`build` there pointing to the build tree (so `build/bin/imcosim` resolves, and a bare `imcosim`
does not), and the file's ```sh and ```python blocks run in order in it: each shell command
(continued lines and compound commands joined) in its own `bash -e -o pipefail`, each Python
block as one script of the Python that runs this one (also the commands' python3). A file
stops at its first failing command, since the later ones build on it. A block preceded by the line

    <!-- docs-test: skip (reason) -->

is not run and is counted with its reason; every other block must run. Every fence must name
its language (```sh, ```python, ```ini, ```text, ...), so that a command block cannot hide in
an unlabelled one. Failures are reported as FILE:LINE with the command and its output's tail;
the exit status is 1 if any command failed or any fence is malformed.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

FENCE = re.compile(r"^```(\S*)\s*$")
SKIP_MARKER = re.compile(r"^<!-- docs-test: skip \((.+)\) -->$")
RUN_LANGUAGES = ("sh", "python")
OUTPUT_TAIL_LINES = 25


@dataclass
class Block:
    language: str
    first_line: int  # line number of the block's first content line
    lines: list = field(default_factory=list)
    skip_reason: str = ""


def parse_blocks(path, errors):
    """The fenced blocks of a Markdown file; malformed fences are appended to errors."""
    blocks = []
    block = None
    previous = ""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if block is not None:
            if line.strip() == "```":
                blocks.append(block)
                block = None
            else:
                block.lines.append(line)
            continue
        match = FENCE.match(line)
        if match:
            language = match.group(1)
            if not language:
                errors.append(f"{path.name}:{number}: a fenced block without a language "
                              "(```sh for commands, ```text for output or synopses)")
            block = Block(language, number + 1)
            skip = SKIP_MARKER.match(previous)
            if skip:
                if language not in RUN_LANGUAGES:
                    errors.append(f"{path.name}:{number}: a skip marker on a ```{language} "
                                  "block, which is never run")
                block.skip_reason = skip.group(1)
        elif SKIP_MARKER.match(line.strip()) is None and line.strip().startswith("<!-- docs-test"):
            errors.append(f"{path.name}:{number}: malformed marker, expected "
                          "'<!-- docs-test: skip (reason) -->'")
        if line.strip():
            previous = line.strip()
    if block is not None:
        errors.append(f"{path.name}:{block.first_line - 1}: the fenced block is never closed")
    return blocks


def is_complete_shell(text):
    """True when text is one or more complete shell commands (no open quote, loop or `\\`)."""
    if text.rstrip().endswith("\\"):
        return False
    return subprocess.run(["bash", "-n", "-c", text], capture_output=True).returncode == 0


def shell_commands(block):
    """(line number, command text) for every logical command of a ```sh block."""
    commands = []
    pending, start = [], None
    for offset, line in enumerate(block.lines):
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if not pending:
            start = block.first_line + offset
        pending.append(line)
        text = "\n".join(pending)
        if is_complete_shell(text):
            commands.append((start, text))
            pending = []
    if pending:
        commands.append((start, "\n".join(pending)))
    return commands


def tail(output):
    lines = output.decode("utf-8", "replace").rstrip().splitlines()
    return "\n".join("    | " + line for line in lines[-OUTPUT_TAIL_LINES:])


def run(argv, cwd, env, timeout):
    """(exit status or a description of the failure, combined output)."""
    try:
        done = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        return done.returncode, done.stdout
    except subprocess.TimeoutExpired as expired:
        return f"timed out after {timeout} s", expired.stdout or b""


def fresh_clone(source, directory):
    """The files a clone of the working tree has (tracked, or new and not ignored)."""
    listed = subprocess.run(["git", "-C", str(source), "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], capture_output=True, check=True).stdout
    for name in sorted(set(listed.decode().split("\0")) - {""}):
        origin = source / name
        if origin.is_file():
            (directory / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, directory / name)


def run_file(path, blocks, source, build, env, timeout):
    """Runs the blocks of one file in a fresh clone; returns (failures, ran, skipped)."""
    failures, ran, skipped = [], 0, 0
    with tempfile.TemporaryDirectory(prefix="imcosim-docs-") as scratch:
        clone = Path(scratch) / "imcosim"
        fresh_clone(source, clone)
        (clone / "build").symlink_to(build.resolve(), target_is_directory=True)
        for block in blocks:
            if block.language not in RUN_LANGUAGES:
                continue
            if block.skip_reason:
                skipped += 1
                print(f"  skip {path.name}:{block.first_line - 1}: {block.skip_reason}")
                continue
            ran += 1
            if block.language == "python":
                script = Path(scratch) / f"block_{block.first_line}.py"
                script.write_text("\n".join(block.lines) + "\n", encoding="utf-8")
                steps = [(block.first_line, "python3 (block)", [sys.executable, str(script)])]
            else:
                steps = [(line, text, ["bash", "-e", "-o", "pipefail", "-c", text])
                         for line, text in shell_commands(block)]
            for line, text, argv in steps:
                started = time.monotonic()
                status, output = run(argv, clone, env, timeout)
                elapsed = time.monotonic() - started
                print(f"  {elapsed:6.1f} s  {path.name}:{line}: {text.splitlines()[0]}")
                if status != 0:
                    failures.append(f"{path.name}:{line}: exit {status}: {text}\n{tail(output)}")
                    return failures, ran, skipped
    return failures, ran, skipped


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="the repository")
    parser.add_argument("--build", type=Path, required=True, help="the build tree (has bin/)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per command")
    parser.add_argument("files", nargs="*", type=Path,
                        help="Markdown files (default: README.md and docs/*.md)")
    args = parser.parse_args()
    source = args.source.resolve()
    files = args.files or [source / "README.md"] + sorted((source / "docs").glob("*.md"))

    errors = []
    parsed = [(path, parse_blocks(path, errors)) for path in files]
    with tempfile.TemporaryDirectory(prefix="imcosim-docs-cache-") as cache:
        # One neuron and model cache for the whole run, empty at its start as on a new machine;
        # the Python running this script (Debian's, with h5py and numpy) is the docs' python3.
        path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
        env = dict(os.environ, XDG_CACHE_HOME=cache, PATH=path)
        env.pop("PYTHONPATH", None)
        failures, ran, skipped = [], 0, 0
        started = time.monotonic()
        for path, blocks in parsed:
            if not any(block.language in RUN_LANGUAGES for block in blocks):
                continue
            print(f"{path.name}:")
            file_failures, file_ran, file_skipped = run_file(path, blocks, source, args.build,
                                                             env, args.timeout)
            failures += file_failures
            ran += file_ran
            skipped += file_skipped
    print(f"{ran} blocks run, {skipped} skipped (marked), {len(parsed)} files, "
          f"{time.monotonic() - started:.0f} s")
    for message in errors + failures:
        print(message, file=sys.stderr)
    return 1 if errors or failures else 0


if __name__ == "__main__":
    sys.exit(main())
