"""Videos of the whole universe through a batch runner, cached per store version: only changed stocks re-render.

A manifest (``manifest.json`` in the output directory) records the store version and the render options
(language, scene limit, ``RENDER_VERSION``) it was built for and, per code, a fingerprint of what the video
shows (the JSON report, the price line and the options). Under the same store version and options nothing is
diagnosed or rendered again; under a new one every stock is diagnosed (one market table) and only stocks whose
fingerprint changed — or whose file is gone — are rendered. The manifest is replaced atomically after the
renders, so an interrupted batch re-renders what it had not finished.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tandem.compute import BatchRunner, Progress
from tandem.core.errors import UserError
from tandem.diagnosis.models import Diagnosis
from tandem.diagnosis.render import jsonout
from tandem.diagnosis.render.video.inputs import VideoInputs, video_inputs
from tandem.diagnosis.render.video.models import Lang
from tandem.diagnosis.render.video.render import render_video
from tandem.diagnosis.render.video.tools import VideoTools
from tandem.diagnosis.service import DiagnosisService
from tandem.diagnosis.universe import stock_codes

RENDER_VERSION = "1"
"""Bump when the look of the video changes, so every cached file is rendered again."""
MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class VideoJob:
    """One stock's render, picklable for a worker process."""

    diag: Diagnosis
    inputs: VideoInputs
    out: Path
    lang: Lang
    tools: VideoTools
    max_scenes: int | None = None


@dataclass(slots=True)
class BatchOutcome:
    """What a batch did: the store version, codes rendered, codes kept from the cache, codes without a video."""

    version: str | None
    rendered: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def fingerprint(diag: Diagnosis, lang: Lang, max_scenes: int | None = None) -> str:
    """A digest of everything the video shows: change one number and the stock is rendered again."""
    doc = {"report": jsonout.to_dict(diag), "prices": [(d.isoformat(), c) for d, c in diag.price_history]}
    basis = json.dumps(doc, ensure_ascii=False, sort_keys=True) + f"|{lang}|{max_scenes}|{RENDER_VERSION}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def render_job(job: VideoJob) -> str:
    """Render one stock's video (frames in this process: the batch is already spread over the workers)."""
    render_video(job.diag, job.out, inputs=job.inputs, lang=job.lang, tools=job.tools, max_scenes=job.max_scenes)
    return job.diag.code


def _read_manifest(path: Path) -> dict[str, object]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a damaged manifest only costs a full re-render
    return data if isinstance(data, dict) else {}


def _write_manifest(path: Path, version: str | None, options: str, entries: dict[str, str]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    doc = {"store_version": version, "options": options, "videos": entries}
    tmp.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def render_universe(
    service: DiagnosisService,
    out_dir: Path,
    *,
    runner: BatchRunner,
    lang: Lang = "zh",
    tools: VideoTools | None = None,
    codes: list[str] | None = None,
    max_scenes: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> BatchOutcome:
    """Render the videos of ``codes`` (default: every stock) into ``out_dir/<code>.mp4`` (+ ``.vtt``).

    ``max_scenes`` makes short previews (see :func:`render_video`); it is part of the fingerprint.
    """
    tools = tools or VideoTools()
    tools.resolved()  # a missing program fails before any work
    out_dir.mkdir(parents=True, exist_ok=True)
    store = service.store
    version = store.current_version()
    manifest_path = out_dir / MANIFEST
    manifest = _read_manifest(manifest_path)
    old = manifest.get("videos")
    entries: dict[str, str] = {str(k): str(v) for k, v in old.items()} if isinstance(old, dict) else {}
    wanted = codes if codes is not None else stock_codes(store)
    outcome = BatchOutcome(version=version)
    options = f"{lang}|{max_scenes}|{RENDER_VERSION}"
    same = manifest.get("store_version") == version and manifest.get("options") == options
    if same and all(c in entries and (out_dir / f"{c}.mp4").is_file() for c in wanted):
        outcome.cached = list(wanted)
        return outcome
    jobs: list[VideoJob] = []
    for i, code in enumerate(wanted):
        if progress:
            progress("diagnosing", i, len(wanted))
        try:
            diag = service.diagnose(code)
        except UserError as exc:
            outcome.failed[code] = str(exc)
            continue
        digest = fingerprint(diag, lang, max_scenes)
        out = out_dir / f"{diag.code}.mp4"
        if entries.get(diag.code) == digest and out.is_file():
            outcome.cached.append(diag.code)
            continue
        entries.pop(diag.code, None)
        entries[f"pending:{diag.code}"] = digest
        jobs.append(VideoJob(diag, video_inputs(store, diag), out, lang, tools, max_scenes))
    step: Progress | None = None if progress is None else (lambda done, total: progress("rendering", done, total))
    done = runner.map(render_job, jobs, chunksize=1, progress=step) if jobs else []
    for code in done:
        entries[code] = entries.pop(f"pending:{code}")
    entries = {k: v for k, v in entries.items() if not k.startswith("pending:")}
    _write_manifest(manifest_path, version, options, entries)
    outcome.rendered = list(done)
    return outcome
