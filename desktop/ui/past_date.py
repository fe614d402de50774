"""A required date of something that has already happened (a letter received, an incident discovered, a record
corrected): a picker with a calendar, today by default, never later than today."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit


def past_date_box(name: str) -> QDateEdit:
    box = QDateEdit(QDate.currentDate())
    box.setCalendarPopup(True)
    box.setDisplayFormat("yyyy-MM-dd")
    box.setMaximumDate(QDate.currentDate())
    box.setAccessibleName(name)
    return box


def as_date(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())
