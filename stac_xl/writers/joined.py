"""Delimited lines a chunk at a time, as csv writes them, without a call per line.

csv's rules (``QUOTE_MINIMAL``, doubled quotes, CR and LF quoted as the CRLF line terminator
makes them): a value holding the delimiter, the quote character, CR or LF is quoted, its
quotes doubled; any other value is written as it is; with quoting ``all`` every value is
quoted. So a line whose values hold none of those characters is the values joined by the
delimiter (quoted first for ``all``).

A chunk is laid out column by column, records with the same number of values together: each
column's values are joined into one text and tested for those characters at once. A column
none of whose values holds one is written as it is, and only the values of the other columns
are quoted one by one (descriptions with ``1/2"`` or ``a, b``, the usual case); when no
column needs quoting the lines are the records' values joined, without turning the columns
back into records. Columns first, not lines first: a chunk that needs quoting (almost every
chunk of real invoices) is then not joined and tested twice, while a chunk that needs none
costs a little more (the columns are made and joined for the test). Finding the lines that
need quoting first (a count per line) and laying out only those was measured slower: with
descriptions like the benchmark's, four lines in ten hold a comma or a quote.

Record types with fewer than two fields are left to csv (it quotes a lone empty field), as
are values that are not text and, for quoting ``none``, any value that would need quoting:
the writer's record-by-record layout then names the field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import repeat

from stac_xl.errors import EncodingProblem
from stac_xl.records import OutputRecord, RecordSpec
from stac_xl.writers.base import LineSink, grouped, in_key_order, record_type_of, values_of

Rows = Sequence[Sequence[str]]


class JoinedLines:
    """Writes chunks of delimited records (header rows in place), or declines a chunk."""

    def __init__(self, specs: Sequence[RecordSpec], *, delimiter: str, quote: str, newline: str, quoting: str):
        self._d, self._q = delimiter, quote
        self._all, self._none = quoting == "all", quoting == "none"
        self._minimal = _minimal_quoting(delimiter, quote)
        # A line is kept as its values joined by ``_sep``; with quoting all that leaves out
        # its first and last quote, which ``_first``, ``_between`` and ``_last`` put back.
        if self._all:
            self._sep, self._between = quote + delimiter + quote, quote + newline + quote
            self._first, self._last = quote, quote + newline
        else:
            self._sep, self._between, self._first, self._last = delimiter, newline, "", newline
        self._counts = {spec.name: len(spec.fields) for spec in specs}
        self._usable = all(count >= 2 for count in self._counts.values())
        self._headers = {spec.name: spec.field_names for spec in specs if spec.header}

    def write(self, chunk: list[OutputRecord], headed: set[str], sink: LineSink) -> bool:
        """Write ``chunk`` as its lines (a header row before the first record of each header
        type not in ``headed``, which it then adds) and return True; or write nothing and
        return False, for a chunk it does not lay out (a record type it does not know or with
        the wrong number of values, a value it leaves to csv, a text that does not encode)."""
        names = list(map(record_type_of, chunk))
        values = list(map(values_of, chunk))
        lengths = list(map(len, values))
        if not self._usable or list(map(self._counts.get, names)) != lengths:
            return False
        starts = sorted((names.index(name), name) for name in self._headers if name not in headed and name in names)
        text = self._with_headers(values, lengths, starts) if starts else self._text(values, lengths)
        if text is None:
            return False
        try:
            sink.write_raw(text)
        except EncodingProblem:
            return False
        headed.update(name for _, name in starts)
        return True

    def _with_headers(self, values: Rows, lengths: list[int], starts: list[tuple[int, str]]) -> str | None:
        """The lines of ``values`` with the header row of each of ``starts`` (record index,
        record type) before that record."""
        pieces: list[str | None] = []
        at = 0
        for start, name in starts:
            if start > at:
                pieces.append(self._text(values[at:start], lengths[at:start]))
            pieces.append(self.lines([self._headers[name]]))
            at = start
        pieces.append(self._text(values[at:], lengths[at:]))  # a start is a record: some follow
        texts = [piece for piece in pieces if piece is not None]
        return "".join(texts) if len(texts) == len(pieces) else None

    def lines(self, values: Rows) -> str | None:
        """The lines of ``values`` (each ending with the newline), or None to leave them to csv."""
        return self._text(values, list(map(len, values))) if values else ""

    def _text(self, values: Rows, lengths: list[int]) -> str | None:
        """As :meth:`lines`, ``lengths`` being the number of each record's values."""
        if lengths.count(lengths[0]) == len(lengths):  # one record type, or several as long
            lines = self._group_lines(values)
        else:
            lines = self._mixed_lines(values, lengths)
        if lines is None:
            return None
        # the first and last line take the text's ends: no copy of the whole text for them
        lines[0] = self._first + lines[0]
        lines[-1] += self._last
        return self._between.join(lines)

    def _mixed_lines(self, values: Rows, lengths: list[int]) -> list[str] | None:
        """The lines of records of different lengths, each length's records laid out together."""
        laid_out: dict[int, list[str]] = {}
        for length, group in grouped(lengths, values).items():
            lines = self._group_lines(group)
            if lines is None:
                return None
            laid_out[length] = lines
        return in_key_order(lengths, laid_out)

    def _group_lines(self, group: Rows) -> list[str] | None:
        """The lines of records with the same number of values (quoting ``all``: without
        their first and last quote), laid out column by column; None for a value that is not
        text or, with quoting ``none``, one that needs quoting."""
        columns = list(zip(*group))
        try:
            needing = [index for index, text in enumerate(map("".join, columns)) if self._needs_quoting(text)]
        except TypeError:  # a value that is not text
            return None
        if not needing:  # the records' values as they are: no columns back into records
            return list(map(self._sep.join, group))
        if self._none:
            return None
        for index in needing:
            columns[index] = self._quoted(columns[index])
        return list(map(self._sep.join, zip(*columns)))

    def _needs_quoting(self, text: str) -> bool:
        """Whether some value of a column (its values joined as ``text``) is written otherwise
        than as it is."""
        q = self._q
        if self._all:  # every value is quoted already: only a quote inside one changes it
            return q in text
        return self._d in text or q in text or "\r" in text or "\n" in text

    def _quoted(self, column: tuple[str, ...]) -> tuple[str, ...]:
        """The values of a column that needs quoting as csv writes them (quoting ``all``:
        without their first and last quote)."""
        if self._all:
            return tuple(map(str.replace, column, repeat(self._q), repeat(self._q * 2)))
        return tuple(map(self._minimal, column))


def _minimal_quoting(d: str, q: str) -> Callable[[str], str]:
    """One value as csv's minimal quoting writes it (a function: called for every value of a
    column that needs quoting)."""
    qq = q + q

    def quoted(value: str) -> str:
        if d in value or q in value or "\r" in value or "\n" in value:
            return q + value.replace(q, qq) + q
        return value
    return quoted
