"""Optional content (layers) as the reviewer saw it: the document's default configuration (ISO 32000-1 8.11.4.3),
the one pdfium renders in the page view (SPEC D2, D3).

What is OFF there is content the reviewer never saw; a page drawing any is rebuilt as an image (pdfium renders it
as shown), so it does not leave. What is ON is drawn plainly: the packet keeps no /OCProperties, no layer names and
no /OC markers (desktop/records/content.py, pdfwriter.DROPPED_KEYS, pdfwriter.REFUSED_TYPES).

`visible` answers None where it cannot be sure (a visibility expression, a layer the document does not list, an
auto-state that may switch layers when the file is opened): the caller treats that as hidden, which is safe.
"""

from __future__ import annotations

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

_POLICIES = ("/AllOn", "/AnyOn", "/AnyOff", "/AllOff")


class Layers:
    """The default configuration of one document's optional content."""

    def __init__(self, reader: PdfReader):
        root = _dict(reader.trailer.get("/Root"))
        properties = _dict(root.get("/OCProperties")) if root is not None else None
        self.present = properties is not None
        default = _dict(properties.get("/D")) if properties is not None else None
        listed = properties.get("/OCGs") if properties is not None else None
        self._known = _ids(listed)
        self._base_on = default is None or default.get("/BaseState", "/ON") != "/OFF"
        self._unsure = default is None or "/AS" in default or default.get("/BaseState") == "/Unchanged"
        self._on = _ids(default.get("/ON")) if default is not None else set()
        self._off = _ids(default.get("/OFF")) if default is not None else set()

    def visible(self, oc: PdfObject | None) -> bool | None:
        """Whether content marked with `oc` (an OCG or OCMD, or a reference to one) shows in the default view."""
        if self._unsure or oc is None:
            return None
        ref = oc if isinstance(oc, IndirectObject) else None
        found = _dict(oc)
        if found is None:
            return None
        if found.get("/Type") == "/OCG":
            return self._group(ref)
        if found.get("/Type") == "/OCMD":
            return self._membership(found)
        return None

    def _group(self, ref: IndirectObject | None) -> bool | None:
        if ref is None or ref.idnum not in self._known:
            return None
        if ref.idnum in self._off:
            return False
        return True if ref.idnum in self._on else self._base_on

    def _membership(self, ocmd: DictionaryObject) -> bool | None:
        if "/VE" in ocmd:
            return None  # a visibility expression: not evaluated here, so not trusted
        groups = ocmd.get("/OCGs")
        refs = list(groups) if isinstance(groups, ArrayObject) else [ocmd.raw_get("/OCGs")] if groups else []
        states = [self._group(r) if isinstance(r, IndirectObject) else None for r in refs]
        if any(state is None for state in states):
            return None
        policy = ocmd.get("/P", "/AnyOn")
        if policy not in _POLICIES:
            return None
        if not states:
            return True  # ISO 32000-1 8.11.2.2: no groups, no effect
        return {"/AllOn": all(states), "/AnyOn": any(states), "/AnyOff": not all(states),
                "/AllOff": not any(states)}[str(policy)]


def _dict(value: object) -> DictionaryObject | None:
    found = value.get_object() if isinstance(value, PdfObject) else None
    return found if isinstance(found, DictionaryObject) else None


def _ids(value: object) -> set[int]:
    found = value.get_object() if isinstance(value, PdfObject) else None
    if not isinstance(found, ArrayObject):
        return set()
    return {item.idnum for item in found if isinstance(item, IndirectObject)}
