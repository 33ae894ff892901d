"""Search that understands Chinese (issue 12; design in shared/design/next-areas.md §3).

Chinese has no spaces, and neither PostgreSQL's `simple` configuration nor SQLite's FTS5
tokenizers split it into words (a trigram index cannot even find a two-character word such as
卡纸). So the application segments text itself, the way jieba does (the most probable path through
its dictionary's words), and stores the words in a search-only column of a model's index table;
the database indexes those words as they are:

- PostgreSQL: a stored generated `tsvector` (`array_to_tsvector` of the words, no parsing, no
  stemming) with a GIN index; queries are `tsquery` values built from the same words.
- SQLite: an FTS5 table over the column (its `unicode61` tokenizer splits on the spaces), kept in
  step by triggers, so bulk writes and test flushes keep it right too.

Fault codes and model numbers are normalised before segmentation (`E-302`, `e302` and `E 302` all
become `e302`; the index also keeps the digits, `302`).

Segmentation is not always right (客户说定影器发烫 comes out as 客户/说定影器发烫 when 定影 is
not in the dictionary), so every two-character piece of a run of Chinese characters is indexed as
well, and a query word of three or more characters also matches when all its pieces are there:
定影 finds that text, whatever the segmenter made of it. The whole words still count in ranking.

Memory: jieba's full dictionary (349,046 words) costs a process about 80 MB, and even its 50,000
most frequent words (`SEARCH_DICTIONARY_WORDS`) 11 MB in jieba's own structures, more than a web
worker may grow. `_Dictionary` packs those words into 1 MB of arrays and segments with them as
jieba does; jieba's model of unknown words is replaced by joining characters that make no word
(names, new terms). A query word is also matched by the sub-words it is made of, so documents
indexed before a word entered the dictionary are still found.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import html
import importlib.util
import logging
import math
import os
import re
import threading
import unicodedata
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, migrations
from django.db.models import BooleanField, Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

# A code: letters then digits, maybe joined by a dash, underscore, dot or space (E-302, LJ 2400).
CODE = re.compile(r"(?<![a-z0-9])([a-z]{1,8})[-_. ]?(\d{1,12})(?![0-9])")
# A run of Chinese characters: its two-character pieces are indexed too (below).
CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")
CJK_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# The runs a text is cut into before segmentation: Chinese, or letters and digits of other scripts.
WORD_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\W_\u3400-\u9fff\uf900-\ufaff]+")
PACKED_LENGTH = 4  # words of up to four characters are packed into one 64-bit number
# A word worth indexing holds a letter, a digit or a CJK character (not punctuation or spaces).
WORDLIKE = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")
MAX_WORD = 60  # longer "words" (hashes, URLs) are cut; PostgreSQL refuses lexemes over 2 KB
MAX_WORDS = 4000  # per document: a tsvector holds at most 1 MB
QUERY_MAX_CHARS = 200


class _Dictionary:
    """jieba's most frequent Chinese words and their frequencies, packed for a web worker.

    jieba itself keeps its dictionary as a dict of every word and every prefix of one: 8.4 MB for
    50,000 words, plus 3 MB of its modules, in every process. Here a word of up to four characters
    is one 64-bit number (its UTF-16 code units side by side) in a sorted array, with its score (the
    logarithm of its probability) in a parallel array, found by bisection; the few hundred longer
    words sit in a dict. About 1 MB; jieba is never imported, only its dictionary file is read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded = False

    def load(self) -> None:
        if not self._loaded:
            with self._lock:
                if not self._loaded:
                    self._build()
                    self._loaded = True

    def _build(self) -> None:
        header, _, body = _packed_dictionary().partition(b"\n")
        count, total = (int(number) for number in header.split())
        log_total = math.log(total or 1)
        self.keys, freqs = array("Q"), array("I")
        self.keys.frombytes(body[: count * self.keys.itemsize])
        freqs.frombytes(body[count * self.keys.itemsize : count * (self.keys.itemsize + freqs.itemsize)])
        self.scores = array("d", (math.log(freq) - log_total for freq in freqs))
        self.long_words = {
            word: math.log(int(freq)) - log_total
            for word, freq in (line.split(" ") for line in body[count * 12 :].decode("utf-8").splitlines())
        }
        self.long_prefixes = {word[:PACKED_LENGTH] for word in self.long_words}
        self.unknown = -log_total  # a character the dictionary lacks counts as seen once

    def knows(self, word: str) -> bool:
        self.load()
        if len(word) > PACKED_LENGTH:
            return word in self.long_words
        key = _packed(word)
        at = bisect.bisect_left(self.keys, key)
        return at < len(self.keys) and self.keys[at] == key

    def segments(self, run: str) -> list[str]:
        """The words of a run of Chinese characters: jieba's choice, the path through the
        dictionary's words with the highest product of probabilities, where characters that make
        no word with their neighbours are joined into one (a name such as 陈英, a term the
        dictionary lacks: what jieba's model of unknown words would mostly find)."""
        self.load()
        keys, scores, count = self.keys, self.scores, len(self.keys)
        encoded, size = run.encode("utf-16-be"), len(run)
        best: list[tuple[float, int]] = [(0.0, size)] * (size + 1)
        for start in range(size - 1, -1, -1):
            choice = (self.unknown + best[start + 1][0], start + 1)
            for end in range(start + 1, min(size, start + PACKED_LENGTH) + 1):
                key = int.from_bytes(encoded[2 * start : 2 * end], "big")
                at = bisect.bisect_left(keys, key)
                if at < count and keys[at] == key:
                    choice = max(choice, (scores[at] + best[end][0], end))
            if size - start > PACKED_LENGTH and run[start : start + PACKED_LENGTH] in self.long_prefixes:
                for end in range(start + PACKED_LENGTH + 1, size + 1):
                    score = self.long_words.get(run[start:end])
                    if score is not None:
                        choice = max(choice, (score + best[end][0], end))
            best[start] = choice
        words, single, start = [], "", 0
        while start < size:
            end = best[start][1]
            if end - start == 1:
                single += run[start]
            else:
                if single:
                    words.append(single)
                    single = ""
                words.append(run[start:end])
            start = end
        if single:
            words.append(single)
        return words


def _packed(word: str) -> int:
    return int.from_bytes(word.encode("utf-16-be"), "big")


def _dictionary_source() -> str:
    """jieba's dictionary file, found without importing jieba (its import costs 3 MB)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise ImproperlyConfigured("search: the jieba package (its dictionary) is not installed")
    return os.path.join(next(iter(spec.submodule_search_locations)), "dict.txt")


def _packed_dictionary() -> bytes:
    """jieba's `SEARCH_DICTIONARY_WORDS` most frequent words, packed as `_Dictionary` reads them:
    a line "count total", the sorted 64-bit words, their 32-bit frequencies, then the longer words
    as "word frequency" lines. Chosen from jieba's 349,046 words once and kept in SEARCH_CACHE_DIR,
    so a worker reads 600 KB and allocates nothing on the way."""
    words = settings.SEARCH_DICTIONARY_WORDS
    source = _dictionary_source()
    cache = os.path.join(settings.SEARCH_CACHE_DIR, f"jieba-{os.path.getsize(source)}-{words}.bin")
    try:
        with open(cache, "rb") as kept:
            return kept.read()
    except OSError:
        pass
    with open(source, encoding="utf-8") as lines:
        entries = (line.split(" ", 2) for line in lines if line.strip())
        chosen = heapq.nlargest(words, ((int(e[1]), e[0]) for e in entries if len(e) >= 2))
    total = sum(freq for freq, _ in chosen)
    short = sorted(
        (_packed(word), freq)
        for freq, word in chosen
        if len(word) <= PACKED_LENGTH and CJK_WORD.fullmatch(word)
    )
    long_words = "".join(
        f"{word} {freq}\n" for freq, word in chosen if len(word) > PACKED_LENGTH and CJK_WORD.fullmatch(word)
    )
    packed = (
        f"{len(short)} {total}\n".encode()
        + array("Q", (key for key, _ in short)).tobytes()
        + array("I", (freq for _, freq in short)).tobytes()
        + long_words.encode("utf-8")
    )
    try:
        os.makedirs(settings.SEARCH_CACHE_DIR, exist_ok=True)
        partial = f"{cache}.{os.getpid()}"
        with open(partial, "wb") as out:
            out.write(packed)
        os.replace(partial, cache)  # whole or not at all, whichever process gets there first
    except OSError:
        logging.getLogger(__name__).warning("search: cannot keep the dictionary in %s", cache)
    return packed


DICTIONARY = _Dictionary()


def warm_up() -> None:
    """Load the dictionary now (a web worker at start-up, before its objects are frozen)."""
    DICTIONARY.load()


def _words(text: str) -> list[str]:
    """A normalised text's words: runs of Chinese segmented, other runs of letters and digits as
    they are."""
    words: list[str] = []
    for run in WORD_RUN.findall(text):
        words.extend(DICTIONARY.segments(run) if CJK_WORD.fullmatch(run) else [run])
    return words


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
    words: dict[str, None] = {}
    for word in _kept(_words(text)):
        if len(word) > 3 and CJK_WORD.fullmatch(word):  # its dictionary words of three, as jieba does
            words.update(
                dict.fromkeys(w for i in range(len(word) - 2) if DICTIONARY.knows(w := word[i : i + 3]))
            )
        words[word] = None
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
    words: dict[str, tuple[str, ...]] = {}
    for word in _kept(_words(_normalised(text[:QUERY_MAX_CHARS]))):
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
