"""Decoding and splitting source files into string columns with their line numbers.

Every source quirk that is about bytes (gzip, GBK, BOM, truncated or ragged lines) is handled here, once, so that
importers only map columns. Problems are reported per line as ``file:line: field: what is wrong``.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt
import polars as pl
from isal import igzip, igzip_lib

# the stub types igzip_lib.IsalError as an instance; it is the class raised for corrupt deflate data
_GZIP_ERRORS: tuple[type[Exception], ...] = (EOFError, OSError, zlib.error, cast(type[Exception], igzip_lib.IsalError))


@dataclass(frozen=True, slots=True)
class Problem:
    """One validation finding, addressed to a line of a source file."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


@dataclass(slots=True)
class ParsedFile:
    """A source file as string columns plus a ``_line`` column, and the byte-level problems found."""

    path: Path
    frame: pl.DataFrame
    problems: list[Problem] = field(default_factory=list)
    bad_lines: set[int] = field(default_factory=set)


def read_bytes(path: Path) -> bytes:
    """File content, transparently gunzipped (``.gz``) or taken from a single-member ``.zip``."""
    raw = path.read_bytes()
    if path.suffix == ".gz" or raw[:2] == b"\x1f\x8b":
        # ISA-L inflates ~3x faster than zlib (gunzip was a quarter of the whole import); same output and checks
        try:
            data: bytes = igzip.decompress(raw)  # type: ignore[no-untyped-call]
        except _GZIP_ERRORS as exc:
            raise ValueError(f"{path.name}: not a complete gzip file ({exc}); re-download or re-compress it") from exc
        return data
    if path.suffix == ".zip":
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            members = [m for m in zf.namelist() if not m.endswith("/")]
            if len(members) != 1:
                raise ValueError(f"{path}: zip holds {len(members)} files; expected exactly one")
            return zf.read(members[0])
    return raw


def decode(path: Path, raw: bytes, encoding: str) -> tuple[str, list[Problem], set[int]]:
    """Decode, reporting each line whose bytes are invalid in ``encoding`` instead of failing the whole file."""
    problems: list[Problem] = []
    bad: set[int] = set()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode(encoding), problems, bad
    except UnicodeDecodeError:
        pass
    lines = raw.split(b"\n")
    out: list[str] = []
    for i, line in enumerate(lines, start=1):
        try:
            out.append(line.decode(encoding))
        except UnicodeDecodeError as exc:
            hint = " (looks like GBK; re-save as UTF-8)" if _is_gbk(line) else ""
            problems.append(
                Problem(path.name, i, "encoding", f"bytes {line[exc.start : exc.start + 4]!r} are not {encoding}{hint}")
            )
            bad.add(i)
            out.append(line.decode(encoding, errors="replace"))
    return "\n".join(out), problems, bad


def _is_gbk(line: bytes) -> bool:
    try:
        line.decode("gbk")
    except UnicodeDecodeError:
        return False
    return True


def parse_csv(path: Path, *, encoding: str = "utf-8", separator: str = ",", has_header: bool = True) -> ParsedFile:
    """Split a delimited file into all-string columns, flagging ragged (e.g. truncated) lines per line number.

    Well-formed files (clean bytes, no quotes, no blank lines, the same number of fields on every line) take a fast
    path through the polars CSV reader; anything else goes through the line-splitting path that reports each bad
    line. Both give the same frame.
    """
    raw = read_bytes(path)
    fast = _parse_clean(path, raw, encoding, separator, has_header)
    if fast is not None:
        return fast
    text, problems, bad = decode(path, raw, encoding)
    return _parse_lines(path, text, problems, bad, separator, has_header)


def parse_many(paths: list[Path], **kwargs: str | bool) -> list[ParsedFile]:
    """:func:`parse_csv` over many files on a small thread pool (decompression and CSV parsing release the GIL)."""
    if len(paths) < 4:
        return [parse_csv(p, **kwargs) for p in paths]  # type: ignore[arg-type]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda p: parse_csv(p, **kwargs), paths))  # type: ignore[arg-type]


def _parse_clean(path: Path, raw: bytes, encoding: str, separator: str, has_header: bool) -> ParsedFile | None:
    """The fast path, or None when the file needs the careful one."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw or b'"' in raw or b"\r" in raw:
        return None
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        return None
    if encoding.replace("-", "").lower() not in ("utf8", "ascii"):
        raw = text.encode("utf-8")
    body = raw[:-1] if raw.endswith(b"\n") else raw
    if b"\n\n" in body or raw.startswith(b"\n"):
        return None
    n_lines = body.count(b"\n") + 1
    first = body.split(b"\n", 1)[0]
    n_fields = first.count(separator.encode()) + 1
    if body.count(separator.encode()) != (n_fields - 1) * n_lines:
        return None
    try:
        frame = pl.read_csv(
            raw,
            has_header=has_header,
            separator=separator,
            infer_schema=False,
            quote_char=None,
            new_columns=None if has_header else [f"c{i}" for i in range(n_fields)],
        )
    except pl.exceptions.PolarsError:
        return None
    start = 2 if has_header else 1
    if frame.height != n_lines - (start - 1) or frame.width != n_fields:
        return None
    names = [c.strip() for c in frame.columns]
    frame = frame.rename(dict(zip(frame.columns, names, strict=True)))
    if b" " in raw or b"\t" in raw:
        frame = frame.with_columns([pl.col(c).str.strip_chars() for c in names])
    return ParsedFile(
        path,
        frame.with_columns(
            pl.int_range(start, start + frame.height, dtype=pl.Int64).alias("_line"), pl.lit(path.name).alias("_file")
        ),
    )


def _parse_lines(
    path: Path, text: str, problems: list[Problem], bad: set[int], separator: str, has_header: bool
) -> ParsedFile:
    lines = pl.Series("l", text.split("\n"))
    if lines.len() and lines[-1] == "":
        lines = lines.head(lines.len() - 1)
    lines = lines.str.strip_suffix("\r")
    if lines.len() == 0:
        raise ValueError(f"{path.name}: file is empty; expected a header line and rows")
    header = lines[0].split(separator) if has_header else None
    body = lines.slice(1) if has_header else lines
    n_fields = len(header) if header else int(body.str.count_matches(separator, literal=True).max() or 0) + 1  # type: ignore[arg-type]
    counts = body.str.count_matches(separator, literal=True) + 1
    line_no = pl.Series("_line", range(2 if has_header else 1, body.len() + (2 if has_header else 1)), pl.Int64)
    ragged = (counts != n_fields) & (body.str.len_chars() > 0)
    for ln, cnt in zip(line_no.filter(ragged).to_list(), counts.filter(ragged).to_list(), strict=True):
        problems.append(
            Problem(path.name, ln, "line", f"has {cnt} fields, expected {n_fields} (truncated or malformed line)")
        )
        bad.add(ln)
    keep = body.str.len_chars() > 0
    body, line_no = body.filter(keep), line_no.filter(keep)
    names = [h.strip().strip('"') for h in header] if header else [f"c{i}" for i in range(n_fields)]
    split = body.str.split_exact(separator, n_fields - 1).struct.rename_fields(names)
    frame = (
        split.struct.unnest()
        .with_columns([pl.col(c).str.strip_chars().str.strip_chars('"') for c in names])
        .with_columns(line_no, pl.lit(path.name).alias("_file"))
    )
    return ParsedFile(path, frame, problems, bad)


def parse_quoted(path: Path, *, encoding: str = "utf-8") -> ParsedFile:
    """A CSV with quoted fields (thousands separators, multi-line text) via polars' quoting reader.

    Line numbers account for newlines inside quoted fields. Used for small vendor exports only; undecodable bytes
    raise a ``ValueError`` naming the file.
    """
    raw = read_bytes(path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path.name}: bytes at offset {exc.start} are not {encoding}; re-save as UTF-8") from exc
    frame = pl.read_csv(text.encode("utf-8"), infer_schema=False, quote_char='"')
    if frame.height == 0:
        return ParsedFile(
            path, frame.with_columns(pl.lit(None, pl.Int64).alias("_line"), pl.lit(path.name).alias("_file"))
        )
    newlines = frame.select(pl.col(pl.String).str.count_matches("\n").fill_null(0)).sum_horizontal()
    first_line = 2 + newlines.cum_sum().shift(1).fill_null(0) + pl.int_range(0, frame.height, eager=True)
    frame = frame.rename({c: c.strip() for c in frame.columns})
    return ParsedFile(
        path, frame.with_columns(first_line.cast(pl.Int64).alias("_line"), pl.lit(path.name).alias("_file"))
    )


@dataclass(slots=True)
class Batch:
    """Rows of many files with ``_file``/``_line``, their byte-level problems and a mask of rows on bad lines.

    ``typed`` is True when the frame came from the typed fast path: the requested columns already hold their
    dtypes and no value failed to parse (so there is nothing for a parse check to find). Otherwise every column
    is a string, exactly as in the source.
    """

    frame: pl.DataFrame
    problems: list[Problem]
    bad_line: pl.Series
    typed: bool = False


def parse_batch(
    paths: list[Path],
    *,
    encoding: str = "utf-8",
    dtypes: Mapping[str, type[pl.DataType]] | None = None,
    date_format: str = "%Y-%m-%d",
) -> Batch:
    """Parse many comma-separated files at once: the result of ``concat_parsed(parse_many(paths))``, faster.

    With ``dtypes`` (column → ``pl.Float64`` or ``pl.Date``) a batch of clean ASCII files is parsed straight into
    those types in one polars call per header: no all-string round trip. Any doubt (quotes, spaces, CR, non-ASCII,
    ragged lines, a value that does not parse) sends the whole batch to the string path instead, which finds and
    reports each problem against its own line; the two paths agree on every value they both accept.
    """
    # serial on purpose: ISA-L inflates these small files faster than a thread pool can hand them out (75 vs 90 ms)
    raws = [read_bytes(p) for p in paths]
    raws = [r[3:] if r.startswith(b"\xef\xbb\xbf") else r for r in raws]
    utf8 = encoding.replace("-", "").lower() in ("utf8", "ascii")
    if dtypes and utf8:
        typed = _parse_typed(paths, raws, dtypes, date_format)
        if typed is not None:
            return Batch(typed, [], pl.Series("bad", np.zeros(typed.height, dtype=bool)), typed=True)
    frame, problems, mask = _parse_strings(paths, raws, encoding)
    return Batch(frame, problems, mask)


def _parse_typed(
    paths: list[Path], raws: list[bytes], dtypes: Mapping[str, type[pl.DataType]], date_format: str
) -> pl.DataFrame | None:
    """The typed fast path over files grouped by header, or None when any file needs the string path."""
    groups: dict[bytes, list[int]] = {}
    for i, raw in enumerate(raws):
        nl = raw.find(b"\n")
        if nl <= 0 or nl == len(raw) - 1:
            return None
        groups.setdefault(raw[:nl], []).append(i)
    frames = []
    for head, members in groups.items():
        frame = _read_typed_group(head, [(paths[i], raws[i]) for i in members], dtypes, date_format)
        if frame is None:
            return None
        frames.append(frame)
    return frames[0] if len(frames) == 1 else pl.concat(frames, how="diagonal_relaxed")


def _read_typed_group(
    head: bytes, items: list[tuple[Path, bytes]], dtypes: Mapping[str, type[pl.DataType]], date_format: str
) -> pl.DataFrame | None:
    """Stitch one header's files into one buffer, check its bytes in a few numpy passes, parse it typed."""
    if not head.isascii() or b'"' in head or b"\r" in head:
        return None
    names = head.decode("ascii").split(",")
    stripped = [n.strip() for n in names]
    if len(names) < 2 or len(set(stripped)) != len(names):
        return None
    pieces: list[bytes | memoryview] = [head, b"\n"]
    for _, raw in items:
        pieces.append(memoryview(raw)[len(head) + 1 :])
        if not raw.endswith(b"\n"):
            pieces.append(b"\n")
    buf = b"".join(pieces)
    body = np.frombuffer(buf, dtype=np.uint8)[len(head) + 1 :]
    newlines = np.flatnonzero(body == 10)
    commas = int(np.count_nonzero(body == 44))
    # every line holds exactly len(names)-1 commas (polars rejects lines with more, so the total is enough), and
    # no byte below '-' other than ',' and newline: no quote, space, tab or CR that the typed parser would accept
    # where the string path would not
    if not buf.isascii() or commas != (len(names) - 1) * newlines.size:
        return None
    if int(np.count_nonzero(body < 45)) != commas + newlines.size:
        return None
    dates = [n for n, s in zip(names, stripped, strict=True) if dtypes.get(s) is pl.Date]
    schema = {n: (pl.String if n in dates else dtypes.get(s, pl.String)) for n, s in zip(names, stripped, strict=True)}
    try:
        frame = pl.read_csv(buf, schema=schema, quote_char=None)
        if frame.height != newlines.size:
            return None
        frame = frame.with_columns([pl.col(d).str.to_date(date_format, strict=True) for d in dates])
    except pl.exceptions.PolarsError:
        return None
    ends = np.cumsum([len(raw) - len(head) - 1 + (not raw.endswith(b"\n")) for _, raw in items])
    counts = np.diff(np.searchsorted(newlines, ends), prepend=0)
    return _with_origin(frame.rename(dict(zip(names, stripped, strict=True))), [p for p, _ in items], counts)


def _with_origin(frame: pl.DataFrame, paths: list[Path], counts: npt.NDArray[np.int64]) -> pl.DataFrame:
    """Add ``_line`` (line 2 is each file's first row) and ``_file`` to rows stacked file after file."""
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    names = pl.Series("_file", [p.name for p in paths], dtype=pl.String)
    return frame.with_columns(
        pl.Series("_line", np.arange(frame.height, dtype=np.int64) - starts + 2),
        names.gather(np.repeat(np.arange(len(paths)), counts)),
    )


def _parse_strings(
    paths: list[Path], raws: list[bytes], encoding: str
) -> tuple[pl.DataFrame, list[Problem], pl.Series]:
    """All-string parse: clean files stitched per header, the others through the careful per-file path."""
    groups: dict[bytes, list[tuple[Path, bytes, int]]] = {}
    careful: list[Path] = []
    utf8 = encoding.replace("-", "").lower() in ("utf8", "ascii")
    for path, raw in zip(paths, raws, strict=True):
        head, sep, body = raw.partition(b"\n")
        clean = utf8 and sep and body and b'"' not in raw and b"\r" not in raw and b"\n\n" not in raw
        if clean:
            if not body.endswith(b"\n"):
                body += b"\n"
            n_lines = body.count(b"\n")
            clean = body.count(b",") == head.count(b",") * n_lines and (raw.isascii() or _decodes(raw, encoding))
        if clean:
            groups.setdefault(head, []).append((path, body, n_lines))
        else:
            careful.append(path)
    frames: list[pl.DataFrame] = []
    for head, items in groups.items():
        buf = b"".join([head, b"\n", *(body for _, body, _ in items)])
        try:
            frame = pl.read_csv(buf, infer_schema=False, quote_char=None)
        except pl.exceptions.PolarsError:
            careful.extend(p for p, _, _ in items)
            continue
        counts = np.array([n for _, _, n in items], dtype=np.int64)
        if frame.height != int(counts.sum()):
            careful.extend(p for p, _, _ in items)
            continue
        frame = frame.rename({c: c.strip() for c in frame.columns})
        frames.append(_with_origin(frame, [p for p, _, _ in items], counts))
    problems: list[Problem] = []
    bad_mask: list[pl.Series] = []
    if careful:
        extra, problems, on_bad = _concat_parsed([parse_csv(p, encoding=encoding) for p in careful])
        frames.append(extra)
        bad_mask.append(on_bad)
    if not frames:
        raise ValueError("no rows to parse")
    frame = pl.concat(frames, how="diagonal_relaxed")
    clean_rows = frame.height - sum(m.len() for m in bad_mask)
    mask = pl.concat([pl.Series("bad", [False] * clean_rows, dtype=pl.Boolean), *bad_mask])
    return frame, problems, mask


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _concat_parsed(parsed: list[ParsedFile]) -> tuple[pl.DataFrame, list[Problem], pl.Series]:
    frame = pl.concat([p.frame for p in parsed], how="diagonal_relaxed")
    problems = [q for p in parsed for q in p.problems]
    bad_keys = [f"{p.path.name}:{ln}" for p in parsed for ln in p.bad_lines]
    key = frame.get_column("_file") + ":" + frame.get_column("_line").cast(pl.String)
    return frame, problems, key.is_in(bad_keys)
