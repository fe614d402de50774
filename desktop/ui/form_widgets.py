"""One input widget per kind of request field (desktop.requests.form.Kind), each with value()/set_value().

Every editor offers only the values the interchange allows: lists for choices, a date picker for dates (with "not
given" as its own state, since most dates may be unknown), check boxes for flags, a table for the subjects.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.requests.form import CHAPTERS, SUBJECT_STATUSES, FieldSpec, Kind

NOT_GIVEN = QDate(1900, 1, 1)


class FieldEditor(QWidget):
    """The common surface: a value in the form's terms, a changed signal, and the widget to focus."""

    changed = Signal()

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def focus_target(self) -> QWidget:
        return self

    def _add(self, widget: QWidget) -> None:
        widget.setAccessibleName(self.spec.label)
        widget.setAccessibleDescription(f"{self.spec.hint} {self.spec.section}".strip())
        widget.setToolTip(f"{self.spec.label} — {self.spec.section}" if self.spec.section else self.spec.label)
        self._layout.addWidget(widget)
        self.setFocusProxy(widget)


class LineEditor(FieldEditor):
    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(spec.hint)
        if spec.kind is Kind.COUNTRY:
            self.edit.setMaxLength(2)
            self.edit.setMaximumWidth(60)
        self.edit.textChanged.connect(self.changed)
        self._add(self.edit)
        if spec.kind is Kind.COUNTRY:
            self._layout.addStretch(1)  # the two-letter box sits at the start of its row, under the fields above

    def value(self) -> str:
        return self.edit.text()

    def set_value(self, value: Any) -> None:
        self.edit.setText(str(value or ""))


class TextEditor(FieldEditor):
    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        self.edit = QPlainTextEdit()
        self.edit.setPlaceholderText(spec.hint)
        self.edit.setTabChangesFocus(True)  # Tab moves on through the form; the text keeps no tabs
        self.edit.setFixedHeight(64)
        self.edit.textChanged.connect(self.changed)
        self._add(self.edit)

    def value(self) -> str:
        return self.edit.toPlainText()

    def set_value(self, value: Any) -> None:
        self.edit.setPlainText(str(value or ""))


class DateField(QDateEdit):
    """A date box whose lowest date reads "not given". Qt's date box walks its sections with Tab, but while it shows
    the special text it has none and kept the focus for ever: a keyboard trap. There, Tab leaves the box."""

    def __init__(self) -> None:
        super().__init__()
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(NOT_GIVEN)
        self.setSpecialValueText("not given")
        self.setDate(NOT_GIVEN)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802 (Qt's name)
        if self.date() == self.minimumDate():
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)


class DateEditor(FieldEditor):
    """A date picker whose lowest value reads "not given" (the date is unknown or not applicable)."""

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        self.edit = DateField()
        self.edit.dateChanged.connect(self.changed)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setAccessibleName(f"Clear {spec.label}")
        self.clear_button.clicked.connect(lambda: self.edit.setDate(NOT_GIVEN))
        self.today_button = QPushButton("Today")
        self.today_button.setAccessibleName(f"{spec.label}: today")
        self.today_button.clicked.connect(lambda: self.edit.setDate(QDate.currentDate()))
        self._add(self.edit)
        self._layout.addWidget(self.today_button)
        self._layout.addWidget(self.clear_button)
        self._layout.addStretch(1)
        self.setFocusProxy(self.edit)

    def value(self) -> str:
        chosen = self.edit.date()
        return "" if chosen == NOT_GIVEN else chosen.toString("yyyy-MM-dd")

    def set_value(self, value: Any) -> None:
        parsed = QDate.fromString(str(value), "yyyy-MM-dd") if value else NOT_GIVEN
        self.edit.setDate(parsed if parsed.isValid() else NOT_GIVEN)


class BoolEditor(FieldEditor):
    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        self.box = QCheckBox(spec.label)
        self.box.setMinimumWidth(80)
        self.box.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.box.toggled.connect(self.changed)
        self._add(self.box)

    def value(self) -> bool:
        return self.box.isChecked()

    def set_value(self, value: Any) -> None:
        self.box.setChecked(bool(value))


class ChoiceEditor(FieldEditor):
    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        self.combo = QComboBox()
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(16)
        choices = spec.choices
        if spec.kind is Kind.TRISTATE:
            choices = (("yes", "Yes"), ("no", "No"))
        if spec.path not in ("basis", "initiated_by"):  # those two always have a value
            self.combo.addItem("— not stated —", "")
        for value, text in choices:
            self.combo.addItem(text, value)
        self.combo.currentIndexChanged.connect(self.changed)
        self._add(self.combo)

    def value(self) -> str:
        return str(self.combo.currentData() or "")

    def set_value(self, value: Any) -> None:
        index = self.combo.findData(str(value or ""))
        self.combo.setCurrentIndex(max(index, 0))


class GradeEditor(FieldEditor):
    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        self.spin = QSpinBox()
        self.spin.setRange(0, 15)
        self.spin.setSpecialValueText("not given")
        self.spin.setPrefix("GS-")
        self.spin.valueChanged.connect(self.changed)
        self._add(self.spin)
        self._layout.addStretch(1)

    def value(self) -> int | None:
        return self.spin.value() or None

    def set_value(self, value: Any) -> None:
        self.spin.setValue(int(value or 0))


class ChecksEditor(FieldEditor):
    """Several check boxes: the data categories, or the USMCA chapters."""

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 0, 0, 0)
        options = [(str(n), text) for n, text in CHAPTERS] if spec.kind is Kind.CHAPTERS else list(spec.choices)
        self.boxes: dict[str, QCheckBox] = {}
        for i, (value, text) in enumerate(options):
            box = QCheckBox(text)
            box.setAccessibleName(f"{spec.label}: {text}")
            box.toggled.connect(self.changed)
            grid.addWidget(box, i, 0)  # one column: the form must fit a 1366x768 screen beside the list
            self.boxes[value] = box
        self._layout.addWidget(holder)
        self.setFocusProxy(next(iter(self.boxes.values())))

    def value(self) -> list[Any]:
        chosen = [value for value, box in self.boxes.items() if box.isChecked()]
        return [int(v) for v in chosen] if self.spec.kind is Kind.CHAPTERS else chosen

    def set_value(self, value: Any) -> None:
        wanted = {str(v) for v in value or []}
        for key, box in self.boxes.items():
            box.setChecked(key in wanted)


class SubjectsEditor(FieldEditor):
    """The individuals the request concerns: name, status (U.S. person or not, §6.1.2.1) and an identifier."""

    COLUMNS = ("Name", "Status", "Identifier")

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        self.table.setFixedHeight(120)
        self.table.itemChanged.connect(self.changed)
        self.add_button = QPushButton("Add person")
        self.add_button.setAccessibleName("Add an individual")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName("Remove the selected individual")
        self.add_button.clicked.connect(lambda: self._append({"name": "", "status": "other", "identifier": ""}))
        self.remove_button.clicked.connect(self._remove)
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        self._add(self.table)
        self._layout.addLayout(buttons)

    def _append(self, subject: dict[str, Any]) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(str(subject.get("name", ""))))
        status = QComboBox()
        status.setAccessibleName("Status of the individual")
        for value, text in SUBJECT_STATUSES:
            status.addItem(text, value)
        status.setCurrentIndex(max(status.findData(subject.get("status", "other")), 0))
        status.currentIndexChanged.connect(self.changed)
        self.table.setCellWidget(row, 1, status)
        self.table.setItem(row, 2, QTableWidgetItem(str(subject.get("identifier", ""))))
        self.changed.emit()

    def _remove(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.changed.emit()

    def value(self) -> list[dict[str, str]]:
        return [self._row(row) for row in range(self.table.rowCount())]

    def _row(self, row: int) -> dict[str, str]:
        name, identifier = self.table.item(row, 0), self.table.item(row, 2)
        status = self.table.cellWidget(row, 1)
        return {
            "name": name.text() if name else "",
            "status": str(status.currentData()) if isinstance(status, QComboBox) else "other",
            "identifier": identifier.text() if identifier else "",
        }

    def set_value(self, value: Any) -> None:
        self.table.setRowCount(0)
        for subject in value or []:
            self._append(subject)


_EDITORS: dict[Kind, type[FieldEditor]] = {
    Kind.LINE: LineEditor,
    Kind.COUNTRY: LineEditor,
    Kind.TEXT: TextEditor,
    Kind.DATE: DateEditor,
    Kind.BOOL: BoolEditor,
    Kind.CHOICE: ChoiceEditor,
    Kind.TRISTATE: ChoiceEditor,
    Kind.GRADE: GradeEditor,
    Kind.MULTI: ChecksEditor,
    Kind.CHAPTERS: ChecksEditor,
    Kind.SUBJECTS: SubjectsEditor,
}


def editor_for(spec: FieldSpec) -> FieldEditor:
    editor = _EDITORS[spec.kind](spec)
    editor.setObjectName(f"field:{spec.path}")
    return editor


def highlight(editor: FieldEditor, on: bool) -> None:
    """Marks the field the checklist sent the user to, without relying on colour alone (a bold frame)."""
    editor.setStyleSheet("FieldEditor { border: 2px solid palette(highlight); }" if on else "")
    editor.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, on)
