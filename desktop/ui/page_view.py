"""One page as rendered, with redaction boxes and suggestions on it: draw a box by dragging on the page, move one by
dragging it, delete the selected one with Delete (SPEC D2). Arrow keys move the selected box (Shift: further).

Scene units are points of the page as shown (x right, y down; crop box and /Rotate applied). The viewer maps them to
PDF page space (desktop/records/geometry.py) before anything is stored; this view knows nothing of the store.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QPoint, QPointF, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from desktop.records import REASONS

MIN_SIZE_PT = 3.0  # a smaller drag is a click, not a box
SCREEN_PX_PER_PT = 96 / 72  # 100 % zoom: a page as large as on paper on a 96-dpi screen
DPI_STEP = 12  # renders are cached per resolution step, so a small resize reuses them
MAX_DPI = 200
PAGE_MARGIN_PT = 8.0
ARROW_STEP_PT = (1.0, 10.0)  # without and with Shift

BOX_FILL = QColor(0, 0, 0, 150)  # dark, yet what is under it stays readable while the user checks the box
BOX_EDGE = QColor(176, 0, 32)
SUGGESTION_EDGE = QColor(214, 110, 0)
SELECTED_EDGE = QColor(0, 90, 200)


class MarkKind(Enum):
    BOX = "box"  # a stored redaction box: key is its id
    SUGGESTION = "suggestion"  # a suggestion not yet decided: key is its index in the viewer's list


@dataclass(frozen=True)
class Mark:
    kind: MarkKind
    key: int
    rect: QRectF  # view points
    reason: str


class MarkItem(QGraphicsRectItem):
    def __init__(self, mark: Mark) -> None:
        super().__init__(mark.rect)
        self.mark = mark
        self.setZValue(2 if mark.kind is MarkKind.BOX else 1)
        self.setToolTip(f"§{mark.reason} {REASONS.get(mark.reason, '')}"
                        + (" — suggestion: accept or reject it" if mark.kind is MarkKind.SUGGESTION else ""))
        # A box's reason stands just above it, clear of the text; suggestions list theirs beside the page.
        self.label: QGraphicsSimpleTextItem | None = None
        if mark.kind is MarkKind.BOX:
            self.label = QGraphicsSimpleTextItem(f"§{mark.reason}", self)
            font = self.label.font()
            font.setPointSizeF(5)
            self.label.setFont(font)
            self.label.setBrush(QBrush(BOX_EDGE))
            self._place_label()
        self.set_selected_look(False)

    def _place_label(self) -> None:
        if self.label is not None:
            rect = self.rect()
            self.label.setPos(rect.left(), rect.top() - self.label.boundingRect().height())

    def set_selected_look(self, selected: bool) -> None:
        box = self.mark.kind is MarkKind.BOX
        pen = QPen(SELECTED_EDGE if selected else (BOX_EDGE if box else SUGGESTION_EDGE))
        pen.setCosmetic(True)
        pen.setWidthF(3 if selected else 2)
        if not box:
            pen.setStyle(Qt.PenStyle.DashLine)
        self.setPen(pen)
        self.setBrush(QBrush(BOX_FILL if box else QColor(255, 170, 0, 40)))

    def move_to(self, rect: QRectF) -> None:
        self.setRect(rect)
        self._place_label()


class PageView(QGraphicsView):
    box_drawn = Signal(QRectF)  # view points
    box_moved = Signal(int, QRectF)  # box id, new rect in view points
    delete_requested = Signal(int)  # box id
    mark_selected = Signal(object)  # Mark or None
    resolution_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setAccessibleName("Page: drag, or press Insert, to draw a redaction box; ] and [ select boxes and "
                               "suggestions; arrows move, Ctrl+arrows resize, Delete removes the selected box")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setBackgroundBrush(self.palette().mid())
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        # Always there, so fitting the width cannot make it come and go (and the width with it) on every resize.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self._page = QRectF()
        self._pixmap: QGraphicsPixmapItem | None = None
        self._marks: list[MarkItem] = []
        self._selected: MarkItem | None = None
        self._drawing: QGraphicsRectItem | None = None
        self._anchor = QPointF()
        self._drag: tuple[MarkItem, QPointF, QRectF] | None = None
        self._zoom: float | None = None  # None: fit the page's width

    def show_page(self, width: float, height: float) -> None:
        """An empty page of this size in points; the image follows when it is rendered."""
        self.clear_page()
        self._page = QRectF(0, 0, width, height)
        self.scene().setSceneRect(self._page.adjusted(-PAGE_MARGIN_PT, -PAGE_MARGIN_PT, PAGE_MARGIN_PT,
                                                      PAGE_MARGIN_PT))
        paper = self.scene().addRect(self._page, QPen(Qt.PenStyle.NoPen), QBrush(QColor("white")))
        paper.setZValue(-1)
        self._apply_zoom()

    def set_image(self, image: QImage, dpi: int) -> None:
        if self._page.isEmpty():
            return
        if self._pixmap is None:
            self._pixmap = self.scene().addPixmap(QPixmap())
            self._pixmap.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._pixmap.setPixmap(QPixmap.fromImage(image))
        self._pixmap.setScale(72 / dpi)

    @property
    def has_image(self) -> bool:
        return self._pixmap is not None

    def set_marks(self, marks: list[Mark]) -> None:
        """Replaces the boxes and suggestions shown; the selection stays on the same box if it is still there."""
        keep = self._selected.mark if self._selected else None
        for item in self._marks:
            self.scene().removeItem(item)
        self._marks = [MarkItem(mark) for mark in marks]
        for item in self._marks:
            self.scene().addItem(item)
        self._selected = None
        if keep is not None and keep.kind is MarkKind.BOX:  # a suggestion's key is its place in a list that changed
            self.select(keep.kind, keep.key)
        elif keep is not None:
            self.mark_selected.emit(None)

    def marks(self) -> list[Mark]:
        return [item.mark for item in self._marks]

    def clear_page(self) -> None:
        self.scene().clear()
        self._page, self._pixmap, self._marks, self._selected = QRectF(), None, [], None
        self._drawing, self._drag = None, None

    def select(self, kind: MarkKind | None, key: int | None = None) -> None:
        found = next((i for i in self._marks if i.mark.kind is kind and i.mark.key == key), None)
        if self._selected is not None:
            self._selected.set_selected_look(False)
        self._selected = found
        if found is not None:
            found.set_selected_look(True)
            self.ensureVisible(found, 24, 24)
        self.mark_selected.emit(found.mark if found else None)

    @property
    def selected(self) -> Mark | None:
        return self._selected.mark if self._selected else None

    def set_zoom(self, zoom: float | None) -> None:
        self._zoom = zoom
        self._apply_zoom()

    def _apply_zoom(self) -> None:
        if self._page.isEmpty():
            return
        if self._zoom is None:
            scale = max(0.1, (self.viewport().width() - 4) / self.scene().sceneRect().width())
        else:
            scale = self._zoom * SCREEN_PX_PER_PT
        before = self.render_dpi()
        self.resetTransform()
        self.scale(scale, scale)
        if self.render_dpi() != before:
            self.resolution_changed.emit()

    def render_dpi(self) -> int:
        """The resolution that gives one image pixel per screen pixel at the current zoom, in cache steps."""
        exact = self.transform().m11() * 72 * self.devicePixelRatioF()
        return int(min(MAX_DPI, max(DPI_STEP * 3, math.ceil(exact / DPI_STEP) * DPI_STEP)))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self._zoom is None:
            self._apply_zoom()

    def point_for(self, x: float, y: float) -> QPoint:
        """Where a point of the page (view points) is in the viewport: what a test's mouse presses."""
        return self.mapFromScene(QPointF(x, y))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton or self._page.isEmpty():
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        point = self.mapToScene(event.position().toPoint())
        item = self._mark_at(point)
        if item is not None:
            self.select(item.mark.kind, item.mark.key)
            if item.mark.kind is MarkKind.BOX:
                self._drag = (item, point, item.rect())
        elif self._page.contains(point):
            self.select(None)
            self._anchor = point
            self._drawing = self.scene().addRect(QRectF(point, point), _drawing_pen(), QBrush(BOX_FILL))
            self._drawing.setZValue(3)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        point = self._clamped(self.mapToScene(event.position().toPoint()))
        if self._drawing is not None:
            self._drawing.setRect(QRectF(self._anchor, point).normalized())
        elif self._drag is not None:
            item, start, rect = self._drag
            item.move_to(self._kept_on_page(rect.translated(point - start)))
        else:
            super().mouseMoveEvent(event)
            return
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        self.mouseMoveEvent(event)
        if self._drawing is not None:
            rect = self._drawing.rect()
            self.scene().removeItem(self._drawing)
            self._drawing = None
            if rect.width() >= MIN_SIZE_PT and rect.height() >= MIN_SIZE_PT:
                self.box_drawn.emit(rect)
        elif self._drag is not None:
            item, _start, before = self._drag
            self._drag = None
            if item.rect() != before:
                self.box_moved.emit(item.mark.key, item.rect())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Everything the mouse does, from the keyboard (issue 6): Insert or N draws a box where the page is in
        view, ] and [ select the next and previous mark, arrows move the selected box (Shift: 10 pt), Ctrl+arrows
        resize it, Delete removes it, Escape lets go."""
        mark = self.selected
        key = event.key()
        modifiers = event.modifiers()
        if key in (Qt.Key.Key_Insert, Qt.Key.Key_N) and not self._page.isEmpty():
            self.box_drawn.emit(self._new_box_in_view())
        elif key in (Qt.Key.Key_BracketRight, Qt.Key.Key_BracketLeft) and self._marks:
            self._select_next(1 if key == Qt.Key.Key_BracketRight else -1)
        elif mark is not None and mark.kind is MarkKind.BOX and key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_requested.emit(mark.key)
        elif mark is not None and mark.kind is MarkKind.BOX and key in _ARROWS and self._selected is not None:
            step = ARROW_STEP_PT[bool(modifiers & Qt.KeyboardModifier.ShiftModifier)]
            dx, dy = _ARROWS[Qt.Key(key)]
            rect = self._selected.rect()
            if modifiers & Qt.KeyboardModifier.ControlModifier:  # resize from the bottom-right corner
                changed = QRectF(rect.topLeft(), QSizeF(max(MIN_SIZE_PT, rect.width() + dx * step),
                                                        max(MIN_SIZE_PT, rect.height() + dy * step)))
                changed = changed.intersected(self._page)
            else:
                changed = self._kept_on_page(rect.translated(dx * step, dy * step))
            self._selected.move_to(changed)
            self.box_moved.emit(mark.key, changed)
        elif key == Qt.Key.Key_Escape and mark is not None:
            self.select(None)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _new_box_in_view(self) -> QRectF:
        """A box of one line of text (144 x 18 pt) near the top-left of what is in view, kept on the page."""
        seen = self.mapToScene(self.viewport().rect()).boundingRect().intersected(self._page)
        corner = (seen if not seen.isEmpty() else self._page).topLeft() + QPointF(36, 36)
        return self._kept_on_page(QRectF(corner, QSizeF(144, 18)))

    def _select_next(self, direction: int) -> None:
        """Marks in reading order (top to bottom, left to right), wrapping round."""
        ordered = sorted(self._marks, key=lambda item: (round(item.rect().top()), item.rect().left()))
        at = ordered.index(self._selected) if self._selected in ordered else (-1 if direction > 0 else 0)
        chosen = ordered[(at + direction) % len(ordered)]
        self.select(chosen.mark.kind, chosen.mark.key)

    def _mark_at(self, point: QPointF) -> MarkItem | None:
        """The topmost mark under the point: boxes over suggestions, the smaller over the larger."""
        hits = [item for item in self._marks if item.rect().contains(point)]
        hits.sort(key=lambda item: (-item.zValue(), item.rect().width() * item.rect().height()))
        return hits[0] if hits else None

    def _clamped(self, point: QPointF) -> QPointF:
        return QPointF(min(max(point.x(), self._page.left()), self._page.right()),
                       min(max(point.y(), self._page.top()), self._page.bottom()))

    def _kept_on_page(self, rect: QRectF) -> QRectF:
        dx = max(0.0, self._page.left() - rect.left()) - max(0.0, rect.right() - self._page.right())
        dy = max(0.0, self._page.top() - rect.top()) - max(0.0, rect.bottom() - self._page.bottom())
        return rect.translated(dx, dy)


_ARROWS = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}


def _drawing_pen() -> QPen:
    pen = QPen(SELECTED_EDGE)
    pen.setCosmetic(True)
    pen.setWidthF(2)
    return pen
