"""stac_xl — ServiceTrade Accounting Connector in Excel.

Fetches invoices from the ServiceTrade API into a workbook, maps them with rules the
accountant edits on the *Mapping* sheet, and writes the accounting system's import file.
"""

__version__ = "0.1.0"
