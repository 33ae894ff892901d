"""`{% load documents %}`: helpers of the printed forms (`printing/form_base.html`)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from aftersales.core.qr import qr_svg

register = template.Library()


@register.simple_tag(takes_context=True)
def qr_code(context, url: str) -> SafeString:
    """`{% qr_code record_url %}`: the QR code opening `url`, made absolute from the request
    (so a phone scanning the paper reaches this site); a URL without a request is used as is."""
    request = context.get("request")
    return qr_svg(request.build_absolute_uri(url) if request is not None else url)
