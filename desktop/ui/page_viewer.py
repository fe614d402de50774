"""The page viewer of the records tab (SPEC D2): a record's pages rendered by pdfium off the UI thread, the user's
redaction boxes with their §9.1 reasons, and the suggestions from the page text to accept or reject.

Rendered pages are kept in memory only (a small cache, emptied on lock), never on disk (SPEC S1). Every change to a
box is stored at once (desktop/records/boxes.py), so nothing drawn is lost to a lock or a crash.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.records import REASONS, Box, Suggestion, boxes
from desktop.store import Repository, StoreError
from desktop.ui.job_tracker import JobTracker
from desktop.ui.page_source import OpenRecord, PageCache, open_record, read_scans, refresh_suggestions, render_image
from desktop.ui.page_view import Mark, MarkKind, PageView

ZOOMS = [("Fit width", None), ("75 %", 0.75), ("100 %", 1.0), ("150 %", 1.5), ("200 %", 2.0)]
KIND_NAMES = {"ssn": "SSN", "itin": "ITIN", "a_number": "A-number", "sin": "SIN", "curp": "CURP", "rfc": "RFC",
              "passport": "Passport", "voter_key": "Voter key (INE)", "dob": "Date of birth", "email": "E-mail",
              "phone": "Phone", "system_code": "System code", "personnel_name": "DHS personnel"}
NO_TEXT = ("⚠ Suggestions cannot see this page: it has no text layer (a scan or a picture). Read it yourself and "
           "draw a box over anything §9.1 covers.")
UNREAD = ("⚠ Suggestions cannot see this page yet: it is a scan without a text layer. Press “Read scanned pages” to "
          "read it with OCR (kept encrypted in the store), or read it yourself and draw a box over anything §9.1 "
          "covers.")
READ_BY_OCR = ("This page is a scan: its suggestions come from OCR. OCR can misread or miss words; read the page "
               "yourself as well and draw a box over anything §9.1 covers that it missed.")
SUBJECTS_OWN = "the subject's own: §9.1.2 does not cover it; reject unless another ground applies"
CHECK_WRONG = "check digit wrong (a typo or a misreading?)"
SUGGESTION_ROLE = Qt.ItemDataRole.UserRole + 1
SIDE_WIDTH = 280


class PageViewer(QWidget):
    changed = Signal(int)  # a record's boxes changed: its id

    def __init__(self, repo: Repository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo = repo
        self._jobs = JobTracker(self)
        self.cache = PageCache()
        self.record: OpenRecord | None = None
        self.page = 1
        self._boxes: list[boxes.StoredBox] = []
        self._pending: list[Suggestion] = []
        self._rendering: set[tuple[int, int, int]] = set()
        self._build()
        self.clear()

    def _build(self) -> None:
        self.view = PageView()
        self.view.box_drawn.connect(self._drawn)
        self.view.box_moved.connect(self._moved)
        self.view.delete_requested.connect(self._delete)
        self.view.mark_selected.connect(self._selected)
        self.view.resolution_changed.connect(self._render)
        self.previous_button = _button("Pre&vious page", "Show the previous page", lambda: self.go_to(self.page - 1))
        self.next_button = _button("Next pa&ge", "Show the next page", lambda: self.go_to(self.page + 1))
        self.page_label = QLabel()
        self.page_label.setAccessibleName("Page number")
        self.zoom = QComboBox()
        self.zoom.setAccessibleName("Zoom")
        for text, value in ZOOMS:
            self.zoom.addItem(text, value)
        self.zoom.currentIndexChanged.connect(lambda _i: self.view.set_zoom(self.zoom.currentData()))
        self.reason = QComboBox()
        self.reason.setAccessibleName("Reason for the selected box, or for the next box drawn (§9.1)")
        for key, name in REASONS.items():
            self.reason.addItem(f"§{key} {name}", key)
        self.reason.setCurrentIndex(list(REASONS).index("9.1.2"))
        self.reason.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.reason.setMinimumContentsLength(20)
        self.reason.activated.connect(self._reason_chosen)
        self.delete_button = _button("De&lete box", "Delete the selected redaction box", self._delete_selected)
        self.flag = QLabel(NO_TEXT)
        self.flag.setWordWrap(True)
        self.read_button = _button("&Read scanned pages", "Read the scanned pages with OCR for suggestions",
                                   self.read_scans)
        self.read_button.hide()
        self.flag.setAccessibleName("Page without text")
        self.flag.setStyleSheet("QLabel { background: #fff4ce; color: #5c4200; padding: 4px; }")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Page viewer status")
        self._build_suggestions()
        self._lay_out()

    def _side(self) -> QWidget:
        """The selected box's reason and the suggestions, beside the page."""
        side = QWidget()
        side.setMaximumWidth(SIDE_WIDTH + 120)
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(QLabel("Reason (§9.1) of the selected box, or of the next one drawn:"))
        column.addWidget(self.reason)
        column.addWidget(self.delete_button)
        column.addSpacing(8)
        column.addWidget(self.suggestions_label)
        column.addWidget(self.suggestions, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.reject_button)
        column.addLayout(buttons)
        for label in side.findChildren(QLabel):
            label.setWordWrap(True)
        return side

    def _build_suggestions(self) -> None:
        self.suggestions_label = QLabel()
        self.suggestions = QListWidget()
        self.suggestions.setAccessibleName("Suggested redactions to accept or reject")
        self.suggestions.setWordWrap(True)
        self.suggestions.currentItemChanged.connect(self._suggestion_chosen)
        self.accept_button = _button("&Accept", "Accept the selected suggestion as a redaction box",
                                     lambda: self._decide(True))
        self.reject_button = _button("Re&ject", "Reject the selected suggestion", lambda: self._decide(False))

    def _lay_out(self) -> None:
        tools = QHBoxLayout()
        for widget in (self.previous_button, self.page_label, self.next_button, QLabel("Zoom:"), self.zoom):
            tools.addWidget(widget)
        tools.addStretch(1)
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(tools)
        flag_row = QHBoxLayout()
        flag_row.addWidget(self.flag, 1)
        flag_row.addWidget(self.read_button)
        column.addLayout(flag_row)
        column.addWidget(self.view, 1)
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(page)
        body.addWidget(self._side())
        body.setStretchFactor(0, 1)
        body.setStretchFactor(1, 0)
        body.setSizes([10_000, SIDE_WIDTH])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(body, 1)
        layout.addWidget(self.status)

    def show_record(self, record_id: int | None) -> None:
        if record_id is None:
            self.clear()
            return
        if self.record is not None and self.record.record_id == record_id:
            self._refresh()
            return
        self._jobs.stop_all(wait=False)  # a record still opening is dropped, not waited for
        self._forget()
        self.status.setText("Opening the record…")
        self._jobs.run(lambda control: open_record(self._repo, record_id, control), self._opened, self._failed,
                       title="Opening the record", cancellable=True,
                       on_cancelled=lambda: self.status.setText("Not opened: cancelled."))

    @property
    def loading(self) -> bool:
        return self._jobs.busy

    def _opened(self, record: OpenRecord) -> None:
        self.record = record
        self.page = 1
        self.status.setText(f"{record.filename}: drag on the page (or press Insert) to draw a redaction box; choose "
                            "its reason above. ] and [ select boxes, arrows move, Ctrl+arrows resize.")
        self._refresh()
        self._show_page()

    def go_to(self, page: int) -> None:
        if self.record is None or not 1 <= page <= len(self.record.pages):
            return
        self.page = page
        self._show_page()

    def _refresh(self) -> None:
        """Boxes and pending suggestions from the store, drawn on the page shown."""
        if self.record is None:
            return
        self._boxes = boxes.list_boxes(self._repo, self.record.record_id)
        self._pending = boxes.pending(self.record.suggestions, self._boxes)
        self._fill_suggestions()
        self.view.set_marks(self._marks())

    def _show_page(self) -> None:
        record = self.record
        if record is None:
            return
        geometry = record.geometry[self.page - 1]
        count = len(record.pages)
        self.view.show_page(geometry.width, geometry.height)
        self.view.set_marks(self._marks())
        self.page_label.setText(f"Page {self.page} of {count}")
        self.previous_button.setEnabled(self.page > 1)
        self.next_button.setEnabled(self.page < count)
        self._show_flag()
        self._render()

    def _show_flag(self) -> None:
        record = self.record
        if record is None:
            return
        scanned = not record.pages[self.page - 1].has_text
        self.flag.setText(UNREAD if self.page in record.unread else READ_BY_OCR)
        self.flag.setVisible(scanned)
        self.read_button.setVisible(bool(record.unread))
        self.read_button.setEnabled(bool(record.unread))

    def read_scans(self) -> None:
        """OCR of the record's unread scanned pages, on a worker with progress and Cancel (desktop/jobs.py)."""
        record = self.record
        if record is None or not record.unread:
            return
        self.read_button.setEnabled(False)
        self.status.setText(f"Reading {len(record.unread)} scanned page(s) with OCR…")
        self._jobs.run(lambda control: read_scans(self._repo, record, control), self._scans_read, self._failed,
                       title="Reading scanned pages", cancellable=True, on_cancelled=self._scans_cancelled)

    def _scans_read(self, record: OpenRecord) -> None:
        if self.record is None or self.record.record_id != record.record_id:
            return
        self.record = record
        self._refresh()
        self._show_flag()
        self.status.setText(f"Scanned pages read; {len(self._pending)} suggestion(s) to decide. OCR can miss words: "
                            "read the pages yourself as well.")

    def _scans_cancelled(self) -> None:
        record = self.record
        if record is None:
            return
        self.status.setText("Reading stopped: the pages read so far are kept; press “Read scanned pages” for the "
                            "rest.")
        self._jobs.run(lambda control: refresh_suggestions(self._repo, record, control), self._scans_kept,
                       self._failed)

    def _scans_kept(self, record: OpenRecord) -> None:
        if self.record is not None and self.record.record_id == record.record_id:
            self.record = record
            self._refresh()
            self._show_flag()

    def _marks(self) -> list[Mark]:
        assert self.record is not None
        geometry = self.record.geometry[self.page - 1]
        drawn = [Mark(MarkKind.BOX, s.id, _qrect(geometry.rect_to_view((s.box.x0, s.box.y0, s.box.x1, s.box.y1))),
                      s.box.reason) for s in self._boxes if s.state == "accepted" and s.box.page == self.page]
        found = [Mark(MarkKind.SUGGESTION, i, _qrect(geometry.rect_to_view(s.box)), s.reason)
                 for i, s in enumerate(self._pending) if s.page == self.page]
        return drawn + found

    def _render(self) -> None:
        record = self.record
        if record is None:
            return
        dpi = self.view.render_dpi()
        key = (record.record_id, self.page, dpi)
        cached = self.cache.get(key)
        if cached is not None:
            self.view.set_image(cached, dpi)
            return
        if key in self._rendering:
            return
        self._rendering.add(key)
        pdf, page = record.pdf, self.page
        self._jobs.run(lambda _control: render_image(pdf, page, dpi), lambda image: self._rendered(key, image),
                       lambda error: self._render_failed(key, error))

    def _rendered(self, key: tuple[int, int, int], image: QImage) -> None:
        self._rendering.discard(key)
        self.cache.put(key, image)
        if self.record is not None and key == (self.record.record_id, self.page, self.view.render_dpi()):
            self.view.set_image(image, key[2])

    def _render_failed(self, key: tuple[int, int, int], error: BaseException) -> None:
        self._rendering.discard(key)
        self._failed(error)

    def _failed(self, error: BaseException) -> None:
        self.status.setText(f"{error}")

    def _drawn(self, rect: QRectF) -> None:
        record = self.record
        if record is None:
            return
        page_rect = record.geometry[self.page - 1].rect_to_page(_tuple(rect))
        box = Box(self.page, *page_rect, str(self.reason.currentData()))
        box_id = self._stored(lambda: boxes.add_box(self._repo, record.record_id, box))
        if isinstance(box_id, int):
            self.status.setText(f"Box added on page {self.page} (§{box.reason}); Delete removes it, dragging moves it.")
            self.view.select(MarkKind.BOX, box_id)

    def _moved(self, box_id: int, rect: QRectF) -> None:
        record = self.record
        if record is not None:
            page_rect = record.geometry[self.page - 1].rect_to_page(_tuple(rect))
            self._stored(lambda: boxes.move_box(self._repo, box_id, page_rect))

    def _delete(self, box_id: int) -> None:
        if self._stored(lambda: boxes.delete_box(self._repo, box_id)) is not None:
            self.status.setText("Box deleted.")

    def _delete_selected(self) -> None:
        mark = self.view.selected
        if mark is not None and mark.kind is MarkKind.BOX:
            self._delete(mark.key)

    def _reason_chosen(self, _index: int) -> None:
        mark = self.view.selected
        if mark is not None and mark.kind is MarkKind.BOX:
            reason = str(self.reason.currentData())
            self._stored(lambda: boxes.set_reason(self._repo, mark.key, reason))

    def _stored(self, change: Callable[[], object]) -> object | None:
        """Runs one store change, shows what went wrong if it did, and redraws from the store."""
        try:
            result = change()
        except (StoreError, ValueError) as error:
            self.status.setText(f"Not changed: {error}")
            self._refresh()
            return None
        self._refresh()
        if self.record is not None:
            self.changed.emit(self.record.record_id)
        return True if result is None else result

    def _selected(self, mark: Mark | None) -> None:
        is_box = mark is not None and mark.kind is MarkKind.BOX
        self.delete_button.setEnabled(is_box)
        if mark is not None:
            self.reason.setCurrentIndex(max(0, self.reason.findData(mark.reason)))
        if mark is not None and mark.kind is MarkKind.SUGGESTION:
            self._select_row(mark.key)
        self._enable_decisions()

    def _fill_suggestions(self) -> None:
        self.suggestions.blockSignals(True)
        self.suggestions.clear()
        for index, found in enumerate(self._pending):
            text = f"p. {found.page} · {KIND_NAMES.get(found.kind, found.kind)}: {found.text} (§{found.reason})"
            notes = [n for n, shown in ((SUBJECTS_OWN, found.subject_own), (CHECK_WRONG, found.checksum is False),
                                        ("read by OCR", found.source == "ocr")) if shown]
            text += "".join(f" — {note}" for note in notes)
            item = QListWidgetItem(text)
            item.setData(SUGGESTION_ROLE, index)
            self.suggestions.addItem(item)
        self.suggestions.blockSignals(False)
        count = len(self._pending)
        self.suggestions_label.setText(f"Suggestions to decide: {count}" if count else "No suggestions left to decide.")
        self._enable_decisions()

    def _select_row(self, index: int) -> None:
        self.suggestions.blockSignals(True)
        self.suggestions.setCurrentRow(index)
        self.suggestions.blockSignals(False)

    def _suggestion_chosen(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        index = int(item.data(SUGGESTION_ROLE)) if item is not None else -1
        if not 0 <= index < len(self._pending):  # the list is being emptied
            return
        found = self._pending[index]
        if found.page != self.page:
            self.go_to(found.page)
        self.view.select(MarkKind.SUGGESTION, index)

    def _chosen_suggestion(self) -> int | None:
        mark = self.view.selected
        if mark is not None and mark.kind is MarkKind.SUGGESTION:
            return mark.key
        row = self.suggestions.currentRow()
        return row if 0 <= row < len(self._pending) else None

    def _enable_decisions(self) -> None:
        chosen = self._chosen_suggestion() is not None
        self.accept_button.setEnabled(chosen)
        self.reject_button.setEnabled(chosen)

    def _decide(self, accept: bool) -> None:
        index = self._chosen_suggestion()
        record = self.record
        if index is None or record is None:
            return
        found = self._pending[index]
        reason = str(self.reason.currentData()) if accept else None
        if self._stored(lambda: boxes.decide(self._repo, record.record_id, found, accept, reason)) is not None:
            self.status.setText(("Accepted: it is now a redaction box." if accept else "Rejected.")
                                + f" {len(self._pending)} suggestion(s) left.")
            if self._pending:
                self.suggestions.setCurrentRow(min(index, len(self._pending) - 1))

    def clear(self) -> None:
        """Forgets the record, its pages and the cache (SPEC S3: nothing of a request stays after lock)."""
        self._jobs.stop_all(wait=True)
        self._forget()

    def _forget(self) -> None:
        self.record = None
        self.cache.clear()
        self._rendering.clear()
        self._boxes, self._pending = [], []
        self.view.clear_page()
        self.suggestions.blockSignals(True)
        self.suggestions.clear()
        self.suggestions.blockSignals(False)
        self.suggestions_label.setText("")
        self.page_label.setText("No record open")
        self.status.setText("Choose a record to see its pages.")
        self.flag.hide()
        self.read_button.hide()
        for button in (self.previous_button, self.next_button, self.delete_button, self.accept_button,
                       self.reject_button):
            button.setEnabled(False)


def _button(text: str, accessible: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(accessible)
    button.clicked.connect(slot)
    return button


def _qrect(rect: tuple[float, float, float, float]) -> QRectF:
    return QRectF(rect[0], rect[1], rect[2] - rect[0], rect[3] - rect[1])


def _tuple(rect: QRectF) -> tuple[float, float, float, float]:
    return rect.left(), rect.top(), rect.right(), rect.bottom()
