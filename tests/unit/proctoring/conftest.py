"""Shared, session-scoped fixtures: the evaluation set is generated once per test run (about 4 s)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proctoring.analysis import evalset, evaluation, models


def _package_photo(package: str, path: str) -> bytes:
    return (models.package_dir(package) / path).read_bytes()


@pytest.fixture(scope="session")
def eval_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("proctoring-eval")
    evalset.build(out)
    return out


@pytest.fixture(scope="session")
def eval_labels(eval_dir) -> dict:
    return json.loads((eval_dir / "labels.json").read_text())


@pytest.fixture(scope="session")
def heldout_report(eval_dir) -> evaluation.Report:
    return evaluation.score(eval_dir, evalset.HELDOUT)


@pytest.fixture(scope="session")
def astronaut_png() -> bytes:
    return _package_photo("skimage", "data/astronaut.png")


@pytest.fixture(scope="session")
def hopper_jpeg() -> bytes:
    return _package_photo("matplotlib", "mpl-data/sample_data/grace_hopper.jpg")
