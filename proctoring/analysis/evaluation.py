"""Scoring ``analyze_frame`` against the generated evaluation set: per-flag confusion counts.

Used three ways: to tune thresholds on the tuning part, to publish the held-out
figures in ``docs/proctoring-accuracy.md``, and by the unit tests that keep those
figures from regressing.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .analyze import analyze_frame
from .evalset import FLAG_NAMES


@dataclass
class Confusion:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, expected: bool, predicted: bool) -> None:
        if expected and predicted:
            self.tp += 1
        elif expected:
            self.fn += 1
        elif predicted:
            self.fp += 1
        else:
            self.tn += 1

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def specificity(self) -> float:
        return self.tn / (self.tn + self.fp) if self.tn + self.fp else 1.0


@dataclass
class Report:
    split: str
    flags: dict[str, Confusion] = field(default_factory=lambda: defaultdict(Confusion))
    face_count_right: int = 0
    face_count_total: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # file, kind, what went wrong
    error_kinds: Counter = field(default_factory=Counter)


def score(root: Path, split: str, *, identity: bool = True, thorough: bool = False) -> Report:
    root = Path(root)
    labels = json.loads((root / "labels.json").read_text())
    report = Report(split)
    for item in labels["frames"]:
        if item["split"] != split:
            continue
        result = analyze_frame((root / item["file"]).read_bytes(), thorough=thorough)
        expected = set(item["flags"])
        for flag in FLAG_NAMES:
            if flag in item["ignore"]:
                continue
            hit = flag in result.flags
            report.flags[flag].add(flag in expected, hit)
            if hit != (flag in expected):
                what = f"{'missed' if flag in expected else 'false'} {flag}"
                report.errors.append((item["file"], item["kind"], what))
                report.error_kinds[(item["kind"], what)] += 1
        if item["face_count"] is not None:
            report.face_count_total += 1
            if result.face_count == item["face_count"]:
                report.face_count_right += 1
            else:
                report.errors.append(
                    (item["file"], item["kind"], f"counted {result.face_count} faces of {item['face_count']}")
                )
    if identity:
        for pair in labels["identity"]:
            if pair["split"] != split:
                continue
            result = analyze_frame(
                (root / pair["file"]).read_bytes(), (root / pair["reference"]).read_bytes()
            )
            hit = "identity_mismatch" in result.flags
            report.flags["identity_mismatch"].add(pair["mismatch"], hit)
            if hit != pair["mismatch"]:
                what = f"{'missed' if pair['mismatch'] else 'false'} identity_mismatch"
                report.errors.append((pair["file"], f"vs {pair['reference']}", what))
    return report


def format_table(report: Report) -> str:
    lines = [
        "| flag | TP | FP | FN | TN | recall | precision |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for flag in (*FLAG_NAMES, "identity_mismatch"):
        c = report.flags.get(flag)
        if c is None:
            continue
        lines.append(f"| {flag} | {c.tp} | {c.fp} | {c.fn} | {c.tn} | {c.recall:.2f} | {c.precision:.2f} |")
    lines.append(f"\nExact face count: {report.face_count_right} of {report.face_count_total} frames.")
    return "\n".join(lines)
