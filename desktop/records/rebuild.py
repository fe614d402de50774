"""A record page as one form XObject of a new PDF (SPEC D3): only what draws the page travels, nothing of its
document.

A rasterized page is an image and nothing else. A page without boxes stays vector: its content, its /Group, and
its resources pruned to the names its content uses, so that an image or form shared with a redacted page through a
common resource dictionary is not carried along unseen; annotations, thumbnails, actions, metadata and structure
stay behind (desktop/records/pdfwriter.py refuses them however they are reached). The form is clipped to the page's
visible area (media box within crop box), and a page turned by /Rotate is turned upright by the form's matrix.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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

from desktop.records.model import Rect
from desktop.records.pdfwriter import Copier
from desktop.records.raster import RasterPage

_NAMED_RESOURCES = ("/XObject", "/Font", "/ExtGState", "/Pattern", "/Shading", "/ColorSpace", "/Properties")
_DROPPED_XOBJECT_KEYS = ("/Metadata", "/PieceInfo", "/OPI")
_NAME = re.compile(rb"/([^\s/\[\]()<>{}%]*)")
Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


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


def vector_form(copier: Copier, page: PageObject, inspect: Callable[[bytes], None]) -> StreamObject:
    """The page as a form XObject; its resources are copied (written by the copier's next flush). `inspect` sees
    the page's content, decompressed, before anything of it is written."""
    contents = page.get_contents()
    data = contents.get_data() if contents is not None else b""
    inspect(data)
    visible, _, matrix = vector_placement(page)
    resources = page.get("/Resources")
    pruned = _pruned(resources.get_object(), _used_names(data, resources.get_object())) \
        if resources is not None else DictionaryObject()
    form = form_xobject(data, visible, copier.copy(pruned))
    if matrix != _IDENTITY:
        form[NameObject("/Matrix")] = ArrayObject(FloatObject(v) for v in matrix)
    if "/Group" in page:
        form[NameObject("/Group")] = copier.copy(page.raw_get("/Group"))
    return form


def raster_form(raster: RasterPage, image: IndirectObject) -> StreamObject:
    """The rasterized page as a form XObject drawing `image`, its image XObject (written when it is encoded)."""
    draw = f"q {raster.width_pt:.4f} 0 0 {raster.height_pt:.4f} 0 0 cm /Im0 Do Q".encode("ascii")
    resources = DictionaryObject({NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): image})})
    return form_xobject(draw, (0.0, 0.0, raster.width_pt, raster.height_pt), resources)


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


def _used_names(content: bytes, resources: DictionaryObject) -> set[bytes]:
    """Every name the page's content uses, with the content of the forms and tiling patterns it draws, to a fixed
    point; the forms' own resources are then pruned the same way. Names inside strings count too: that can only
    keep a resource, never lose one."""
    used = _names(content)
    drawn: dict[int, StreamObject] = {}
    while True:
        before = (len(used), len(drawn))
        _walk(resources, used, drawn)
        if (len(used), len(drawn)) == before:
            break
    for target in drawn.values():
        for key in _DROPPED_XOBJECT_KEYS:
            target.pop(NameObject(key), None)
        inner = target.get("/Resources")
        if inner is not None:
            target[NameObject("/Resources")] = _pruned(inner.get_object(), used)
    return used


def _walk(resources: DictionaryObject, used: set[bytes], drawn: dict[int, StreamObject]) -> None:
    pending, visited = [resources], set()
    while pending:
        scope = pending.pop()
        for kind in ("/XObject", "/Pattern"):
            for name, ref in _entries(scope, kind):
                target = ref.get_object()  # type: ignore[attr-defined]
                if _name_bytes(name) not in used or not isinstance(target, StreamObject) or id(target) in visited:
                    continue
                visited.add(id(target))
                drawn[id(target)] = target
                if target.get("/Subtype") == "/Image":
                    continue  # samples, not content: nothing in them names a resource
                used |= _names(target.get_data())
                inner = target.get("/Resources")
                if inner is not None:
                    pending.append(inner.get_object())


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
