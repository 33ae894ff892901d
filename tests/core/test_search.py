"""The words of Chinese text (core.search, issue 12): segmentation, two-character pieces, codes
normalised, queries, and highlighting that escapes everything but its own marks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import aftersales
from aftersales.core.search import document, highlight, query_parse


def words(text: str) -> set[str]:
    return set(document([text]).split())


def test_chinese_is_segmented_into_words_and_two_character_pieces():
    indexed = words("定影组件异响，打印有黑线")
    assert {"定影", "组件", "异响", "黑线"} <= indexed
    assert "影组" in indexed  # a piece: found whatever the segmenter made of the text
    assert "，" not in indexed and "" not in indexed


def test_a_word_the_segmenter_splits_wrongly_is_still_found_by_its_pieces():
    """客户说定影器发烫 is segmented 客户/说定影器发烫 (定影 is not in the dictionary)."""
    indexed = words("客户说定影器发烫")
    assert "定影" in indexed
    query = query_parse("定影器")
    assert query.words == (("定影器", ("定影", "影器")),)
    assert {"定影", "影器"} <= indexed


def test_segmentation_follows_the_most_probable_words_and_joins_characters_that_make_none():
    assert query_parse("打印机经常卡纸").words == (
        ("打印机", ("打印", "印机")),
        ("经常", ()),
        ("卡纸", ()),
    )
    # A name is no dictionary word: its characters stay together (jieba's model of unknown words).
    assert "张伟明" in words("联系人张伟明电话13812345678")
    # Words of more than four characters are known too, with their dictionary words of three.
    assert {"中华人民共和国", "共和国"} <= words("中华人民共和国")


def test_searching_never_imports_jieba_whose_structures_cost_a_worker_11_mb():
    """Only jieba's dictionary file is read (issue 9: a web worker stays under 120 MB)."""
    script = (
        "import django, sys; django.setup();"
        "from aftersales.core import search;"
        "search.document(['定影组件异响 E-302']); search.query_parse('打印机卡纸');"
        "print('jieba' in sys.modules)"
    )
    source = str(Path(aftersales.__file__).parents[1])  # this checkout's code, not an installed one
    environment = {**os.environ, "PYTHONPATH": source}
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=environment
    )
    assert found.stdout.strip() == "False"


def test_fault_codes_and_model_numbers_are_normalised():
    for text in ("错误代码E-302", "错误代码 e302", "错误代码Ｅ－３０２", "错误代码 E 302"):
        assert {"e302", "302"} <= words(text), text
    for text in ("E-302", "e302", "E 302", "Ｅ３０２"):
        assert query_parse(text).words == (("e302", ()),), text
    assert {"lj2400", "2400"} <= words("型号 LJ-2400")


def test_a_document_holds_each_word_once_and_drops_empty_parts():
    text = document(["卡纸 卡纸", None, "", "卡纸"])
    assert text.split().count("卡纸") == 1
    assert "  " not in text and not text.startswith(" ")


def test_a_query_of_punctuation_only_has_no_words():
    assert not query_parse("，。！——")
    assert not query_parse("   ")


def test_highlight_marks_the_words_and_escapes_the_text():
    query = query_parse("定影 e302")
    marked = highlight("<b>定影</b>组件异响，错误代码E-302后卡纸", query)
    assert marked == "&lt;b&gt;<mark>定影</mark>&lt;/b&gt;组件异响，错误代码<mark>E-302</mark>后卡纸"
    assert "<script>" not in highlight("<script>alert(1)</script>定影", query)


def test_highlight_shows_the_part_around_the_first_match_of_a_long_text():
    text = "前言" * 100 + "定影组件异响" + "后记" * 100
    marked = highlight(text, query_parse("定影"), length=40)
    assert "<mark>定影</mark>" in marked
    assert marked.startswith("…") and marked.endswith("…")
