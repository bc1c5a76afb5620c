"""``tandem diagnose CODE`` (one stock, any format) and ``tandem diagnose --all`` (whole market, stored).

``--format mp4`` renders the 个股三分钟 video (and its WebVTT subtitles beside it); with ``--all`` it renders the
whole universe's videos under ``$TANDEM_HOME/videos/<lang>/`` through the compute runner, re-rendering only
stocks whose report changed since the last batch.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tandem.cli.context import console, err_console, market_store, settings
from tandem.compute import LocalPoolRunner, runner_from_settings
from tandem.core.errors import UserError
from tandem.core.i18n import pick_lang
from tandem.diagnosis.batch import diagnose_all
from tandem.diagnosis.llm import rewriter_from_settings
from tandem.diagnosis.render import card, html, jsonout, markdown, pdf
from tandem.diagnosis.render.video import render_video, video_inputs
from tandem.diagnosis.render.video.batch import render_universe
from tandem.diagnosis.render.video.models import Lang
from tandem.diagnosis.results import save_scores, score_changes, stored_days
from tandem.diagnosis.service import DiagnosisService
from tandem.diagnosis.table_files import TableFiles

FORMATS = ("json", "md", "html", "pdf", "png", "mp4")
LANGS = ("zh", "en")


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"--as-of {text!r} is not a date; use YYYY-MM-DD") from None


def _render(service: DiagnosisService, code: str, day: date | None, fmt: str) -> bytes:
    diag = service.diagnose(code, day)
    if fmt == "json":
        return json.dumps(jsonout.to_dict(diag), ensure_ascii=False, indent=2).encode()
    if fmt == "md":
        chunks = markdown.chunk_markdown(markdown.to_markdown(diag))
        return "\n\n<!-- next WeCom message -->\n\n".join(chunks).encode()
    if fmt == "html":
        return html.to_html(diag).encode()
    if fmt == "pdf":
        return pdf.to_pdf(diag)
    return card.to_png(diag)


def _run_all(day: date | None, top: int) -> None:
    s = settings()
    store = market_store(s)
    service = DiagnosisService(store)
    target = day or service.latest_day()
    # The metrics step takes well under a second in this process (0.26 s for the 100-stock sample); a local pool
    # would spend longer starting workers than it saves, so only a configured Ray instance or cluster takes it over.
    runner = runner_from_settings(s) if s.compute == "ray" else None
    with (
        Progress(
            TextColumn("[bold]diagnosing[/bold] {task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=err_console,
        ) as bar,
        runner or nullcontext(),
    ):
        task = bar.add_task("snapshot", total=1)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        table = diagnose_all(store, target, runner=runner, progress=progress)
    summary = table.summary()
    path = save_scores(s.home, summary, target)
    scored = int(summary["composite"].notna().sum())
    console.print(f"{scored} of {len(summary)} stocks scored as of {table.snapshot.day}; saved {path}")
    if any(d < target for d in stored_days(s.home)):
        changes = score_changes(s.home, target, top=top)
        out = Table(title="largest composite changes since the previous stored day")
        for col in ("code", "name", "composite_prev", "composite", "change"):
            out.add_column(col, justify="right")
        for r in changes.itertuples():
            out.add_row(str(r.code), str(r.name), f"{r.composite_prev:.1f}", f"{r.composite:.1f}", f"{r.change:+.1f}")
        console.print(out)


def _lang(text: str) -> Lang:
    return pick_lang(text, None)


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}[/bold]"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
    )


def _video(code: str, day: date | None, lang: Lang, out: Path | None) -> None:
    """One stock's video: frames drawn on the configured runner (a local pool by default), written atomically."""
    s = settings()
    store = market_store(s)
    service = DiagnosisService(
        store,
        rewriter=rewriter_from_settings(s.llm_base_url, s.llm_api_key, s.llm_model),
        table_files=TableFiles.under(s.home),
    )
    diag = service.diagnose(code, day)
    target = out or Path(f"{diag.code}.mp4")
    # Frames are drawn on forked workers: a fork server would start a fresh interpreter and import matplotlib
    # (measured 9.7 s to start under load 9 vs 0.03 s forked), more than drawing a dozen scenes costs.
    runner = runner_from_settings(s) if s.compute == "ray" else LocalPoolRunner(s.compute_workers, start_method="fork")
    with runner:
        result = render_video(diag, target, inputs=video_inputs(store, diag), lang=lang, runner=runner)
    err_console.print(
        f"wrote {result.path} ({result.size_bytes:,} bytes, {result.duration_s:.1f} s, {len(result.cues)} cues) "
        f"and {result.vtt_path}"
    )


def _videos_all(lang: Lang) -> None:
    """Every stock's video under the data home, cached per store version."""
    s = settings()
    service = DiagnosisService(
        market_store(s),
        rewriter=rewriter_from_settings(s.llm_base_url, s.llm_api_key, s.llm_model),
        table_files=TableFiles.under(s.home),
    )
    out_dir = s.home / "videos" / lang
    with _progress_bar() as bar, runner_from_settings(s) as runner:
        task = bar.add_task("videos", total=1)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        outcome = render_universe(service, out_dir, runner=runner, lang=lang, progress=progress)
    console.print(
        f"{len(outcome.rendered)} rendered, {len(outcome.cached)} unchanged (store version {outcome.version}), "
        f"{len(outcome.failed)} without a video; in {out_dir}"
    )
    for code, reason in list(outcome.failed.items())[:20]:
        err_console.print(f"  {code}: {reason}")


def diagnose(
    code: Annotated[str | None, typer.Argument(help="Stock code such as 600519.SH (omit with --all)")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Diagnose as of YYYY-MM-DD (default: last day)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json, md, html, pdf, png or mp4")] = "json",
    out: Annotated[Path | None, typer.Option("--out", "--output", help="Write to this file instead of stdout")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Video narration and subtitles: zh or en")] = "zh",
    all_: Annotated[bool, typer.Option("--all", help="Diagnose every stock and store the results")] = False,
    top: Annotated[int, typer.Option("--top", min=1, max=500, help="With --all: changes to list")] = 10,
) -> None:
    """Point-in-time stock diagnosis with evidence, the three-minute brief and report exports."""
    day = _day(as_of)
    if fmt not in FORMATS:
        raise UserError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if lang not in LANGS:
        raise UserError(f"--lang must be zh or en, not {lang!r}")
    if all_:
        if code:
            raise UserError("give either a CODE or --all, not both")
        if fmt == "mp4":
            if day is not None:
                raise UserError("--all --format mp4 renders the latest day only; drop --as-of")
            _videos_all(_lang(lang))
            return
        _run_all(day, top)
        return
    if not code:
        raise UserError("give a stock code (e.g. `tandem diagnose 600519.SH`) or --all")
    if fmt == "mp4":
        _video(code, day, _lang(lang), out)
        return
    if fmt in ("pdf", "png") and out is None:
        raise UserError(f"--format {fmt} is binary; give --out FILE.{fmt}")
    s = settings()
    service = DiagnosisService(
        market_store(s),
        rewriter=rewriter_from_settings(s.llm_base_url, s.llm_api_key, s.llm_model),
        table_files=TableFiles.under(s.home),
    )
    data = _render(service, code, day, fmt)
    if out is None:
        typer.echo(data.decode())
        return
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(out)  # atomic: a crash mid-write leaves the old file, never half a report
    err_console.print(f"wrote {out} ({len(data):,} bytes)")
