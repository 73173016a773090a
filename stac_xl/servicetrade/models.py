"""Pydantic models of the invoice JSON ServiceTrade returns.

The public docs do not confirm every invoice field (see ``docs/internals.md``), so the
models are tolerant: unknown fields are kept (``extra="allow"``), every field but the
invoice ``id`` may be missing, and the JSON an invoice was read from stays available as
``Invoice.raw`` for the clerk's extra JSON paths. Attributes are snake_case; the JSON is
camelCase (``invoiceNumber`` → ``invoice_number``).

Money and quantities become ``Decimal`` through ``Decimal(str(x))`` so a JSON ``0.1`` is
``Decimal('0.1')``, never the binary float behind it. Unix-second timestamps become
timezone-aware UTC datetimes; ``Invoice.local_date`` turns one into the company's date.
Ids become text (``str(700123)``) so they match the *Invoices* sheet, where ids are text.

Every value has bounds, so garbage from a server is one sentence, never a traceback: dates
from 1970 up to 2100 (``created = 1e20`` would overflow a datetime), amounts and quantities
below a trillion, ids exact whole numbers of any usual size (an integer id is kept digit for
digit, however large; a float id only where a float is exact), text no longer than an Excel
cell holds.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainValidator, PrivateAttr, ValidationError, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from stac_xl.errors import BadResponse
from stac_xl.gc_pause import gc_paused
from stac_xl.records import CENT

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)  # the first moment not accepted
_LATEST_STAMP = int((LATEST - EARLIEST).total_seconds())
MAX_AMOUNT = Decimal(10) ** 12  # a trillion: no invoice line comes near it
_MAX_NUMBER_TEXT = 100  # characters of a number sent as text
_MAX_ID_DIGITS = 40  # beyond 2**128, far beyond any id, short of a number that is a whole page
_EXACT_FLOAT = 2**53  # every whole float up to here is exact
EXCEL_CELL_TEXT = 32_767  # the most characters an Excel cell holds


def _time_out_of_range() -> PydanticCustomError:
    return PydanticCustomError("stac_time", "is not a date from 1970 to 2099")


def to_decimal(value: Any) -> Decimal | None:
    """JSON number or numeric text → exact ``Decimal``; ``None``/blank → ``None``.

    Floats go through ``str`` (shortest repr), so ``0.1`` is ``Decimal('0.1')``. Booleans,
    NaN, infinities and non-numeric text are refused.
    """
    number = _number(value)
    if number is not None and number.copy_abs() >= MAX_AMOUNT:
        raise PydanticCustomError("stac_number", "is not an amount below a trillion")
    return number


def _number(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, Decimal) and value.is_finite()):
        return value
    if isinstance(value, bool):
        raise PydanticCustomError("stac_number", "is not a number")
    if isinstance(value, int):
        if value.bit_length() > 128:  # Decimal() of a huge int is slow, and no amount is one
            raise PydanticCustomError("stac_number", "is not an amount below a trillion")
        return Decimal(value)
    if isinstance(value, float) and math.isfinite(value):
        return Decimal(str(value))
    if isinstance(value, str) and len(value) <= _MAX_NUMBER_TEXT:
        text = value.strip()
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():
            return number
    raise PydanticCustomError("stac_number", "is not a number")


def to_utc(value: Any) -> datetime | None:
    """Unix seconds (int, float or digit text) → aware UTC datetime; ``None`` stays ``None``.

    ISO text and datetimes are accepted too (naive ones are taken as UTC), in case the API
    or a test fixture sends them.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        if not EARLIEST <= moment < LATEST:
            raise _time_out_of_range()
        return moment
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise PydanticCustomError("stac_time", "is not a Unix timestamp")
        return _from_seconds(value)
    if isinstance(value, str) and len(value) <= _MAX_NUMBER_TEXT:
        text = value.strip()
        if text.lstrip("-").isdigit():
            return _from_seconds(int(text))
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return to_utc(moment)
    raise PydanticCustomError("stac_time", "is not a Unix timestamp")


def _from_seconds(seconds: float) -> datetime:
    """Unix seconds within the bounds as a UTC datetime (checked first: a huge number overflows)."""
    if not 0 <= seconds < _LATEST_STAMP:
        raise _time_out_of_range()
    return EARLIEST + timedelta(seconds=seconds)


def to_id(value: Any) -> str | None:
    """An id as text: ``700123`` → ``"700123"``, ``"00123"`` stays ``"00123"``; an integer of
    any usual size digit for digit (never through a float)."""
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) > _MAX_ID_DIGITS or not value.isprintable():
            raise PydanticCustomError("stac_id", "is not an id")
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**_MAX_ID_DIGITS:
        return str(value)
    if isinstance(value, float) and value.is_integer() and 0 <= value <= _EXACT_FLOAT:
        return str(int(value))
    if isinstance(value, float) and value.is_integer() and value > _EXACT_FLOAT:
        raise PydanticCustomError("stac_id", "is not an exact id (a number that large was rounded on the way)")
    raise PydanticCustomError("stac_id", "is not an id")


def to_required_id(value: Any) -> str:
    """An invoice's own id: like :func:`to_id`, and never missing."""
    text = to_id(value)
    if text is None:
        raise PydanticCustomError("stac_id", "is not an id")
    return text


Money = Annotated[Decimal | None, PlainValidator(to_decimal)]
Quantity = Annotated[Decimal | None, PlainValidator(to_decimal)]
Timestamp = Annotated[datetime | None, PlainValidator(to_utc)]
Id = Annotated[str | None, PlainValidator(to_id)]


class _Model(BaseModel):
    """Shared config: camelCase JSON, snake_case attributes, unknown fields kept."""

    model_config = ConfigDict(
        extra="allow",
        alias_generator=to_camel,
        populate_by_name=True,
        coerce_numbers_to_str=True,  # invoiceNumber 10041 or customerPo 7781 as numbers
        str_max_length=EXCEL_CELL_TEXT,  # longer text could not go on the Invoices sheet
    )


class Address(_Model):
    """A location's postal address."""

    street: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


class CompanyRef(_Model):
    """The customer (a ServiceTrade *company*) an invoice is billed to."""

    id: Id = None
    uri: str | None = None
    name: str | None = None


class LocationRef(_Model):
    """The service location (site) the work was done at."""

    id: Id = None
    uri: str | None = None
    name: str | None = None
    address: Address | None = None


class JobRef(_Model):
    """The job an invoice came from; recurring invoices have none."""

    id: Id = None
    uri: str | None = None
    number: str | None = None
    name: str | None = None


class TermsRef(_Model):
    """Payment terms, e.g. Net 30."""

    id: Id = None
    name: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        # Tolerate terms sent as plain text ("Net 30") instead of an object.
        return {"name": data} if isinstance(data, str) else data


class LibItemRef(_Model):
    """The price-book (library) item a line was sold as."""

    id: Id = None
    code: str | None = None
    name: str | None = None


class ServiceLineRef(_Model):
    """The service line (trade) of a line, e.g. Sprinkler."""

    id: Id = None
    name: str | None = None
    abbr: str | None = None


class InvoiceItem(_Model):
    """One invoice line."""

    id: Id = None
    description: str | None = None
    quantity: Quantity = None
    price: Money = None
    total_price: Money = None
    taxable: bool | None = None
    lib_item: LibItemRef | None = None
    service_line: ServiceLineRef | None = None

    @property
    def line_total(self) -> Decimal | None:
        """``totalPrice`` if sent, else quantity × price rounded half-up to cents."""
        if self.total_price is not None:
            return self.total_price
        if self.quantity is None or self.price is None:
            return None
        return (self.quantity * self.price).quantize(CENT, rounding=ROUND_HALF_UP)


class Invoice(_Model):
    """One ServiceTrade invoice. ``items`` is ``None`` when the JSON had no ``items`` key."""

    id: Annotated[str, PlainValidator(to_required_id)]
    uri: str | None = None
    invoice_number: str | None = None
    type: str | None = None
    status: str | None = None
    name: str | None = None
    transaction_date: Timestamp = None
    due_date: Timestamp = None
    created: Timestamp = None
    updated: Timestamp = None
    customer_po: str | None = None
    terms: TermsRef | None = None
    customer: CompanyRef | None = None
    location: LocationRef | None = None
    job: JobRef | None = None
    subtotal: Money = None
    tax_amount: Money = None
    total_price: Money = None
    items: list[InvoiceItem] | None = None

    _raw: dict[str, Any] | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_raw(cls, data: Any, handler: Any) -> Invoice:
        invoice: Invoice = handler(data)
        # Keep the input only if it is JSON-shaped; Invoice(invoice_number=…) built in
        # Python is not, and gets a camelCase dump on first use instead.
        if isinstance(data, dict) and _NAME_ONLY.isdisjoint(data):
            invoice._raw = data
        return invoice

    @property
    def raw(self) -> dict[str, Any]:
        """The JSON this invoice was read from (camelCase), for the clerk's extra paths."""
        if self._raw is None:
            self._raw = self.model_dump(by_alias=True)
        return self._raw

    @property
    def lines(self) -> list[InvoiceItem]:
        """The lines, ``[]`` when there are none or the list was not sent."""
        return self.items or []

    @property
    def label(self) -> str:
        """How to name this invoice to a clerk: ``invoice 10041 (id 700123)``."""
        if self.invoice_number:
            return f"invoice {self.invoice_number} (id {self.id})"
        return f"invoice id {self.id}"

    def local_date(self, field: str, tz: tzinfo) -> date | None:
        """The date of timestamp ``field`` (``created``, ``transaction_date``…) in ``tz``.

        ``field`` may be the attribute or the JSON name (``transactionDate``).
        """
        name = _ATTR_BY_ALIAS.get(field, field)
        moment = getattr(self, name)
        if moment is None:
            return None
        if not isinstance(moment, datetime):
            raise ValueError(f"{field} is not a timestamp field of Invoice")
        return moment.astimezone(tz).date()


_ATTR_BY_ALIAS = {f.alias: name for name, f in Invoice.model_fields.items() if f.alias}
_NAME_ONLY = frozenset(name for alias, name in _ATTR_BY_ALIAS.items() if alias != name)


def parse_invoices(raw: list[Any]) -> list[Invoice]:
    """Validate a list of invoice JSON objects; the first bad one is a ``BadResponse``.

    The message names the invoice (number and id), the field's JSON path and the value,
    e.g. ``ServiceTrade sent invoice 10041 (id 700123) with items.0.price 'abc', which is not
    a number.``
    """
    invoices: list[Invoice] = []
    with gc_paused():
        for position, data in enumerate(raw, start=1):
            if not isinstance(data, dict):
                raise BadResponse(f"ServiceTrade sent something that is not an invoice as entry {position} of the list.")
            try:
                invoices.append(Invoice.model_validate(data))
            except ValidationError as exc:
                raise BadResponse(_describe(data, position, exc)) from None
    return invoices


def _describe(data: dict[str, Any], position: int, exc: ValidationError) -> str:
    """One sentence about the first problem in ``exc``, naming the invoice and field."""
    number, ident = data.get("invoiceNumber"), data.get("id")
    if ident is None:
        who = f"entry {position} of the list" if number is None else f"invoice {number}"
        return f"ServiceTrade sent {who} without an invoice id."
    who = f"invoice {number} (id {ident})" if number not in (None, "") else f"invoice id {ident}"
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    shown = repr(error.get("input"))
    if len(shown) > 40:
        shown = shown[:37] + "..."
    message = error["msg"] if error["type"].startswith("stac_") else f"is wrong ({error['msg']})"
    return f"ServiceTrade sent {who} with {where} {shown}, which {message}."
