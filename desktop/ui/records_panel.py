"""The records tab (SPEC D1, D2): import the records to disclose, list them, and redact them in the page viewer.

Importing reads and checks the files on a worker with progress and Cancel; a refused file is named with what is
wrong and what to do, and changes nothing. The records are kept in the encrypted store (SPEC S1).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.records import RecordRefused
from desktop.records import store as records
from desktop.store import Repository, StoreError
from desktop.ui.job_tracker import JobTracker
from desktop.ui.page_viewer import PageViewer
from desktop.ui.records_model import RecordsModel
from desktop.ui.rows_model import ID_ROLE
from desktop.ui.widgets import rows_table

FILE_FILTER = "Records (*.pdf *.png *.jpg *.jpeg *.tif *.tiff *.txt);;All files (*)"
SUBJECT_ROLE = Qt.ItemDataRole.UserRole + 1


class RecordsPanel(QWidget):
    changed = Signal(int)  # the request's records or their boxes changed: its id

    def __init__(self, repo: Repository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo = repo
        self._request_id: int | None = None
        self._jobs = JobTracker(self)
        self.model = RecordsModel()
        self.viewer = PageViewer(repo)
        self.viewer.changed.connect(self._boxes_changed)
        self._build_form()
        self._build_table()
        self._lay_out()
        self.show_request(None)

    def _build_form(self) -> None:
        self.source_system = QLineEdit()
        self.source_system.setAccessibleName("Source system of the records (§8.1.3)")
        self.source_system.setPlaceholderText("e.g. TECS, ATS, SEACATS — not an aggregator (§8.1.3, fn 26)")
        self.owner = QLineEdit()
        self.owner.setAccessibleName("Owner of the records")
        self.owner.setPlaceholderText("CBP office, or the other agency that owns them (§7.2.4)")
        self.subjects = QListWidget()
        self.subjects.setAccessibleName("Subjects the records concern")
        self.subjects.setFlow(QListWidget.Flow.LeftToRight)  # one line of check boxes: most requests name one or two
        self.subjects.setWrapping(True)
        self.subjects.setMaximumHeight(48)
        self.import_button = QPushButton("Import r&ecords…")
        self.import_button.setAccessibleName("Import records into this request")
        self.import_button.clicked.connect(self._choose)
        self.remove_button = QPushButton("Re&move record")
        self.remove_button.setAccessibleName("Remove the selected record")
        self.remove_button.clicked.connect(self._remove)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Records status")

    def _build_table(self) -> None:
        self.table = rows_table(self.model, "Records of this request")
        self.table.selectionModel().selectionChanged.connect(self._chosen)

    def _lay_out(self) -> None:
        form = QGridLayout()
        form.setContentsMargins(0, 0, 0, 0)
        source_label, owner_label = QLabel("&Source system:"), QLabel("O&wner:")
        source_label.setBuddy(self.source_system)
        owner_label.setBuddy(self.owner)
        form.addWidget(source_label, 0, 0)
        form.addWidget(self.source_system, 0, 1)
        form.addWidget(owner_label, 0, 2)
        form.addWidget(self.owner, 0, 3)
        form.addWidget(self.import_button, 0, 4)
        form.addWidget(QLabel("Subjects they concern:"), 1, 0)
        form.addWidget(self.subjects, 1, 1, 1, 3)
        form.addWidget(self.remove_button, 1, 4)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        top = QWidget()
        column = QVBoxLayout(top)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(form)
        column.addWidget(self.table, 1)
        column.addWidget(self.status)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.viewer)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([190, 10_000])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def show_request(self, request_id: int | None) -> None:
        if request_id != self._request_id:
            self._jobs.stop_all(wait=False)
            self.viewer.show_record(None)
            self._request_id = request_id
            self._fill_form()
        self._fill_subjects()  # the facts may have been saved with other subjects
        self.import_button.setEnabled(request_id is not None)
        self.status.setText("Save the request first; then import the records to disclose." if request_id is None
                            else "")
        self.refresh()

    def _fill_form(self) -> None:
        self.subjects.clear()
        self.owner.clear()
        source = self._repo.get_request(self._request_id).request.source_system if self._request_id else ""
        self.source_system.setText(source)

    def _fill_subjects(self) -> None:
        """The request's subjects as check boxes; one the user unchecked stays unchecked."""
        unchecked = set(self._subject_ids()) - set(self._chosen_subjects())
        self.subjects.clear()
        found = records.subjects(self._repo, self._request_id) if self._request_id is not None else []
        for subject_id, name in found:
            item = QListWidgetItem(name or "(no name yet)")
            item.setData(SUBJECT_ROLE, subject_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            # Checked unless the user says otherwise: the DHS-191 accounting must rather list a person once too often
            # than miss one (SPEC A1).
            item.setCheckState(Qt.CheckState.Unchecked if subject_id in unchecked else Qt.CheckState.Checked)
            self.subjects.addItem(item)

    def refresh(self) -> None:
        keep = self.selected_record_id()
        rows = records.list_records(self._repo, self._request_id) if self._request_id is not None else []
        self.model.set_rows(rows)
        if keep is not None and self.model.row_of(keep) >= 0:
            self.table.selectRow(self.model.row_of(keep))
        self.remove_button.setEnabled(self.selected_record_id() is not None)

    def selected_record_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return int(rows[0].data(ID_ROLE)) if rows else None

    def select_record(self, record_id: int) -> None:
        row = self.model.row_of(record_id)
        if row >= 0:
            self.table.selectRow(row)

    def _chosen(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        record_id = self.selected_record_id()
        self.remove_button.setEnabled(record_id is not None)
        self.viewer.show_record(record_id)

    def _boxes_changed(self, _record_id: int) -> None:
        self.refresh()
        if self._request_id is not None:
            self.changed.emit(self._request_id)

    def _choose(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Import records to disclose", "", FILE_FILTER)
        if names:
            self.import_paths([Path(name) for name in names])

    def import_paths(self, paths: list[Path]) -> None:
        request_id = self._request_id
        if request_id is None or not paths:
            return
        source, owner = self.source_system.text().strip(), self.owner.text().strip()
        chosen = self._chosen_subjects()
        self.import_button.setEnabled(False)
        self.status.setText(f"Importing {len(paths)} file(s)…")
        self._jobs.run(lambda control: records.import_files(self._repo, request_id, paths, source, owner, chosen,
                                                            control),
                       self._imported, self._import_failed, title="Importing records", cancellable=True,
                       on_cancelled=self._import_cancelled)

    def _chosen_subjects(self) -> list[int]:
        items = [self.subjects.item(i) for i in range(self.subjects.count())]
        return [int(item.data(SUBJECT_ROLE)) for item in items if item.checkState() == Qt.CheckState.Checked]

    def _subject_ids(self) -> list[int]:
        return [int(self.subjects.item(i).data(SUBJECT_ROLE)) for i in range(self.subjects.count())]

    def _imported(self, result: records.ImportResult) -> None:
        self.import_button.setEnabled(True)
        self.refresh()
        if result.ids:
            self.select_record(result.ids[0])
            if self._request_id is not None:
                self.changed.emit(self._request_id)
        stored = f"Imported {len(result.ids)} record(s); they are kept encrypted in the store." if result.ids else ""
        if result.refused:
            self.status.setText(f"{stored} Not imported: {len(result.refused)} file(s).".strip())
            QMessageBox.warning(self, "Not imported", "\n\n".join(result.refused)
                                + "\n\nNothing of these files was stored.")
        else:
            self.status.setText(stored)

    def _import_failed(self, error: BaseException) -> None:
        self.import_button.setEnabled(True)
        self.status.setText(f"Nothing was imported. {error}")

    def _import_cancelled(self) -> None:
        self.import_button.setEnabled(True)
        self.status.setText("Import cancelled: nothing was stored.")

    def _remove(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        record = self.model.row(rows[0].row()) if rows else None
        if record is None:
            return
        answer = QMessageBox.question(self, "Remove record", f"Remove {record.filename} and its redaction boxes from "
                                      "this request? The file you imported it from is not touched.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            records.remove_record(self._repo, record.id)
        except (StoreError, RecordRefused) as error:
            self.status.setText(f"Not removed. {error}")
            return
        self.viewer.show_record(None)
        self.refresh()
        self.status.setText(f"Removed {record.filename}.")
        if self._request_id is not None:
            self.changed.emit(self._request_id)

    def clear(self) -> None:
        self._jobs.stop_all(wait=True)
        self.viewer.clear()
        self._request_id = None
        self.model.clear()
        self.subjects.clear()
        self.source_system.clear()
        self.owner.clear()
        self.status.clear()
        self.import_button.setEnabled(False)
        self.remove_button.setEnabled(False)
