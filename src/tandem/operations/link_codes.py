"""A referral link as a partner publishes it: the full landing URL and its QR code (SVG).

The URL carries the link's channel, partner and campaign as ``utm_*`` parameters for the partner's own tooling,
but the landing trusts only the code (see :mod:`tandem.operations.referrals`). The QR code encodes the same URL
with error correction level M (15 %: survives a printed poster's wear) and a four-module quiet zone, the
ISO/IEC 18004 minimum scanners need.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

import segno

from tandem.operations.referrals import LinkParams
from tandem.operations.steps import DIRECT


def landing_url(base_url: str, link: LinkParams) -> str:
    """``<base>/r/<code>?utm_source=…[&utm_content=<partner>][&utm_campaign=<campaign>]``."""
    query = {"utm_source": link.source}
    if link.partner != DIRECT:
        query["utm_content"] = link.partner
    if link.campaign != DIRECT:
        query["utm_campaign"] = link.campaign
    return f"{base_url.rstrip('/')}/r/{link.code}?{urlencode(query)}"


def qr_svg(url: str, *, scale: int = 6) -> bytes:
    """The QR code of ``url`` as a standalone SVG document."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="svg", scale=scale, border=4, xmldecl=True)
    return out.getvalue()
