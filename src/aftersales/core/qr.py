"""QR codes on printed forms (R21): scanning the code of a paper form opens its record.

The code is inline SVG (no image file, no request back to the server), so the HTML print view and
the PDF rendered from it by WeasyPrint show the same sharp code at any size."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str) -> SafeString:
    """The QR code of `url` as inline `<svg class="qr">` markup, safe to render in a template.

    Error correction M (15 %) survives a smudged print; sized by CSS through its viewBox. The
    markup is built by segno from the code's modules only: `url` itself never appears in it, so
    no escaping is needed."""
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(scale=1, border=2, omitsize=True, svgclass="qr", lineclass=None)
    return mark_safe(svg)
