"""The checklist view: the directive's five steps, each question's state, and what to do (SPEC C2).

Each finding is a link to the field or coordination record that resolves it (click, or Tab to it and press Enter).
The view is rebuilt from a pure assessment, a fraction of a millisecond of work, so it follows the typing.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from desktop.requests.form import target_of
from desktop.rules import Assessment, Outcome
from desktop.rules.checklist import ItemState, StepState, checklist, state_of
from desktop.ui.widgets import outcome_label

# A mark and a word for each state, so the state never rests on colour alone.
MARKS = {
    ItemState.DONE: "✔ done",
    ItemState.BLOCKED: "✖ blocked",
    ItemState.NEEDS_ACTION: "● needs action",
    ItemState.FOLLOW_UP: "◐ follow-up",
    ItemState.ADVICE: "ℹ advice",
}
# Colours only add to the mark and word; one set for a light background and one for a dark one, chosen from the
# palette the view is drawn with, so both read at 4.5:1 or better (WCAG AA) on the system's light or dark theme.
LIGHT_COLOURS = {ItemState.BLOCKED: "#b00020", ItemState.NEEDS_ACTION: "#a15c00", ItemState.DONE: "#1b6e20"}
DARK_COLOURS = {ItemState.BLOCKED: "#ff8a80", ItemState.NEEDS_ACTION: "#ffb74d", ItemState.DONE: "#81c784"}
OUTCOME_TEXT = {
    Outcome.READY: "Ready: nothing holds this request; the packet can be finalized.",
    Outcome.NEEDS_ACTION: "Needs action: the items marked ● must be done before the packet can be finalized.",
    Outcome.BLOCKED: "Blocked: this information may not be disclosed while the facts marked ✖ stand.",
}


class ChecklistPanel(QWidget):
    target_chosen = Signal(str)  # a form path, or "coordination:<item>"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shown: list[tuple[str, str, str | None]] = []
        self._assessment: Assessment | None = None
        self.outcome = outcome_label()
        self.view = QTextBrowser()
        self.view.setAccessibleName("Checklist")
        self.view.setOpenLinks(False)
        self.view.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.view.anchorClicked.connect(self._clicked)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Checklist problem")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.outcome)
        layout.addWidget(self.problem)
        layout.addWidget(self.view, 1)

    def show_assessment(self, assessment: Assessment) -> None:
        self.problem.clear()
        self._assessment = assessment
        self.outcome.setText(OUTCOME_TEXT[assessment.outcome])
        self._shown = []
        colours = colours_for(self.palette())  # the view inherits it; on a change the panel hears first
        position = self.view.verticalScrollBar().value()
        self.view.setHtml("".join(self._step_html(step, colours) for step in checklist(assessment)))
        self.view.verticalScrollBar().setValue(position)  # typing must not make the checklist jump

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """The system switched between light and dark: redraw with colours that read on the new background."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._assessment is not None:
            self.show_assessment(self._assessment)

    def _step_html(self, step: StepState, colours: dict[ItemState, str]) -> str:
        parts = [f"<h4>{_mark(step.state, colours)} {escape(step.title)}</h4><ul>"]
        for question in step.questions:
            parts.append(f"<li>{_mark(question.state, colours)} {escape(question.question.text)} "
                         f"<small>({escape(question.question.section)})</small>")
            if question.findings:
                parts.append("<ul>")
                for finding in question.findings:
                    state = state_of(finding)
                    target = target_of(finding.code, finding.field)
                    self._shown.append((finding.message, state.value, target))
                    text = escape(finding.message)
                    link = f'<a href="go:{escape(target)}">{text}</a>' if target else text
                    parts.append(f"<li>{_mark(state, colours)} {link} <small>({escape(finding.section)})</small></li>")
                parts.append("</ul>")
            parts.append("</li>")
        parts.append("</ul>")
        return "".join(parts)

    def show_problem(self, text: str) -> None:
        """The typed values cannot be read as a request yet (e.g. a half-typed country code)."""
        self.problem.setText(f"The checklist shows the last readable state. {text}")

    def findings_shown(self) -> list[tuple[str, str, str | None]]:
        """(message, state, target) of every finding shown: what the user sees, in order."""
        return list(self._shown)

    def choose(self, target: str) -> None:
        """What a click on a finding's link does."""
        self.target_chosen.emit(target)

    def _clicked(self, url: QUrl) -> None:
        if url.scheme() == "go":
            self.choose(url.toString()[len("go:"):])

    def clear(self) -> None:
        self._shown = []
        self._assessment = None
        self.view.clear()
        self.outcome.clear()
        self.problem.clear()


def colours_for(palette: QPalette) -> dict[ItemState, str]:
    """The state colours that read on the palette's background (the view draws on Base)."""
    return DARK_COLOURS if palette.color(QPalette.ColorRole.Base).lightness() < 128 else LIGHT_COLOURS


def _mark(state: ItemState, colours: dict[ItemState, str]) -> str:
    colour = colours.get(state)
    text = escape(MARKS[state])
    return f'<b style="color:{colour}">{text}</b>' if colour else f"<b>{text}</b>"
