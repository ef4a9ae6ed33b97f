"""Shared fixtures: the `stemma` CLI whose output the package must reproduce."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
EXAMPLES = REPO / "examples"


def _cli_path() -> pathlib.Path:
    explicit = os.environ.get("STEMMA_BIN")
    if explicit:
        return pathlib.Path(explicit)
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    for profile in ("release", "debug"):
        candidate = target / profile / "stemma"
        if candidate.exists():
            return candidate
    pytest.skip("no stemma CLI to compare with: build it (cargo build -p stemma) or set STEMMA_BIN")


class Cli:
    """Runs the `stemma` binary."""

    def __init__(self, path: pathlib.Path) -> None:
        if not path.exists():
            raise FileNotFoundError(f"STEMMA_BIN={path} does not exist")
        self.path = path

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([str(self.path), *map(str, args)], capture_output=True, text=True)
        if check and done.returncode != 0:
            raise AssertionError(f"stemma {' '.join(map(str, args))}: {done.stderr}")
        return done

    def json(self, *args: str):
        return json.loads(self.run(*args).stdout)


@pytest.fixture(scope="session")
def cli() -> Cli:
    return Cli(_cli_path())
