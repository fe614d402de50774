"""Disclosure Desk: CBP Directive 4320-025B disclosures to foreign authorities, offline and encrypted.

Everything in this package except `desktop.ui` is Qt-free (STYLE.md, "A Qt-free core").
"""

__version__ = "0.1.0"
