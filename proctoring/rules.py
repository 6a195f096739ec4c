"""From single frames and browser events to incidents, a risk score and coverage: pure functions.

Why rules and not single frames: one frame without a face is a sneeze or a dropped packet. A
flag becomes an incident only when it holds for ``min_consecutive_frames`` frames in a row or
for ``min_duration_seconds``. "Could not tell" — a blocked or unreadable camera, or no frames
at all — is its own kind of incident (``camera_blocked``, ``monitoring_gap``) marked
``could_not_tell``: it is never counted as absence, and its weight is separate. Weights,
durations and thresholds are campaign settings (``DEFAULTS`` shows every key).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

FRAME_FLAGS = ("no_face", "multiple_faces", "looking_away", "identity_mismatch")
COULD_NOT_TELL_FLAGS = ("camera_blocked", "unreadable_frame")
EVENT_KINDS = (
    "tab_hidden",
    "window_blur",
    "fullscreen_exit",
    "copy",
    "cut",
    "paste",
    "context_menu",
    "second_screen",
    "voice",
    "camera_stopped",
)
SIGNAL_EVENTS = ("heartbeat",)

DEFAULTS: dict[str, Any] = {
    "frame_interval_seconds": 10,
    "min_consecutive_frames": 2,
    "min_duration_seconds": 20,
    "gap_seconds": 45,
    "min_event_seconds": {"tab_hidden": 2, "window_blur": 3},
    "sample_every_seconds": 300,
    "review_threshold": 5.0,
    "weights": {
        "no_face": 3.0,
        "multiple_faces": 5.0,
        "looking_away": 1.0,
        "identity_mismatch": 8.0,
        "camera_blocked": 1.0,
        "monitoring_gap": 1.0,
        "tab_hidden": 3.0,
        "window_blur": 1.0,
        "fullscreen_exit": 1.0,
        "copy": 1.0,
        "cut": 1.0,
        "paste": 2.0,
        "context_menu": 0.5,
        "second_screen": 4.0,
        "voice": 2.0,
        "camera_stopped": 2.0,
    },
}


def settings_with_defaults(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    merged = {**DEFAULTS, **(overrides or {})}
    merged["weights"] = {**DEFAULTS["weights"], **((overrides or {}).get("weights") or {})}
    merged["min_event_seconds"] = {
        **DEFAULTS["min_event_seconds"],
        **((overrides or {}).get("min_event_seconds") or {}),
    }
    return merged


@dataclass(frozen=True)
class FrameObs:
    frame_id: int
    at: datetime
    flags: frozenset[str]


@dataclass(frozen=True)
class EventObs:
    kind: str
    at: datetime
    duration_seconds: float = 0.0


@dataclass(frozen=True)
class IncidentSpec:
    kind: str
    started_at: datetime
    ended_at: datetime
    frame_ids: tuple[int, ...] = ()
    score: float = 0.0
    could_not_tell: bool = False

    @property
    def seconds(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()


@dataclass
class Assessment:
    incidents: list[IncidentSpec] = field(default_factory=list)
    risk_score: float = 0.0
    coverage_percent: float = 0.0


def _score(kind: str, seconds: float, settings: Mapping[str, Any]) -> float:
    """Weight, growing with duration past the first minute, so a 10-minute absence outweighs a glance."""
    weight = float(settings["weights"].get(kind, 1.0))
    return round(weight * max(1.0, seconds / 60.0), 2)


def frame_incidents(frames: Sequence[FrameObs], settings: Mapping[str, Any]) -> list[IncidentSpec]:
    """Runs of consecutive frames that share a flag; a could-not-tell frame ends every run."""
    out: list[IncidentSpec] = []
    interval = float(settings["frame_interval_seconds"])
    for flag in FRAME_FLAGS + ("camera_blocked",):
        run: list[FrameObs] = []

        def close(run: list[FrameObs] = run, flag: str = flag) -> None:
            if not run:
                return
            seconds = (run[-1].at - run[0].at).total_seconds() + interval
            if len(run) >= settings["min_consecutive_frames"] or seconds >= settings["min_duration_seconds"]:
                end = run[-1].at + timedelta(seconds=interval)
                out.append(
                    IncidentSpec(
                        flag,
                        run[0].at,
                        end,
                        tuple(f.frame_id for f in run),
                        _score(flag, (end - run[0].at).total_seconds(), settings),
                        could_not_tell=flag == "camera_blocked",
                    )
                )
            run.clear()

        for frame in frames:
            # a could-not-tell frame carries none of the other flags, so it ends their runs
            has = (
                bool(frame.flags & set(COULD_NOT_TELL_FLAGS))
                if flag == "camera_blocked"
                else flag in frame.flags
            )
            if has:
                run.append(frame)
            else:
                close()
        close()
    return out


def event_incidents(events: Iterable[EventObs], settings: Mapping[str, Any]) -> list[IncidentSpec]:
    out = []
    for event in events:
        if event.kind not in EVENT_KINDS:
            continue
        if event.duration_seconds < float(settings["min_event_seconds"].get(event.kind, 0)):
            continue
        end = event.at + timedelta(seconds=event.duration_seconds)
        out.append(
            IncidentSpec(event.kind, event.at, end, (), _score(event.kind, event.duration_seconds, settings))
        )
    return out


def gap_incidents(
    signals: Sequence[datetime], start: datetime, end: datetime, settings: Mapping[str, Any]
) -> list[IncidentSpec]:
    """Stretches with neither a frame nor a heartbeat: monitoring that stopped is itself recorded."""
    gap = timedelta(seconds=float(settings["gap_seconds"]))
    out = []
    previous = start
    for at in sorted(s for s in signals if start <= s <= end) + [end]:
        if at - previous > gap:
            out.append(
                IncidentSpec(
                    "monitoring_gap",
                    previous,
                    at,
                    (),
                    _score("monitoring_gap", (at - previous).total_seconds(), settings),
                    could_not_tell=True,
                )
            )
        previous = max(previous, at)
    return out


def coverage(
    frame_times: Sequence[datetime], start: datetime, end: datetime, settings: Mapping[str, Any]
) -> float:
    """Percent of the session for which a frame was at most two intervals old."""
    total = (end - start).total_seconds()
    if total <= 0:
        return 100.0 if frame_times else 0.0
    reach = timedelta(seconds=2 * float(settings["frame_interval_seconds"]))
    covered = 0.0
    times = sorted(t for t in frame_times if start <= t <= end)
    for i, t in enumerate(times):
        stop = min(t + reach, end, times[i + 1] if i + 1 < len(times) else end)
        covered += max(0.0, (stop - t).total_seconds())
    return round(100.0 * covered / total, 1)


def assess(
    frames: Sequence[FrameObs],
    events: Sequence[EventObs],
    heartbeats: Sequence[datetime],
    start: datetime,
    end: datetime,
    settings: Mapping[str, Any],
) -> Assessment:
    frames = sorted(frames, key=lambda f: f.at)
    incidents = frame_incidents(frames, settings) + event_incidents(events, settings)
    signals = [f.at for f in frames] + list(heartbeats)
    incidents += gap_incidents(signals, start, end, settings)
    incidents.sort(key=lambda i: (i.started_at, i.kind))
    return Assessment(
        incidents=incidents,
        risk_score=round(sum(i.score for i in incidents), 2),
        coverage_percent=coverage([f.at for f in frames], start, end, settings),
    )
