"""A record page as one form XObject of a new PDF (SPEC D3): only what draws the page travels, nothing of its
document.

A rasterized page is an image and nothing else. A page without boxes stays vector: its content, its /Group, and
its resources pruned to the names its content uses, so that an image or form shared with a redacted page through a
common resource dictionary is not carried along unseen; annotations, thumbnails, actions, metadata and structure
stay behind (desktop/records/pdfwriter.py refuses them however they are reached). The form is clipped to the page's
visible area (media box within crop box), and a page turned by /Rotate is turned upright by the form's matrix.

Before a page stays vector, `vector_plan` reads what it draws (its content and the forms and tiling patterns it
uses): marked content, comments and unknown operators are dropped (desktop/records/content.py: an /ActualText or a
layer's name must not travel), optional content is looked up in the default view (desktop/records/optional.py), and
images lose their metadata (desktop/records/images.py). What cannot be made clean that way (a layer that is off, an
inline JPEG, drawing instructions that do not read) is a reason to rebuild the page as an image instead.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from pypdf import PageObject, Transformation
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    RectangleObject,
    StreamObject,
)

from desktop.records import content
from desktop.records.images import ImageDataError, clean_image_stream
from desktop.records.model import Rect
from desktop.records.optional import Layers
from desktop.records.pdfwriter import Copier
from desktop.records.raster import RasterPage

# /Properties is left out: it only names marked content (layers among them), which `content.cleaned` drops.
_NAMED_RESOURCES = ("/XObject", "/Font", "/ExtGState", "/Pattern", "/Shading", "/ColorSpace")
_DROPPED_XOBJECT_KEYS = ("/Metadata", "/PieceInfo", "/OPI")
_NAME = re.compile(rb"/([^\s/\[\]()<>{}%]*)")
Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

LAYER_OFF = "content in a layer (optional content) that is hidden in the normal view"
LAYER_UNSURE = "content in a layer (optional content) whose visibility cannot be told for sure"
UNREADABLE = "drawing instructions that cannot be read for sure, so what they hide cannot be known"
INLINE_IMAGE = "an image inside the drawing instructions whose file data cannot be cleaned of its metadata"
IMAGE_DATA = "an image whose data is not what it claims to be, so its metadata cannot be removed"
PATTERN_TEXT = "a pattern whose tiles draw text, which is not the page's text and still travels"
TYPE3_TEXT = "a font whose glyphs draw text of their own, which is not the page's text and still travels"
_TEXT_OBJECT = re.compile(rb"(?<![^\s\])>])BT(?![^\s/\[(<%])")
ZERO_SIZE = "text drawn at a size of zero, which draws nothing and which readers still extract"
_UPRIGHT = [b"1", b"0", b"0", b"1"]
_OPERATOR_BEFORE = frozenset({b"", b" ", b"\n", b"\r", b"\t", b"\x0c", b"\x00", b")", b"]", b">"})
_OPERATOR_AFTER = _OPERATOR_BEFORE - {b")", b"]", b">"} | {b"/", b"[", b"(", b"<", b"%"}


@dataclass
class VectorPlan:
    """What a page without boxes draws, made clean; `reasons` not empty: rebuild it as an image instead."""

    content: bytes
    used: set[bytes] = field(default_factory=set)
    reasons: list[str] = field(default_factory=list)


def vector_plan(page: PageObject, layers: Layers) -> VectorPlan:
    """Reads the page's content and everything it draws (see the module's docstring). The forms, patterns and
    images it draws are cleaned in place, in pypdf's parsed copies, which the copier then writes."""
    contents = page.get_contents()
    data = contents.get_data() if contents is not None else b""
    resources = page.get("/Resources")
    scope = resources.get_object() if resources is not None else DictionaryObject()
    plan = VectorPlan(b"")
    plan.content = _clean(data, scope, layers, plan.reasons)
    if not plan.reasons:
        plan.used = _used_names(plan.content, scope, layers, plan.reasons)
    return plan


def vector_placement(page: PageObject) -> tuple[Rect, Rect, Matrix]:
    """(visible area in the page's own space, the same upright in the new page's space, the matrix between)."""
    visible = _visible_box(page)
    rotation = page.rotation % 360
    if not rotation:
        return visible, visible, _IDENTITY
    # As pypdf's transfer_rotation_to_content: turn about the media box's centre, then back to the first quadrant.
    media = page.mediabox
    turn = Transformation().translate(-float(media.left + media.width / 2),
                                      -float(media.bottom + media.height / 2)).rotate(-rotation)
    corners = [turn.apply_on((float(x), float(y))) for x, y in (media.lower_left, media.upper_right)]
    turn = turn.translate(-min(c[0] for c in corners), -min(c[1] for c in corners))
    ends = [turn.apply_on(point) for point in ((visible[0], visible[1]), (visible[2], visible[3]))]
    upright = (min(e[0] for e in ends), min(e[1] for e in ends), max(e[0] for e in ends), max(e[1] for e in ends))
    return visible, upright, tuple(float(v) for v in turn.ctm)  # type: ignore[return-value]


def vector_form(copier: Copier, page: PageObject, plan: VectorPlan, inspect: Callable[[bytes], None]) -> StreamObject:
    """The page as a form XObject, from its `vector_plan` (with no reasons); its resources are copied (written by
    the copier's next flush). `inspect` sees the page's content, decompressed, before anything of it is written."""
    data = plan.content
    inspect(data)
    visible, _, matrix = vector_placement(page)
    resources = page.get("/Resources")
    pruned = _pruned(resources.get_object(), plan.used) if resources is not None else DictionaryObject()
    form = form_xobject(data, visible, copier.copy(pruned))
    if matrix != _IDENTITY:
        form[NameObject("/Matrix")] = ArrayObject(FloatObject(v) for v in matrix)
    if "/Group" in page:
        form[NameObject("/Group")] = copier.copy(page.raw_get("/Group"))
    return form


def raster_form(raster: RasterPage, image: IndirectObject, bbox: Rect | None = None) -> StreamObject:
    """The rasterized page as a form XObject drawing `image`, its image XObject (written when it is encoded),
    filling `bbox` (default: the page's size from the origin)."""
    x0, y0, x1, y1 = bbox or (0.0, 0.0, raster.width_pt, raster.height_pt)
    draw = f"q {x1 - x0:.4f} 0 0 {y1 - y0:.4f} {x0:.4f} {y0:.4f} cm /Im0 Do Q".encode("ascii")
    resources = DictionaryObject({NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): image})})
    return form_xobject(draw, (x0, y0, x1, y1), resources)


def form_xobject(content: bytes, bbox: Rect, resources: object) -> StreamObject:
    """A form XObject drawing `content` (compressed here), clipped to `bbox`."""
    stream = DecodedStreamObject()
    stream.set_data(content)
    form = stream.flate_encode()
    form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): RectangleObject(bbox), NameObject("/Resources"): resources})
    return form


def _visible_box(page: PageObject) -> Rect:
    media, crop = page.mediabox, page.cropbox
    box = (max(float(media.left), float(crop.left)), max(float(media.bottom), float(crop.bottom)),
           min(float(media.right), float(crop.right)), min(float(media.top), float(crop.top)))
    if box[2] - box[0] < 1 or box[3] - box[1] < 1:
        return (float(media.left), float(media.bottom), float(media.right), float(media.top))
    return box


def _used_names(data: bytes, resources: DictionaryObject, layers: Layers, reasons: list[str]) -> set[bytes]:
    """Every name the page's (clean) content uses, with the content of the forms and tiling patterns it draws, to
    a fixed point; each of those is cleaned, its layer looked up, and its own resources then pruned the same way.
    Names inside strings count too: that can only keep a resource, never lose one."""
    used = _names(data)
    drawn: dict[int, StreamObject] = {}
    while not reasons:
        before = (len(used), len(drawn))
        _walk(resources, used, drawn, layers, reasons)
        if (len(used), len(drawn)) == before:
            break
    for target in drawn.values():
        for key in _DROPPED_XOBJECT_KEYS:
            target.pop(NameObject(key), None)
        inner = target.get("/Resources")
        if inner is not None and target.get("/Subtype") != "/Image":
            target[NameObject("/Resources")] = _pruned(inner.get_object(), used)
    return used


def _walk(resources: DictionaryObject, used: set[bytes], drawn: dict[int, StreamObject], layers: Layers,
          reasons: list[str]) -> None:
    pending, visited = [resources], set()
    while pending and not reasons:
        scope = pending.pop()
        for kind in ("/XObject", "/Pattern"):
            for name, ref in _entries(scope, kind):
                target = ref.get_object()  # type: ignore[attr-defined]
                if _name_bytes(name) not in used or not isinstance(target, StreamObject) or id(target) in visited:
                    continue
                visited.add(id(target))
                first = id(target) not in drawn  # a later round of the fixed point only looks for new names
                drawn[id(target)] = target
                if target.get("/Subtype") == "/Image":
                    if first:
                        _check_layer(target, layers, reasons)
                        _clean_images(target, reasons)
                    continue  # samples, not content: nothing in them names a resource
                inner = target.get("/Resources")
                if first:
                    _check_layer(target, layers, reasons)
                    original = target.get_data()
                    cleaned = _clean(original, inner.get_object() if inner is not None else scope, layers, reasons)
                    if cleaned is not original:
                        _replace_data(target, cleaned)
                    used |= _names(cleaned)
                    if kind == "/Pattern" and _TEXT_OBJECT.search(cleaned):
                        _add(reasons, PATTERN_TEXT)
                if inner is not None:
                    pending.append(inner.get_object())
        _walk_glyphs(scope, used, drawn, layers, reasons, pending, visited)


def _walk_glyphs(scope: DictionaryObject, used: set[bytes], drawn: dict[int, StreamObject], layers: Layers,
                 reasons: list[str], pending: list[DictionaryObject], visited: set[int]) -> None:
    """The glyph procedures of the Type 3 fonts the content uses are content too: cleaned like it, and a glyph
    that shows text of its own (which no reader extracts as the page's, but which travels) rebuilds the page."""
    for name, ref in _entries(scope, "/Font"):
        font = ref.get_object()  # type: ignore[attr-defined]
        if _name_bytes(name) not in used or not isinstance(font, DictionaryObject) or id(font) in visited \
                or font.get("/Subtype") != "/Type3":
            continue
        visited.add(id(font))
        procs = font.get("/CharProcs")
        for glyph in (list(procs.values()) if isinstance(procs, DictionaryObject) else []):
            stream = glyph.get_object()
            if not isinstance(stream, StreamObject) or id(stream) in drawn:
                continue
            drawn[id(stream)] = stream
            original = stream.get_data()
            own = font.get("/Resources")
            cleaned = _clean(original, own.get_object() if own is not None else scope, layers, reasons)
            if cleaned is not original:
                _replace_data(stream, cleaned)
            if _TEXT_OBJECT.search(cleaned):
                _add(reasons, TYPE3_TEXT)
            used |= _names(cleaned)
        inner = font.get("/Resources")
        if inner is not None:
            pending.append(inner.get_object())


def _add(reasons: list[str], reason: str) -> None:
    if reason not in reasons:
        reasons.append(reason)


def _clean(data: bytes, scope: DictionaryObject, layers: Layers, reasons: list[str]) -> bytes:
    """A content stream with only what draws (desktop/records/content.py); a reason is added for what cannot be."""
    if _zero_size(data) and ZERO_SIZE not in reasons:
        reasons.append(ZERO_SIZE)
    if not content.worth_reading(data):
        return data
    try:
        ops = list(content.operations(data))
    except content.ContentError:
        reasons.append(UNREADABLE)
        return data
    properties = _entries(scope, "/Properties")
    named = {_name_bytes(name): ref for name, ref in properties}
    for op in ops:
        if op.operator == b"BDC" and op.operands[:1] == (b"/OC",):
            tag = op.operands[1] if len(op.operands) > 1 else b""
            _layer_reason(layers.visible(named.get(tag[1:])) if tag.startswith(b"/") else None, reasons)  # type: ignore[arg-type]
        elif op.operator == b"BI" and content.inline_filters(op) & {b"/DCTDecode", b"/JPXDecode"}:
            reasons.append(INLINE_IMAGE)
    return content.cleaned_operations(ops)


def _zero_size(data: bytes) -> bool:
    """Text at font size 0, or under a matrix that flattens it to nothing (cm or Tm with a determinant of 0):
    pdfium leaves such text out of the page altogether, so the visibility check cannot see it, but poppler and
    others extract it. The operators are found with bytes.find (a regular expression over the whole stream took
    five times as long), their operands read just before them; one inside a string can only cost a page image."""
    for operator in (b"Tf", b"Tm", b"cm"):
        at = data.find(operator)
        while at >= 0:
            if _is_operator(data, at) and _flattens(operator, data[max(0, at - 96):at].rsplit(None, 6)):
                return True
            at = data.find(operator, at + 2)
    return False


def _is_operator(data: bytes, at: int) -> bool:
    before, after = data[at - 1:at], data[at + 2:at + 3]
    return before in _OPERATOR_BEFORE and after in _OPERATOR_AFTER


def _flattens(operator: bytes, tokens: list[bytes]) -> bool:
    try:
        if operator == b"Tf":
            return len(tokens) >= 1 and float(tokens[-1]) == 0
        operands = tokens[-6:]
        if len(operands) < 6 or operands[:4] == _UPRIGHT:
            return False  # "1 0 0 1" is by far the most common matrix: no arithmetic needed
        a, b, c, d = (float(v) for v in operands[:4])
    except ValueError:
        return False  # not numbers: not such an operator (or a broken one, which readers skip)
    return a * d - b * c == 0


def _check_layer(target: StreamObject, layers: Layers, reasons: list[str]) -> None:
    if "/OC" in target:
        _layer_reason(layers.visible(target.raw_get("/OC")), reasons)  # the copier drops /OC (DROPPED_KEYS)


def _layer_reason(visible: bool | None, reasons: list[str]) -> None:
    if visible is False and LAYER_OFF not in reasons:
        reasons.append(LAYER_OFF)
    elif visible is None and LAYER_UNSURE not in reasons:
        reasons.append(LAYER_UNSURE)


def _clean_images(image: StreamObject, reasons: list[str]) -> None:
    """The image and its masks lose their metadata in place (desktop/records/images.py)."""
    for found in (image, image.get("/SMask"), image.get("/Mask")):
        found = found.get_object() if found is not None else None
        if isinstance(found, StreamObject):
            try:
                clean_image_stream(found)
            except ImageDataError:
                if IMAGE_DATA not in reasons:
                    reasons.append(IMAGE_DATA)


def _replace_data(stream: StreamObject, data: bytes) -> None:
    """Puts clean content into pypdf's parsed copy of a form or pattern, Flate-compressed, so the copier writes it."""
    stream._data = zlib.compress(data, 6)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    stream.pop(NameObject("/DecodeParms"), None)
    if hasattr(stream, "decoded_self"):
        stream.decoded_self = None


def _entries(scope: DictionaryObject, kind: str) -> list[tuple[str, object]]:
    found = scope.get(kind) if isinstance(scope, DictionaryObject) else None
    found = found.get_object() if found is not None else None
    return list(found.items()) if isinstance(found, DictionaryObject) else []


def _pruned(resources: DictionaryObject, used: set[bytes]) -> DictionaryObject:
    fresh = DictionaryObject()
    for kind in _NAMED_RESOURCES:
        kept = {NameObject(name): ref for name, ref in _entries(resources, kind) if _name_bytes(name) in used}
        if kept:
            fresh[NameObject(kind)] = DictionaryObject(kept)
    if "/ProcSet" in resources:
        fresh[NameObject("/ProcSet")] = resources.raw_get("/ProcSet")
    return fresh


def _names(content: bytes) -> set[bytes]:
    return {re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), n) for n in _NAME.findall(content)}


def _name_bytes(name: str) -> bytes:
    return name.removeprefix("/").encode("utf-8", "surrogateescape")
