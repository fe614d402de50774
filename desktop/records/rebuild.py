"""The redacted record as a brand-new PDF (SPEC D3): only pages travel from the original, nothing of its document.

Rasterized pages are an image and nothing else. A page without boxes stays vector, copied with an allow-list of
page keys (no annotations, thumbnails, actions, metadata, structure) and resources pruned to the names its content
uses, so that an image or form shared with a redacted page through a common resource dictionary is not carried
along unseen. The writer has no Info dictionary, no XMP, outline, AcroForm, names tree (embedded files,
JavaScript) or OpenAction, and writes one fresh file: one %%EOF, no /Prev.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, StreamObject

from desktop.records.raster import RasterPage

_PAGE_KEYS = ("/Type", "/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox", "/Rotate", "/Contents",
              "/Group", "/UserUnit")
_NAMED_RESOURCES = ("/XObject", "/Font", "/ExtGState", "/Pattern", "/Shading", "/ColorSpace", "/Properties")
_DROPPED_XOBJECT_KEYS = ("/Metadata", "/PieceInfo", "/OPI")
_NAME = re.compile(rb"/([^\s/\[\]()<>{}%]*)")


def rebuild(source: PdfReader, rasters: Mapping[int, RasterPage]) -> bytes:
    writer = PdfWriter()
    writer.metadata = None  # no Info dictionary, not even a Producer
    for number, original in enumerate(source.pages, start=1):
        raster = rasters.get(number)
        if raster is None:
            writer.add_page(_vector_page(original))
        else:
            _add_image_page(writer, raster)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _add_image_page(writer: PdfWriter, raster: RasterPage) -> None:
    page = writer.add_blank_page(raster.width_pt, raster.height_pt)
    draw = DecodedStreamObject()
    draw.set_data(f"q {raster.width_pt:.4f} 0 0 {raster.height_pt:.4f} 0 0 cm /Im0 Do Q".encode("ascii"))
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(raster.image)}),
    })
    page[NameObject("/Contents")] = writer._add_object(draw.flate_encode())


def _vector_page(original: PageObject) -> PageObject:
    """A fresh page dictionary holding only what draws the page; the writer clones what it references."""
    fresh = PageObject()
    fresh[NameObject("/Type")] = NameObject("/Page")
    for key in _PAGE_KEYS:
        if key in original:
            fresh[NameObject(key)] = original.raw_get(key)
    resources = original.get("/Resources")
    if resources is not None:
        used = _used_names(original.get_contents(), resources.get_object())
        fresh[NameObject("/Resources")] = _pruned(resources.get_object(), used)
    return fresh


def _used_names(contents: object, resources: DictionaryObject) -> set[bytes]:
    """Every name the page's content uses, with the content of the forms and tiling patterns it draws, to a fixed
    point; the forms' own resources are then pruned the same way. Names inside strings count too: that can only
    keep a resource, never lose one."""
    used = _names(contents.get_data() if isinstance(contents, StreamObject) else b"")
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
