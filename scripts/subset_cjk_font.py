"""Build the app's CJK web font: a WOFF subset of mplfonts' Noto Sans CJK SC (GB2312 + the app's own words).

Run by scripts/vendor_js.sh; takes ~40 s once. Usage: python scripts/subset_cjk_font.py OUT.woff
"""

from __future__ import annotations

import sys
from pathlib import Path

import mplfonts
from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]


def charset() -> set[int]:
    """ASCII, CJK punctuation, full-width forms, all of GB2312, and every character in the web app's sources."""
    chars = set(range(0x20, 0x7F)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    chars |= {0xB7, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0x2030, 0x2103, 0x2190, 0x2191, 0x2192, 0x2193}
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    for path in (ROOT / "src" / "tandem").rglob("*"):
        if path.suffix in {".py", ".html", ".yaml"}:
            chars |= {ord(c) for c in path.read_text(encoding="utf-8", errors="ignore") if ord(c) > 0x2E80}
    return chars


def main(out: str) -> None:
    src = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    opts = subset.Options()
    opts.flavor = "woff"
    opts.layout_features = ["*"]
    opts.hinting = False
    font = TTFont(src)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=charset())
    sub.subset(font)
    subset.save_font(font, out, opts)
    print(f"subset_cjk_font: wrote {out} ({Path(out).stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main(sys.argv[1])
