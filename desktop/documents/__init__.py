"""The document vocabulary the packets and the DHS-191 accounting share (issue 15): Bates labels, how dates,
countries and agreements read in a letter or an entry, the embedded fonts, and the disclosure a finalized packet
hands to the accounting. It sits below both packages, so neither has to import the other for it.

Qt-free and light: reportlab is imported only when the fonts are first registered.
"""

from desktop.documents.bates import BATES_DIGITS, bates_label
from desktop.documents.disclosure import DisclosedRecord, Disclosure
from desktop.documents.wording import agreement_name, country_name, long_date

__all__ = [
    "BATES_DIGITS",
    "DisclosedRecord",
    "Disclosure",
    "agreement_name",
    "bates_label",
    "country_name",
    "long_date",
]
