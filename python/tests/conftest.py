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


@pytest.fixture(scope="session", autouse=True)
def class_cache(tmp_path_factory):
    """A cache folder the Spark jobs of the tests share (not the user's): the first job's JVM
    leaves its class archive there, the others map it."""
    folder = tmp_path_factory.mktemp("cache")
    before = {k: os.environ.get(k) for k in ("XDG_CACHE_HOME", "STEMMA_SPARK_CLASS_ARCHIVE")}
    os.environ["XDG_CACHE_HOME"] = str(folder)
    os.environ.pop("STEMMA_SPARK_CLASS_ARCHIVE", None)
    yield folder
    for k, v in before.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
