"""Post → Privacy incidents… (§11, SPEC I1): the incidents recorded, a form to record one, and the three drafted
notifications of each (§11.1.1-§11.1.3), read-only, to copy or save.

When the finding is that the foreign authority violated the §10.1 assurances, the core marks it so in the registry,
which blocks every open request from it (§7.3.1.2); the form says so, naming the authority, before it is saved.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.accounting.disclosed import SentPacket, sent_packets
from desktop.accounting.incidents import Incident, IncidentReport, list_incidents, record_incident
from desktop.store import Repository, StoreError
from desktop.store.registries import Authority, get_entry, list_entries
from desktop.ui.draft_text import DraftText
from desktop.ui.form_widgets import NOT_GIVEN, DateField
from desktop.ui.past_date import as_date, past_date_box

INCIDENT_ROLE = Qt.ItemDataRole.UserRole + 1
# incident_notifications.recipient -> the tab's title (§11.1.1-§11.1.3)
RECIPIENTS = {
    "privacy_office": "CBP Privacy Office (§11.1.1)",
    "ac_oia": "AC, International Affairs (§11.1.2)",
    "attache": "Attaché or agreement contact (§11.1.3)",
}
NAMES = {  # as a screen reader says them
    "privacy_office": "CBP Privacy Office (§11.1.1)",
    "ac_oia": "Assistant Commissioner for International Affairs (§11.1.2)",
    "attache": "attaché or agreement contact (§11.1.3)",
}


class IncidentForm(QWidget):
    """What happened, when it was discovered, which packet and authority, and the finding."""

    def __init__(self, repo: Repository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo = repo
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText("What happened: what was accessed or disclosed, by whom, to whom")
        self.discovered_on = past_date_box("Discovered on")
        self.occurred_on = DateField()
        self.packet = QComboBox()
        self.authority = QComboBox()
        for combo in (self.packet, self.authority):  # long labels: the box does not widen the dialog past a laptop's
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(40)
        self.finding = QLineEdit()
        self.finding.setPlaceholderText("e.g. onward disclosure without CBP's written permission (§10.1.1)")
        self.violated = QCheckBox("The authority &violated the §10.1 assurances")
        self.reported_by = QLineEdit()
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setTextFormat(Qt.TextFormat.PlainText)
        for widget, name in ((self.description, "What happened"), (self.discovered_on, "Discovered on"),
                             (self.occurred_on, "Occurred on (if known)"), (self.packet, "Packet concerned"),
                             (self.authority, "Foreign authority concerned"), (self.finding, "Finding"),
                             (self.violated, "Finding: the authority violated the §10.1 assurances"),
                             (self.reported_by, "Reported by"), (self.warning, "What saving this finding does")):
            widget.setAccessibleName(name)
        for signal in (self.violated.toggled, self.packet.currentIndexChanged, self.authority.currentIndexChanged):
            signal.connect(self._update_warning)
        form = QFormLayout(self)
        form.addRow("&What happened", self.description)
        form.addRow("&Discovered on", self.discovered_on)
        form.addRow("&Occurred on", self.occurred_on)
        form.addRow("&Packet", self.packet)
        form.addRow("&Authority", self.authority)
        form.addRow("&Finding", self.finding)
        form.addRow("", self.violated)
        form.addRow("", self.warning)
        form.addRow("&Reported by", self.reported_by)
        self.reload()

    def reload(self) -> None:
        self.packet.clear()
        self.packet.addItem("— no packet named —", None)
        for sent in sent_packets(self._repo):
            self.packet.addItem(sent.label(), sent)
        self.authority.clear()
        self.authority.addItem("— the authority the packet went to —", None)
        for authority in list_entries(self._repo, Authority):
            marked = " (already marked: violated the assurances)" if authority.violated_assurances else ""
            self.authority.addItem(f"{authority.name}{marked}", authority)
        self.reset()

    def reset(self) -> None:
        self.description.clear()
        self.discovered_on.setDate(QDate.currentDate())
        self.occurred_on.setDate(NOT_GIVEN)
        self.packet.setCurrentIndex(0)
        self.authority.setCurrentIndex(0)
        self.finding.clear()
        self.violated.setChecked(False)
        self.reported_by.clear()
        self._update_warning()

    def select_packet(self, packet_id: int) -> None:
        for index in range(self.packet.count()):
            sent = self.packet.itemData(index)
            if isinstance(sent, SentPacket) and sent.id == packet_id:
                self.packet.setCurrentIndex(index)

    def select_authority(self, authority_id: int) -> None:
        for index in range(self.authority.count()):
            found = self.authority.itemData(index)
            if isinstance(found, Authority) and found.id == authority_id:
                self.authority.setCurrentIndex(index)

    def marked_authority(self) -> str | None:
        """The name of the authority the finding will mark, as far as the form tells it."""
        chosen, sent = self.authority.currentData(), self.packet.currentData()
        if isinstance(chosen, Authority):
            return str(chosen.name)
        if isinstance(sent, SentPacket) and sent.authority:
            return sent.authority
        return None

    def _update_warning(self, *_: object) -> None:
        if not self.violated.isChecked():
            self.warning.clear()
            self.warning.hide()
            return
        name = self.marked_authority()
        if name is None:
            text = ("Choose the packet or the authority: the finding marks that authority in the registry as having "
                    "violated the §10.1 assurances.")
        else:
            text = (f"Saving marks {name} in the registry as having violated the §10.1 assurances. Every open "
                    "request from it becomes blocked (§7.3.1.2), and no further request from it is processed "
                    "until the registry entry is changed.")
        self.warning.setText(text)
        self.warning.show()

    def report(self) -> IncidentReport:
        occurred = self.occurred_on.date()
        sent, chosen = self.packet.currentData(), self.authority.currentData()
        return IncidentReport(
            description=self.description.toPlainText(),
            discovered_on=as_date(self.discovered_on.date()),
            packet_id=sent.id if isinstance(sent, SentPacket) else None,
            authority_id=chosen.id if isinstance(chosen, Authority) else None,
            occurred_on=None if occurred == NOT_GIVEN else as_date(occurred),
            finding=self.finding.text(), violated_assurances=self.violated.isChecked(),
            reported_by=self.reported_by.text(),
        )


class NotificationsView(QWidget):
    """One incident: its facts, and the three notifications as tabs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.facts.setAccessibleName("The incident")
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Drafted notifications (§11.1)")
        self.tabs.tabBar().setAccessibleName("Notifications to")
        self.drafts: dict[str, DraftText] = {}
        for recipient, title in RECIPIENTS.items():
            self.drafts[recipient] = DraftText(f"Notification to the {NAMES[recipient]}")
            self.tabs.addTab(self.drafts[recipient], title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.facts)
        layout.addWidget(self.tabs, 1)

    def show_incident(self, incident: Incident, authority: str) -> None:
        finding = incident.finding or "(not yet determined)"
        violated = " The authority violated the §10.1 assurances; it is marked so in the registry." if (
            incident.violated_assurances) else ""
        packet = f"packet #{incident.packet_id}" if incident.packet_id is not None else "no packet named"
        self.facts.setText(f"Incident {incident.id}, discovered {incident.discovered_on}, {packet}, authority: "
                           f"{authority}. Finding: {finding}.{violated}")
        bodies = {n.recipient: n.body for n in incident.notifications}
        for recipient, draft in self.drafts.items():
            draft.set_text(bodies.get(recipient, ""), f"incident-{incident.id}-{recipient.replace('_', '-')}.txt")

    def clear(self) -> None:
        self.facts.clear()
        for draft in self.drafts.values():
            draft.clear()


class IncidentsDialog(QDialog):
    recorded = Signal(int)  # incident id
    authority_marked = Signal()  # the registry changed: open requests of the authority are now blocked

    def __init__(self, repo: Repository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Privacy incidents")
        self.resize(1100, 620)
        self._repo = repo
        self.incidents = QListWidget()
        self.incidents.setAccessibleName("Incidents recorded")
        self.incidents.currentItemChanged.connect(self._chosen)
        self.new_button = QPushButton("&New incident")
        self.new_button.setAccessibleName("Record a new privacy incident")
        self.new_button.clicked.connect(self.new_incident)
        self.form = IncidentForm(repo)
        self.view = NotificationsView()
        self.save_button = QPushButton("Record &incident")
        self.save_button.setAccessibleName("Record the incident and draft the three notifications")
        self.save_button.clicked.connect(self.save)
        self.form.violated.toggled.connect(self._label_save)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setAccessibleName("Incidents status")
        self.pages = QStackedWidget()
        self.pages.addWidget(self._form_page())
        self.pages.addWidget(self.view)
        self._lay_out()
        self.reload()

    def _form_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        intro = QLabel("Report it at once to the CBP Privacy Office, the Assistant Commissioner for International "
                       "Affairs and the relevant attaché (§11.1). Recording drafts the three notifications; you "
                       "send them.")
        intro.setWordWrap(True)
        column.addWidget(intro)
        column.addWidget(self.form, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_button)
        column.addLayout(row)
        return page

    def _lay_out(self) -> None:
        left = QWidget()
        left.setMinimumWidth(240)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.incidents, 1)
        column.addWidget(self.new_button)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(1, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close the privacy incidents")
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.problem)
        layout.addWidget(close)

    def reload(self) -> None:
        self.incidents.clear()
        names = {a.id: a.name for a in list_entries(self._repo, Authority)}
        for incident in reversed(list_incidents(self._repo)):  # newest first
            item = QListWidgetItem(_line(incident, names))
            item.setToolTip(item.text())
            item.setData(INCIDENT_ROLE, incident)
            self.incidents.addItem(item)
        self.new_incident()

    def new_incident(self) -> None:
        self.incidents.setCurrentRow(-1)
        self.view.clear()
        self.pages.setCurrentIndex(0)
        self._label_save()

    def _label_save(self, *_: object) -> None:
        self.save_button.setText("Record incident and &block the authority" if self.form.violated.isChecked()
                                 else "Record &incident")

    def _chosen(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None = None) -> None:
        incident = item.data(INCIDENT_ROLE) if item is not None else None
        if not isinstance(incident, Incident):
            return
        names = {a.id: a.name for a in list_entries(self._repo, Authority)}
        self.view.show_incident(incident, names.get(incident.authority_id, "(not named)"))
        self.pages.setCurrentWidget(self.view)

    def save(self) -> Incident | None:
        report = self.form.report()
        try:
            incident = record_incident(self._repo, report)
        except StoreError as error:
            self.problem.setText(f"Not recorded. {error}")
            return None
        marked = _authority_name(self._repo, incident.authority_id) if incident.violated_assurances else None
        self.form.reload()
        self.reload()
        self.incidents.setCurrentRow(0)
        self.problem.setText(f"Incident {incident.id} recorded; its three notifications are drafted, one a tab. "
                             + (f"{marked} is marked in the registry as having violated the §10.1 assurances; its "
                                "open requests are blocked." if marked else ""))
        self.recorded.emit(incident.id)
        if report.violated_assurances:
            self.authority_marked.emit()
        return incident

    def clear(self) -> None:
        """The lock: nothing of an incident stays in the dialog, nor on the clipboard."""
        self.view.clear()
        self.form.reset()
        self.form.packet.clear()
        self.form.authority.clear()
        self.incidents.clear()
        self.problem.clear()


def _authority_name(repo: Repository, authority_id: int | None) -> str | None:
    return str(get_entry(repo, Authority, authority_id).name) if authority_id is not None else None


def _line(incident: Incident, names: dict[int | None, str]) -> str:
    authority = names.get(incident.authority_id, "no authority named")
    violated = " - violated the assurances" if incident.violated_assurances else ""
    return f"#{incident.id} discovered {incident.discovered_on}: {authority}{violated}"

