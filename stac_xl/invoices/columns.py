"""The *Invoices* sheet contract: every column's header, in the clerk's words, defined once.

Fetch writes these headers, Preview and Export read them back, the mapping's computed
values and the invoice checks look values up by them, and a clerk's Mapping rules name them
in their *Source* cells. Spelling a header anywhere else is a bug waiting for a rename.

``DEFAULT_COLUMNS`` gives each header its kind and the ServiceTrade JSON path its value
comes from (``item.`` = the line; ``None`` = numbered by us). No pydantic here: Preview and
Export read the sheet without loading the ServiceTrade models.
"""

from __future__ import annotations

from stac_xl.book.table import Column, ColumnKind

INVOICE_ID = "Invoice id"
INVOICE_NUMBER = "Invoice number"
TYPE = "Type"
STATUS = "Status"
TRANSACTION_DATE = "Transaction date"
DUE_DATE = "Due date"
CREATED = "Created"
CUSTOMER_ID = "Customer id"
CUSTOMER = "Customer"
LOCATION_ID = "Location id"
LOCATION = "Location"
STREET = "Street"
CITY = "City"
STATE = "State"
POSTAL_CODE = "Postal code"
JOB_ID = "Job id"
JOB_NUMBER = "Job number"
CUSTOMER_PO = "Customer PO"
TERMS = "Terms"
LINE_ID = "Line id"
LINE_NO = "Line no"
DESCRIPTION = "Description"
QUANTITY = "Quantity"
UNIT_PRICE = "Unit price"
LINE_TOTAL = "Line total"
TAXABLE = "Taxable"
ITEM_CODE = "Item code"
ITEM_NAME = "Item name"
SERVICE_LINE = "Service line"
SUBTOTAL = "Subtotal"
TAX = "Tax"
INVOICE_TOTAL = "Invoice total"

K = ColumnKind
DEFAULT_COLUMNS: list[Column] = [
    Column(INVOICE_ID, K.TEXT, "id"),
    Column(INVOICE_NUMBER, K.TEXT, "invoiceNumber"),
    Column(TYPE, K.TEXT, "type"),
    Column(STATUS, K.TEXT, "status"),
    Column(TRANSACTION_DATE, K.DATE, "transactionDate"),
    Column(DUE_DATE, K.DATE, "dueDate"),
    Column(CREATED, K.DATE, "created"),
    Column(CUSTOMER_ID, K.TEXT, "customer.id"),
    Column(CUSTOMER, K.TEXT, "customer.name"),
    Column(LOCATION_ID, K.TEXT, "location.id"),
    Column(LOCATION, K.TEXT, "location.name"),
    Column(STREET, K.TEXT, "location.address.street"),
    Column(CITY, K.TEXT, "location.address.city"),
    Column(STATE, K.TEXT, "location.address.state"),
    Column(POSTAL_CODE, K.TEXT, "location.address.postalCode"),
    Column(JOB_ID, K.TEXT, "job.id"),
    Column(JOB_NUMBER, K.TEXT, "job.number"),
    Column(CUSTOMER_PO, K.TEXT, "customerPo"),
    Column(TERMS, K.TEXT, "terms.name"),
    Column(LINE_ID, K.TEXT, "item.id"),
    Column(LINE_NO, K.INTEGER, None),
    Column(DESCRIPTION, K.TEXT, "item.description"),
    Column(QUANTITY, K.NUMBER, "item.quantity"),
    Column(UNIT_PRICE, K.MONEY, "item.price"),
    Column(LINE_TOTAL, K.MONEY, "item.totalPrice"),
    Column(TAXABLE, K.BOOL, "item.taxable"),
    Column(ITEM_CODE, K.TEXT, "item.libItem.code"),
    Column(ITEM_NAME, K.TEXT, "item.libItem.name"),
    Column(SERVICE_LINE, K.TEXT, "item.serviceLine.name"),
    Column(SUBTOTAL, K.MONEY, "subtotal"),
    Column(TAX, K.MONEY, "taxAmount"),
    Column(INVOICE_TOTAL, K.MONEY, "totalPrice"),
]
DEFAULT_PATHS: frozenset[str] = frozenset(c.path for c in DEFAULT_COLUMNS if c.path)
# The line columns that are all empty on the one row of an invoice without lines.
LINE_MARKERS = (LINE_ID, DESCRIPTION, QUANTITY, LINE_TOTAL)
