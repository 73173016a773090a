"""What each field of a record holds: its type, and which amount it carries, read off its rule.

Every field has a type (:class:`FieldKind`): ``number``, ``date``, ``code`` (a name or code
the accounting system matches: a lookup's account, a yes/no flag, ``INVOICE`` or
``CREDIT MEMO``) or ``text``. The type comes with a :class:`~stac_xl.mapping.forms.ValueForm`
that a value on *Export* must have, so a clerk's ``two`` in a quantity cell is an error on
its cell, not a word written into a number field. The last transform step decides (its
form); a rule without a transform takes its Source's: a number or money column or a computed
amount holds a plain number, a date column an ISO date, a TRUE/FALSE column TRUE or FALSE;
anything else, and every text step, holds text.

A field may also carry an amount (:class:`AmountField`): the line's amount, the tax, the
invoice total, a quantity or a unit price, from its Source (``[line amount]`` or
``Line total``; ``[tax total]`` or ``Tax``; …), with the sign ``negate`` gives it and the
decimals ``implied(n)`` hides. The checks read those amounts back from *Export* to see that
each invoice still adds up. A field whose transform makes its amount something else
(``abs``, ``if_negative``, text steps) carries none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from stac_xl.book.table import ColumnKind
from stac_xl.book.values import cell_text
from stac_xl.invoices import columns as C
from stac_xl.mapping.forms import (
    ChoiceForm,
    CodeForm,
    DateForm,
    ImpliedForm,
    NumberForm,
    PlainNumberForm,
    ValueForm,
    YesNoForm,
    date_form,
    plain_number_form,
    yesno_form,
)
from stac_xl.mapping.syntax import Step


class FieldKind(StrEnum):
    """The type of a field's value, in the words a message uses."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CODE = "code"


def kind_of(form: ValueForm | None) -> FieldKind:
    """The type a field holding values of ``form`` has (text when it has no form)."""
    if isinstance(form, (NumberForm, ImpliedForm, PlainNumberForm)):
        return FieldKind.NUMBER
    if isinstance(form, DateForm):
        return FieldKind.DATE
    if isinstance(form, (YesNoForm, ChoiceForm, CodeForm)):
        return FieldKind.CODE
    return FieldKind.TEXT


_COLUMN_KINDS = {c.name.casefold(): c.kind for c in C.DEFAULT_COLUMNS}
_NUMBER_COLUMNS = frozenset({ColumnKind.MONEY, ColumnKind.NUMBER, ColumnKind.INTEGER})
_DATE_COMPUTED = frozenset({"batch date"})
_TEXT_COMPUTED = frozenset({"batch id"})  # every other computed value is a number


def _source_text(source: Any) -> str:
    return " ".join(cell_text(source).split())


def source_form(source: Any) -> ValueForm | None:
    """The form of a rule's values when it has no transform: what its Source gives."""
    if not isinstance(source, str):
        return None  # a number typed as a literal: a constant, written as typed
    text = _source_text(source)
    if text.startswith("[") and text.endswith("]"):
        name = text[1:-1].strip().lower()
        if name in _DATE_COMPUTED:
            return date_form("YYYY-MM-DD")
        return None if name in _TEXT_COMPUTED else plain_number_form()
    kind = _COLUMN_KINDS.get(text.casefold())
    if kind in _NUMBER_COLUMNS:
        return plain_number_form()
    if kind is ColumnKind.DATE:
        return date_form("YYYY-MM-DD")
    if kind is ColumnKind.BOOL:
        return yesno_form("TRUE", "FALSE")
    return None


class AmountRole(StrEnum):
    """Which amount a field carries."""

    LINE = "line amount"
    TAX = "tax"
    TOTAL = "invoice total"
    NET = "subtotal"
    QUANTITY = "quantity"
    UNIT_PRICE = "unit price"


_ROLES = {
    "[line amount]": AmountRole.LINE, C.LINE_TOTAL.casefold(): AmountRole.LINE,
    "[tax total]": AmountRole.TAX, C.TAX.casefold(): AmountRole.TAX,
    "[invoice total]": AmountRole.TOTAL, C.INVOICE_TOTAL.casefold(): AmountRole.TOTAL,
    "[invoice subtotal]": AmountRole.NET, C.SUBTOTAL.casefold(): AmountRole.NET,
    C.QUANTITY.casefold(): AmountRole.QUANTITY, C.UNIT_PRICE.casefold(): AmountRole.UNIT_PRICE,
}
_KEEPS_THE_AMOUNT = frozenset({"number", "negate", "implied"})


@dataclass(frozen=True)
class AmountField:
    """A field carrying an amount: which, the sign its rule gives it, the decimals it hides."""

    role: AmountRole
    sign: int = 1                # -1 when the rule negates the amount
    implied: int | None = None   # decimals implied by implied(n)


def amount_of(source: Any, steps: Sequence[Step]) -> AmountField | None:
    """The amount a rule's field carries, or None (no amount source, or a transform that
    makes it something else)."""
    role = _ROLES.get(_source_text(source).casefold()) if isinstance(source, str) else None
    if role is None or any(step.name not in _KEEPS_THE_AMOUNT for step in steps):
        return None
    sign = -1 if sum(step.name == "negate" for step in steps) % 2 else 1
    implied = next((int(step.text(0)) for step in steps if step.name == "implied"), None)
    return AmountField(role, sign, implied)


class NotAnAmount(ValueError):
    """A field's text on *Export* that is not an amount (its form check says why)."""


def amount_value(raw: str, field: AmountField) -> Decimal | None:
    """The amount a field's text on *Export* stands for, in ServiceTrade's sign and decimals:
    ``-450.00`` in a negated field is 450.00, ``55650`` in an ``implied(2)`` one 556.50.
    None when the cell is empty; NotAnAmount when it holds no number."""
    try:
        number = Decimal(raw)  # nearly every value: plain digits, as the mapping wrote them
    except InvalidOperation:
        text = raw.strip()
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise NotAnAmount(raw) from None
    if not number.is_finite():
        raise NotAnAmount(raw)
    if field.implied is not None:
        number = number.scaleb(-field.implied)
    return -number if field.sign < 0 else number
