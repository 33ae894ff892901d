"""The words of Chinese text (core.search, issue 12): segmentation, two-character pieces, codes
normalised, queries, and highlighting that escapes everything but its own marks."""

from __future__ import annotations

from aftersales.core.search import document, highlight, query_parse


def words(text: str) -> set[str]:
    return set(document([text]).split())


def test_chinese_is_segmented_into_words_and_two_character_pieces():
    indexed = words("定影组件异响，打印有黑线")
    assert {"定影", "组件", "异响", "黑线"} <= indexed
    assert "影组" in indexed  # a piece: found whatever the segmenter made of the text
    assert "，" not in indexed and "" not in indexed


def test_a_word_the_segmenter_splits_wrongly_is_still_found_by_its_pieces():
    """客户说定影器发烫 is segmented 客户/说定/影器/发烫 (定影器 is not in the dictionary)."""
    indexed = words("客户说定影器发烫")
    assert "定影" in indexed
    query = query_parse("定影器")
    assert query.words == (("定影器", ("定影", "影器")),)
    assert {"定影", "影器"} <= indexed


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
