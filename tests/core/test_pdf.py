"""R21 printed documents: one template is the print view and the PDF (WeasyPrint), Chinese text
rendered with a CJK font, the company header, the record's number and a QR code that opens it."""

from __future__ import annotations

import io

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from aftersales.core.models import AccessLog
from aftersales.core.pdf import (
    company_header,
    document_response,
    render_pdf,
    static_fetcher_class,
    static_file,
)
from aftersales.core.qr import qr_svg

BASE = "printing/form_base.html"


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def pdf_fonts(content: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


def doc(**extra) -> dict:
    return {"title": "技术服务任务单", "number": "WO202611220042", "record_url": "/workorders/42/", **extra}


def test_r21_pdf_renders_chinese_company_header_number_in_cjk_font():
    with translation.override("zh-hans"):
        content = render_pdf(BASE, doc())
        address_label = gettext("Address")
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "WO202611220042" in text
    assert "技术服务任务单" in text
    assert "华东数码办公设备有限公司" in text and "400-820-6688" in text  # the demo company
    assert address_label == "地址" and "地址" in text
    # the stylesheet was loaded from the static files: its CJK font family is embedded
    assert any("WenQuanYi" in font for font in pdf_fonts(content))


def test_r21_company_header_comes_from_settings(settings):
    settings.AFTERSALES_COMPANY = {**settings.AFTERSALES_COMPANY, "name": "成都蜀信科技有限公司"}
    header = company_header()
    assert header["name"] == "成都蜀信科技有限公司" and header["hotline"] == "400-820-6688"
    assert "成都蜀信科技有限公司" in pdf_text(render_pdf(BASE, doc()))


def test_r21_qr_code_is_inline_svg_of_the_url():
    svg = qr_svg("https://service.example.cn/workorders/42/")
    assert svg.startswith("<svg") and 'class="qr"' in svg and "viewBox" in svg
    assert svg == qr_svg("https://service.example.cn/workorders/42/")
    assert svg != qr_svg("https://service.example.cn/workorders/43/")
    assert "example.cn" not in svg


def test_r21_qr_code_is_drawn_in_the_pdf():
    def drawing(content: bytes) -> int:
        return len(PdfReader(io.BytesIO(content)).pages[0].get_contents().get_data())

    with_qr = render_pdf(BASE, doc())
    without = render_pdf(BASE, doc(record_url=""))
    assert drawing(with_qr) > drawing(without) + 500


def test_r16_customers_copy_label_is_printed():
    assert "客户联" in pdf_text(render_pdf(BASE, doc(copy_label="客户联")))


def test_r21_static_files_are_read_from_disk_and_nothing_else_is_fetched():
    assert static_file("http://testserver/static/aftersales/print.css").name == "print.css"
    assert static_file("/static/aftersales/missing.css") is None
    assert static_file("http://intranet.example/secret") is None
    fetcher = static_fetcher_class()()
    assert b"@page" in fetcher.fetch("http://testserver/static/aftersales/print.css").read()
    with pytest.raises(ValueError):
        fetcher.fetch("http://169.254.169.254/latest/meta-data/")


@pytest.mark.django_db
def test_r21_document_response_serves_print_view_or_pdf_and_logs_access(agent):
    factory = RequestFactory()

    def get(query: str) -> HttpResponse:
        request = factory.get(f"/field/workorders/42/task-form/{query}")
        request.user = agent
        return document_response(request, template_name=BASE, context=doc(), filename="任务单-WO202611220042")

    page = get("?copies=2")
    html = page.content.decode()
    assert page["Content-Type"].startswith("text/html")
    assert 'data-testid="doc-toolbar"' in html and 'data-print data-testid="doc-print"' in html
    assert 'href="?copies=2&amp;format=pdf"' in html
    assert '<svg viewBox="0 0' in html and "WO202611220042" in html
    assert "http://testserver/static/aftersales/print.css" not in html  # a relative link on screen

    download = get("?format=pdf")
    assert download["Content-Type"] == "application/pdf" and download.content.startswith(b"%PDF")
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".pdf" in disposition and "utf-8''" in disposition
    logs = list(AccessLog.objects.filter(actor=agent, resource="document").values_list("action", "detail"))
    assert sorted(logs) == [
        (AccessLog.Action.EXPORT, "任务单-WO202611220042.pdf"),
        (AccessLog.Action.VIEW, "任务单-WO202611220042.pdf"),
    ]
