"""Delimited lines a chunk at a time, as csv writes them, without a call per line.

csv's rules (``QUOTE_MINIMAL``, doubled quotes, CR and LF quoted as the CRLF line terminator
makes them): a value holding the delimiter, the quote character, CR or LF is quoted, its
quotes doubled; any other value is written as it is; with quoting ``all`` every value is
quoted. So a line whose values hold none of those characters is the values joined by the
delimiter (quoted first for ``all``), and a chunk is checked at once by counting those
characters in the joined text. A chunk that holds one is laid out column by column: a
column none of whose values holds one is joined as it is, and only the values of the
other columns are quoted one by one (descriptions with ``1/2"`` or ``a, b``, the usual case).

Record types with fewer than two fields are left to csv (it quotes a lone empty field), as
are values that are not text and, for quoting ``none``, any value that would need quoting:
the writer's record-by-record layout then names the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import repeat

from stac_xl.errors import EncodingProblem
from stac_xl.records import OutputRecord, RecordSpec
from stac_xl.writers.base import LineSink, record_type_of, values_of


class JoinedLines:
    """Writes chunks of delimited records (header rows in place), or declines a chunk."""

    def __init__(self, specs: Sequence[RecordSpec], *, delimiter: str, quote: str, newline: str, quoting: str):
        self._d, self._q, self._nl = delimiter, quote, newline
        self._all, self._none = quoting == "all", quoting == "none"
        self._minimal = _minimal_quoting(delimiter, quote)
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
        if not self._usable or list(map(self._counts.get, names)) != list(map(len, values)):
            return False
        starts = sorted((names.index(name), name) for name in self._headers if name not in headed and name in names)
        pieces, at = [], 0
        for start, name in [*starts, (len(chunk), "")]:
            for part in (values[at:start], [self._headers[name]] if name else []):
                text = self.lines(part) if part else ""
                if text is None:
                    return False
                pieces.append(text)
            at = start
        try:
            sink.write_raw("".join(pieces))
        except EncodingProblem:
            return False
        headed.update(name for _, name in starts)
        return True

    def lines(self, values: list[list[str]]) -> str | None:
        """The lines of ``values`` (each ending with the newline), or None to leave them to csv."""
        d, q, nl = self._d, self._q, self._nl
        fields = sum(map(len, values))
        try:
            if self._all:
                body = (q + nl + q).join(map((q + d + q).join, values))
                if body.count(q) == 2 * fields - 2:  # the quotes put in, none inside a value
                    return q + body + q + nl
            else:
                body = nl.join(map(d.join, values))
                breaks = len(values) - 1
                if (body.count(d) == fields - len(values) and q not in body and body.count("\n") == breaks
                        and body.count("\r") == (breaks if nl == "\r\n" else 0)):
                    return body + nl
        except TypeError:  # a value that is not text
            return None
        return self._by_columns(values)

    def _by_columns(self, values: list[list[str]]) -> str | None:
        """As :meth:`lines`, quoting only the values of the columns that need it."""
        lengths = list(map(len, values))
        if lengths.count(lengths[0]) == len(lengths):  # one record type, or several as long
            ordered = self._group_lines(values)
        else:
            groups: dict[int, list[list[str]]] = {}
            for cells, length in zip(values, lengths):
                groups.setdefault(length, []).append(cells)
            laid_out: dict[int, Iterator[str]] = {}
            for length, group in groups.items():
                lines = self._group_lines(group)
                if lines is None:
                    return None
                laid_out[length] = iter(lines)
            ordered = list(map(next, map(laid_out.__getitem__, lengths)))
        if ordered is None:
            return None
        q, nl = self._q, self._nl
        if self._all:
            return q + (q + nl + q).join(ordered) + q + nl
        return nl.join(ordered) + nl

    def _group_lines(self, group: list[list[str]]) -> list[str] | None:
        """The lines of records with the same number of values (quoting ``all``: without
        their first and last quote), laid out column by column."""
        columns = list(zip(*group))
        for index, column in enumerate(columns):
            try:
                text = "".join(column)
            except TypeError:
                return None
            if self._all:
                if self._q in text:
                    columns[index] = tuple(map(str.replace, column, repeat(self._q), repeat(self._q * 2)))
            elif self._d in text or self._q in text or "\r" in text or "\n" in text:
                if self._none:
                    return None
                columns[index] = tuple(map(self._minimal, column))
        q, d = self._q, self._d
        return list(map((q + d + q if self._all else d).join, zip(*columns)))


def _minimal_quoting(d: str, q: str) -> Callable[[str], str]:
    """One value as csv's minimal quoting writes it (a function: called for every value of a
    column that needs quoting)."""
    qq = q + q

    def quoted(value: str) -> str:
        if d in value or q in value or "\r" in value or "\n" in value:
            return q + value.replace(q, qq) + q
        return value
    return quoted
