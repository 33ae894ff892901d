"""Search that understands Chinese (issue 12; design in shared/design/next-areas.md §3).

Chinese has no spaces, and neither PostgreSQL's `simple` configuration nor SQLite's FTS5
tokenizers split it into words (a trigram index cannot even find a two-character word such as
卡纸). So the application segments text itself, with jieba, and stores the words in a search-only
column of a model's index table; the database indexes those words as they are:

- PostgreSQL: a stored generated `tsvector` (`array_to_tsvector` of the words, no parsing, no
  stemming) with a GIN index; queries are `tsquery` values built from the same words.
- SQLite: an FTS5 table over the column (its `unicode61` tokenizer splits on the spaces), kept in
  step by triggers, so bulk writes and test flushes keep it right too.

Fault codes and model numbers are normalised before segmentation (`E-302`, `e302` and `E 302` all
become `e302`; the index also keeps the digits, `302`).

Segmentation is not always right (客户说定影器发烫 comes out as 客户/说定/影器/发烫 when 定影器 is
not in the dictionary), so every two-character piece of a run of Chinese characters is indexed as
well, and a query word of three or more characters also matches when all its pieces are there:
定影 finds that text, whatever the segmenter made of it. The jieba words still count in ranking.

Memory: jieba's full dictionary (349,046 words) costs a process about 80 MB, more than a web
worker may grow. The segmenter takes the dictionary's `SEARCH_DICTIONARY_WORDS` most frequent
words (50,000: about 8 MB) and jieba's model of unknown words (names, new terms) does the rest. A
query word is also matched by the sub-words it is made of, so documents indexed before a word
entered the dictionary are still found.
"""

from __future__ import annotations

import functools
import heapq
import html
import io
import logging
import os
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, migrations
from django.db.models import BooleanField, Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

# A code: letters then digits, maybe joined by a dash, underscore, dot or space (E-302, LJ 2400).
CODE = re.compile(r"(?<![a-z0-9])([a-z]{1,8})[-_. ]?(\d{1,12})(?![0-9])")
# A run of Chinese characters: its two-character pieces are indexed too (below).
CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")
# A word worth indexing holds a letter, a digit or a CJK character (not punctuation or spaces).
WORDLIKE = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")
MAX_WORD = 60  # longer "words" (hashes, URLs) are cut; PostgreSQL refuses lexemes over 2 KB
MAX_WORDS = 4000  # per document: a tsvector holds at most 1 MB
QUERY_MAX_CHARS = 200


class _Segmenter:
    """jieba with the trimmed dictionary, built once per process on first use."""

    def __init__(self) -> None:
        self._tokenizer = None
        self._lock = threading.Lock()

    def tokenizer(self):
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    self._tokenizer = self._build()
        return self._tokenizer

    @staticmethod
    def _build():
        import sys

        # jieba reads its files through setuptools' pkg_resources when it can, and importing that
        # costs a process about 11 MB and 75 ms; without it jieba opens the same files directly.
        blocked = "pkg_resources" not in sys.modules
        if blocked:
            sys.modules["pkg_resources"] = None  # type: ignore[assignment]
        try:
            import jieba
        finally:
            if blocked:
                del sys.modules["pkg_resources"]

        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(io.BytesIO(_trimmed_dictionary(jieba)))
        tokenizer.initialized = True
        return tokenizer


def _trimmed_dictionary(jieba) -> bytes:
    """jieba's most frequent words, one "word frequency" per line: built from its dictionary once
    and kept in SEARCH_CACHE_DIR, so a worker reads 50,000 lines rather than sorting 349,046
    (which leaves a process 15 MB larger than the words it keeps)."""
    words = settings.SEARCH_DICTIONARY_WORDS
    source = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    cache = os.path.join(settings.SEARCH_CACHE_DIR, f"jieba-{jieba.__version__}-{words}.txt")
    try:
        with open(cache, "rb") as kept:
            return kept.read()
    except OSError:
        pass
    with open(source, "rb") as lines:
        entries = (line.split(b" ", 2) for line in lines if line.strip())
        chosen = heapq.nlargest(words, ((int(e[1]), e[0]) for e in entries if len(e) >= 2))
    text = b"\n".join(word + b" " + str(freq).encode() for freq, word in chosen)
    try:
        os.makedirs(settings.SEARCH_CACHE_DIR, exist_ok=True)
        partial = f"{cache}.{os.getpid()}"
        with open(partial, "wb") as out:
            out.write(text)
        os.replace(partial, cache)  # whole or not at all, whichever process gets there first
    except OSError:
        logging.getLogger(__name__).warning("search: cannot keep the dictionary in %s", cache)
    return text


SEGMENTER = _Segmenter()


def warm_up() -> None:
    """Build the segmenter now (a web worker at start-up, before its objects are frozen)."""
    SEGMENTER.tokenizer()


def _normalised(text: str) -> str:
    """Full-width folded to half-width, lower case, codes joined (E-302 → e302)."""
    folded = unicodedata.normalize("NFKC", text or "").lower()
    return CODE.sub(lambda m: f" {m.group(1)}{m.group(2)} ", folded)


def _kept(words: Iterable[str]) -> list[str]:
    return [w[:MAX_WORD] for w in (w.strip() for w in words) if w and WORDLIKE.search(w)]


def document(parts: Iterable[str | None]) -> str:
    """The search column's value for a row's texts: its words, once each, space-separated; a code's
    digits are words of their own too."""
    words: dict[str, None] = {}
    for part in parts:
        if not part:
            continue
        words.update(dict.fromkeys(_part_words(part)))
        if len(words) >= MAX_WORDS:
            break
    return " ".join(list(words)[:MAX_WORDS])


@functools.lru_cache(maxsize=2048)
def _part_words(part: str) -> tuple[str, ...]:
    """The words of one text; the same texts recur (model and customer names, standard phrases)."""
    text = _normalised(part)
    words = dict.fromkeys(_kept(SEGMENTER.tokenizer().cut_for_search(text)))
    words.update(dict.fromkeys(match.group(2) for match in CODE.finditer(text)))
    for run in CJK_RUN.findall(text):
        words.update(dict.fromkeys(_pieces(run)))
    return tuple(words)


def _pieces(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


@dataclass(frozen=True)
class Query:
    """A parsed query: each word with the pieces that also stand for it when all are there
    (定影组件 → 定影, 影组, 组件)."""

    words: tuple[tuple[str, tuple[str, ...]], ...]

    def __bool__(self) -> bool:
        return bool(self.words)

    @property
    def terms(self) -> list[str]:
        """Every word and sub-word, longest first (what the highlighter marks)."""
        found = {w for word, subs in self.words for w in (word, *subs)}
        return sorted(found, key=lambda w: (-len(w), w))


def query_parse(text: str) -> Query:
    tokenizer = SEGMENTER.tokenizer()
    words: dict[str, tuple[str, ...]] = {}
    for word in _kept(tokenizer.cut(_normalised(text[:QUERY_MAX_CHARS]))):
        if word not in words:
            chinese = len(word) > 2 and CJK_RUN.fullmatch(word)
            words[word] = tuple(dict.fromkeys(_pieces(word))) if chinese else ()
    return Query(words=tuple(words.items()))


def _tsquery(query: Query, *, any_word: bool) -> str:
    def lexeme(word: str) -> str:
        return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"

    def one(word: str, subs: Sequence[str]) -> str:
        if not subs:
            return lexeme(word)
        return f"({lexeme(word)} | ({' & '.join(lexeme(s) for s in subs)}))"

    return (" | " if any_word else " & ").join(one(word, subs) for word, subs in query.words)


def _fts5_query(query: Query, *, any_word: bool) -> str:
    def phrase(word: str) -> str:
        return '"' + word.replace('"', '""') + '"'

    def one(word: str, subs: Sequence[str]) -> str:
        if not subs:
            return phrase(word)
        return f"({phrase(word)} OR ({' AND '.join(phrase(s) for s in subs)}))"

    return (" OR " if any_word else " AND ").join(one(word, subs) for word, subs in query.words)


class SearchIndex:
    """The search column of one index table (a model with the indexed row as its primary key and
    a `document` text field): its migration operations and its queries."""

    def __init__(self, model_label: str, *, table: str, key: str) -> None:
        self.model_label, self.table, self.key = model_label, table, key

    @property
    def fts_table(self) -> str:
        return f"{self.table}_fts"

    def model(self) -> type[Model]:
        from django.apps import apps

        return apps.get_model(self.model_label)

    # ------------------------------------------------------------------ schema

    def migration_operation(self) -> migrations.RunPython:
        """The database's own index over `document`, after the table's CreateModel."""
        table, fts, key = self.table, self.fts_table, self.key

        def create(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(
                    f'ALTER TABLE "{table}" ADD COLUMN "vector" tsvector GENERATED ALWAYS AS '
                    "(array_to_tsvector(string_to_array(\"document\", ' '))) STORED"
                )
                schema_editor.execute(f'CREATE INDEX "{table}_vector" ON "{table}" USING gin ("vector")')
            elif schema_editor.connection.vendor == "sqlite":
                schema_editor.execute(
                    f'CREATE VIRTUAL TABLE "{fts}" USING fts5(document, content="{table}", '
                    f"content_rowid=\"{key}\", tokenize='unicode61')"
                )
                new = f'INSERT INTO "{fts}"(rowid, document) VALUES (new."{key}", new.document);'
                old = (
                    f'INSERT INTO "{fts}"("{fts}", rowid, document) '
                    f"VALUES ('delete', old.\"{key}\", old.document);"
                )
                schema_editor.execute(f'CREATE TRIGGER "{fts}_ai" AFTER INSERT ON "{table}" BEGIN {new} END')
                schema_editor.execute(f'CREATE TRIGGER "{fts}_ad" AFTER DELETE ON "{table}" BEGIN {old} END')
                schema_editor.execute(
                    f'CREATE TRIGGER "{fts}_au" AFTER UPDATE ON "{table}" BEGIN {old} {new} END'
                )

        def drop(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(f'ALTER TABLE "{table}" DROP COLUMN IF EXISTS "vector"')
            elif schema_editor.connection.vendor == "sqlite":
                for suffix in ("ai", "ad", "au"):
                    schema_editor.execute(f'DROP TRIGGER IF EXISTS "{fts}_{suffix}"')
                schema_editor.execute(f'DROP TABLE IF EXISTS "{fts}"')

        return migrations.RunPython(create, drop)

    # ------------------------------------------------------------------ writing

    def store(self, rows: dict[int, str]) -> None:
        """Insert or replace the documents of these rows (one statement)."""
        model = self.model()
        model._default_manager.bulk_create(
            [model(pk=pk, document=text) for pk, text in rows.items()],
            update_conflicts=True,
            unique_fields=[model._meta.pk.name],
            update_fields=["document"],
        )

    # ------------------------------------------------------------------ reading

    def matching(self, query: Query, *, any_word: bool = False) -> QuerySet:
        """The keys (`pk` values) of the rows whose document holds every word of the query (or
        any word), as a subquery for `pk__in`."""
        manager = self.model()._default_manager
        if connection.vendor == "postgresql":
            condition = RawSQL(
                '"vector" @@ %s::tsquery', [_tsquery(query, any_word=any_word)], output_field=BooleanField()
            )
            return manager.filter(condition).order_by().values("pk")
        ids = RawSQL(
            f'SELECT rowid FROM "{self.fts_table}" WHERE "{self.fts_table}" MATCH %s',
            [_fts5_query(query, any_word=any_word)],
        )
        return manager.filter(pk__in=ids).order_by().values("pk")

    def condition(self, text: str, *, field: str = "pk", ids_up_to: int = 2000) -> Q | None:
        """The filter for a list's search box: rows holding every word; when none does, rows
        holding any of them. None when the text has no word to look for.

        The matches are read first. Up to `ids_up_to` of them go into the filter as ids, which the
        list's primary key serves inside an OR with its other search conditions (PostgreSQL would
        otherwise hash every match of the subquery before the first row). More of them, a common
        word, are tested row by row as the list walks its sort order (`EXISTS` on the index
        table's key): with that many matches its first page comes after a few thousand rows."""
        query = query_parse(text)
        if not query:
            return None
        for any_word in (False, True) if len(query.words) > 1 else (False,):
            matching = self.matching(query, any_word=any_word)
            ids = list(matching.values_list("pk", flat=True)[: ids_up_to + 1])
            if len(ids) > ids_up_to:
                return self._row_by_row(query, any_word=any_word, field=field)
            if ids:
                return Q(**{f"{field}__in": ids})
        return Q(**{f"{field}__in": []})

    def _row_by_row(self, query: Query, *, any_word: bool, field: str) -> Q:
        """`field` names a row whose document matches, tested for each row on its own: a scalar
        subquery on the index table's key, which PostgreSQL never hashes in advance (it does turn
        `IN` and `EXISTS` into a hash of every match, 150,000 of them for a common word)."""
        if connection.vendor != "postgresql":
            return Q(**{f"{field}__in": self.matching(query, any_word=any_word)})
        indexed: Any = self.model()._meta.pk.related_model  # the model whose rows are searched
        outer = indexed._meta
        column = outer.pk.column if field == "pk" else outer.get_field(field).column
        sql = (
            f'(SELECT true FROM "{self.table}" s WHERE s."{self.key}" = "{outer.db_table}"."{column}" '
            'AND s."vector" @@ %s::tsquery LIMIT 1) IS NOT NULL'
        )
        return Q(RawSQL(sql, [_tsquery(query, any_word=any_word)], output_field=BooleanField()))

    def ranked(
        self, query: Query, *, within: QuerySet | None = None, candidates: int = 500, limit: int = 10
    ) -> list[int]:
        """The best `limit` keys among the newest `candidates` matches (every word first, any word
        when none holds them all), among the keys `within` gives (a scope's `values("pk")`):
        PostgreSQL's ts_rank, SQLite's bm25, ties newest first. The candidates bound the cost of a
        common word at a million rows."""
        if not query:
            return []
        for any_word in (False, True) if len(query.words) > 1 else (False,):
            keys = self._ranked(query, any_word=any_word, within=within, candidates=candidates, limit=limit)
            if keys:
                return keys
        return []

    def _ranked(
        self, query: Query, *, any_word: bool, within: QuerySet | None, candidates: int, limit: int
    ) -> list[int]:
        postgres = connection.vendor == "postgresql"
        scope, scope_params = "", ()
        if within is not None:
            sql, scope_params = within.query.sql_with_params()
            column = f'"{self.key}"' if postgres else "rowid"  # the FTS5 table's rows are keyed by rowid
            scope = f"AND {column} IN ({sql})"
        table, key = self.table, self.key
        with connection.cursor() as cursor:
            if postgres:
                cursor.execute(
                    f'SELECT "{key}" FROM (SELECT "{key}", "vector" FROM "{table}" '
                    f'WHERE "vector" @@ %s::tsquery {scope} ORDER BY "{key}" DESC LIMIT %s) AS c '
                    f'ORDER BY ts_rank(c."vector", %s::tsquery, 1) DESC, "{key}" DESC LIMIT %s',
                    [
                        _tsquery(query, any_word=any_word),
                        *scope_params,
                        candidates,
                        _tsquery(query, any_word=True),
                        limit,
                    ],
                )
            else:
                fts = self.fts_table
                cursor.execute(
                    f'SELECT rowid FROM (SELECT rowid, rank FROM "{fts}" WHERE "{fts}" MATCH %s {scope} '
                    f"ORDER BY rowid DESC LIMIT %s) ORDER BY rank, rowid DESC LIMIT %s",
                    [_fts5_query(query, any_word=any_word), *scope_params, candidates, limit],
                )
            return [row[0] for row in cursor.fetchall()]


def highlight(text: str, query: Query, *, length: int = 120) -> SafeString:
    """`text` escaped, around its first match, with the query's words in <mark> (safe: only the
    highlighter's own tags are markup)."""
    text = text or ""
    terms = [t for t in query.terms if t]
    folded = unicodedata.normalize("NFKC", text).lower()
    if len(folded) != len(text):  # NFKC changed the length (rare ligatures): mark nothing
        folded, terms = text, []
    spans: list[tuple[int, int]] = []
    for term in terms:
        for variant in _variants(term):
            start = folded.find(variant)
            while start >= 0:
                spans.append((start, start + len(variant)))
                start = folded.find(variant, start + len(variant))
    spans = _merged(spans)
    first = spans[0][0] if spans else 0
    begin = max(0, min(first - length // 4, len(text) - length))
    end = min(len(text), begin + length)
    out, position = [], begin
    for start, stop in spans:
        if stop <= begin or start >= end:
            continue
        start, stop = max(start, begin), min(stop, end)
        out.append(html.escape(text[position:start]))
        out.append(f"<mark>{html.escape(text[start:stop])}</mark>")
        position = stop
    out.append(html.escape(text[position:end]))
    prefix = "…" if begin > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(out) + suffix)  # noqa: S308 - every piece is escaped above


def _variants(term: str) -> list[str]:
    """How a normalised word may appear in the text: a joined code also as E-302 / E 302."""
    match = CODE.fullmatch(term)
    if not match:
        return [term]
    letters, digits = match.groups()
    return [term, f"{letters}-{digits}", f"{letters} {digits}", f"{letters}_{digits}"]


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, stop in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged
