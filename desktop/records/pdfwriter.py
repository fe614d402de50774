"""A PDF written object by object as it is made (SPEC D3, P2).

pypdf's PdfWriter holds every object of the document until `write()`: a 400-page packet was held whole in memory
two and three times over (the writer's objects, the clean record they came from, the encrypted copy). Here each
object goes to the output the moment it is complete, encrypted there when the file is encrypted, and is dropped:
memory holds the page being made, whatever the page count. Only the object offsets and the page references stay
(a few dozen bytes a page).

The file is a fresh one: header, objects, one cross-reference table, one trailer, one %%EOF, no /Prev. Encryption
is the PDF 2.0 standard security handler, AES-256 revision 6 (SPEC P2), from pypdf's own implementation, so the
key derivation and the /U /O /UE /OE /Perms values are the ones pypdf's writer makes; the file key is random.

`Copier` brings objects over from a source PDF read by pypdf: each source object once (a font or form shared by
many pages is written once), references renumbered, nothing of the source's document structure (catalog, page
tree, annotations, metadata, actions, attachments) however it is reached (SPEC D3, S1).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import BinaryIO

from pypdf import PdfReader
from pypdf._encryption import EncryptAlgorithm, Encryption  # the standard handler pypdf's writer uses
from pypdf.constants import UserAccessPermissions
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

from desktop.records.images import ImageDataError, clean_image_stream
from desktop.records.model import RedactionError

# Keys of fonts, images, forms and other typed objects that carry metadata, actions or a way back into the source
# document's structure; never copied (SPEC D3). Only from objects with a /Type or /Subtype, and streams: the keys of
# name maps (a resource dictionary, a Type 3 font's glyph procedures) are names chosen by the producer, "/A" or "/P"
# among them.
# /OC: optional content is flattened (desktop/records/optional.py): a form or image that is drawn is drawn plainly.
DROPPED_KEYS = frozenset({"/Metadata", "/PieceInfo", "/LastModified", "/OPI", "/StructParent", "/StructParents",
                          "/AA", "/A", "/JS", "/Parent", "/P", "/Annots", "/Thumb", "/Ref", "/B", "/ID", "/OC"})
# Objects that are the source's document, not what a page draws: written as null if a resource reaches one.
REFUSED_TYPES = frozenset({"/Catalog", "/Pages", "/Page", "/Annot", "/Action", "/Filespec", "/EmbeddedFile",
                           "/Metadata", "/Outlines", "/StructTreeRoot", "/StructElem", "/Sig", "/OCG", "/OCMD"})
# An action needs no /Type: known by its /S, or by carrying script.
REFUSED_ACTIONS = frozenset({"/JavaScript", "/Launch", "/URI", "/SubmitForm", "/ImportData", "/GoTo", "/GoToR",
                             "/GoToE", "/Rendition", "/ResetForm", "/Named", "/Hide", "/Sound", "/Movie"})
# What the password opens (§8.1.7): the packet is read, printed (at full quality), quoted and read aloud; it is not
# changed, annotated, filled in or reassembled: what was disclosed stays as it was sent. Readers honour these bits;
# the owner password that would lift them is random and never shown (desktop/packets/password.py).
PERMISSIONS = UserAccessPermissions.all() & ~(UserAccessPermissions.MODIFY | UserAccessPermissions.ADD_OR_MODIFY
                                              | UserAccessPermissions.FILL_FORM_FIELDS
                                              | UserAccessPermissions.ASSEMBLE_DOC)


class ObjectWriter:
    """Write objects with `write`, pages with `add_page`, then `close` once. Not thread-safe; one per file."""

    def __init__(self, out: BinaryIO, header: str, password: str | None = None, owner_password: str | None = None):
        if password is not None and (not owner_password or owner_password == password):
            raise ValueError("An encrypted PDF needs a distinct owner password (SPEC P2).")
        self._out = out
        self._start = out.tell()
        self._offsets: list[int] = []  # the offset of object n at [n - 1]; -1 while reserved
        self._pages: list[IndirectObject] = []
        self._id = ByteStringObject(secrets.token_bytes(16))
        self._encryption: Encryption | None = None
        self._encrypt_entry: DictionaryObject | None = None
        if password is not None:
            self._encryption = Encryption.make(EncryptAlgorithm.AES_256, PERMISSIONS, self._id)  # revision 6
            self._encrypt_entry = self._encryption.write_entry(password, owner_password, strict=True)
        self._pages_ref = self.reserve()
        self._emit(f"{header}\n".encode("ascii") + b"%\xe2\xe3\xcf\xd3\n")

    @property
    def page_count(self) -> int:
        return len(self._pages)

    def reserve(self) -> IndirectObject:
        """A number for an object written later (a page's parent, an object referring to itself)."""
        self._offsets.append(-1)
        return IndirectObject(len(self._offsets), 0, None)  # a number; no reader behind it

    def write(self, obj: PdfObject, ref: IndirectObject | None = None) -> IndirectObject:
        ref = ref or self.reserve()
        if self._offsets[ref.idnum - 1] != -1:
            raise ValueError(f"object {ref.idnum} was written already")
        self._offsets[ref.idnum - 1] = self._out.tell() - self._start
        if self._encryption is not None and obj is not self._encrypt_entry:
            obj = self._encryption.encrypt_object(obj, ref.idnum, 0)
        self._emit(f"{ref.idnum} 0 obj\n".encode("ascii"))
        obj.write_to_stream(self._out)
        self._emit(b"\nendobj\n")
        return ref

    def add_page(self, page: DictionaryObject) -> IndirectObject:
        page[NameObject("/Type")] = NameObject("/Page")
        page[NameObject("/Parent")] = self._pages_ref
        ref = self.write(page)
        self._pages.append(ref)
        return ref

    def close(self, info: dict[str, str] | None = None) -> None:
        """Page tree, catalog, Info (only what is given), then the cross-reference table and the trailer."""
        self.write(DictionaryObject({NameObject("/Type"): NameObject("/Pages"), NameObject("/Count"):
                                     NumberObject(len(self._pages)), NameObject("/Kids"): ArrayObject(self._pages)}),
                   self._pages_ref)
        trailer = DictionaryObject({NameObject("/Root"): self.write(DictionaryObject({
            NameObject("/Type"): NameObject("/Catalog"), NameObject("/Pages"): self._pages_ref}))})
        if info:
            trailer[NameObject("/Info")] = self.write(DictionaryObject(
                {NameObject(key): TextStringObject(value) for key, value in info.items()}))
        if self._encrypt_entry is not None:
            trailer[NameObject("/Encrypt")] = self.write(self._encrypt_entry)
        missing = [n for n, offset in enumerate(self._offsets, start=1) if offset == -1]
        if missing:
            raise ValueError(f"objects reserved and never written: {missing[:5]}")
        trailer[NameObject("/Size")] = NumberObject(len(self._offsets) + 1)
        trailer[NameObject("/ID")] = ArrayObject([self._id, self._id])
        xref = self._out.tell() - self._start
        self._emit(f"xref\n0 {len(self._offsets) + 1}\n0000000000 65535 f \n".encode("ascii"))
        self._emit(b"".join(f"{offset:010d} 00000 n \n".encode("ascii") for offset in self._offsets))
        self._emit(b"trailer\n")
        trailer.write_to_stream(self._out)
        self._emit(f"\nstartxref\n{xref}\n%%EOF\n".encode("ascii"))

    def _emit(self, data: bytes) -> None:
        self._out.write(data)


class Copier:
    """Copies what pages draw from one source PDF into an ObjectWriter (see the module's docstring). `inspect` sees
    every stream copied, before it is written: the redaction check looks for covered text in it (SPEC D3)."""

    def __init__(self, writer: ObjectWriter, reader: PdfReader, inspect: Callable[[StreamObject], None] | None = None):
        self._writer = writer
        self._reader = reader
        self._inspect = inspect
        self._done: dict[tuple[int, int], IndirectObject] = {}  # source (number, generation) -> ours
        self._pending: list[tuple[tuple[int, int], IndirectObject]] = []

    def copy(self, value: PdfObject) -> PdfObject:
        """`value` with every reference in it mapped to this writer's; what they point to is written by `flush`."""
        if isinstance(value, IndirectObject):
            key = (value.idnum, value.generation)
            if key not in self._done:
                self._done[key] = self._writer.reserve()
                self._pending.append((key, self._done[key]))
            return self._done[key]
        if isinstance(value, StreamObject):
            stream = StreamObject()
            stream._data = value._data  # still encoded: copied as it is, filters and all
            stream.update((k, v) for k, v in self._entries(value) if k != "/Length")  # the writer counts it anew
            return stream
        if isinstance(value, DictionaryObject):
            return DictionaryObject(self._entries(value))
        if isinstance(value, ArrayObject):
            return ArrayObject(self.copy(item) for item in value)
        return value

    def flush(self) -> None:
        """Writes every source object the copies so far refer to, and what those refer to, then lets pypdf drop its
        parsed copies of the streams (a page's content, images and fonts would otherwise stay for the whole run)."""
        while self._pending:
            key, ref = self._pending.pop()
            found = self._reader.get_object(IndirectObject(key[0], key[1], self._reader))
            if found is None or _refused(found):
                self._writer.write(NullObject(), ref)
                continue
            if isinstance(found, StreamObject):
                self._clean_image(found)
                if self._inspect is not None:
                    self._inspect(found)
            self._writer.write(self.copy(found), ref)
        forget_streams(self._reader)

    @staticmethod
    def _clean_image(stream: StreamObject) -> None:
        """An image goes out as pixels, never with its file's metadata (desktop/records/images.py); the vector path
        cleans the images it draws before this, and this catches whatever else reaches one (a mask, a pattern's)."""
        if stream.get("/Subtype") != "/Image":
            return
        try:
            clean_image_stream(stream)
        except ImageDataError as error:
            raise RedactionError(f"An image's data cannot be cleaned of its metadata ({error}); nothing was saved. "
                                 "Print the record to PDF again and import that.") from error

    def _entries(self, source: DictionaryObject) -> Iterable[tuple[NameObject, PdfObject]]:
        typed = isinstance(source, StreamObject) or "/Type" in source or "/Subtype" in source
        return ((NameObject(k), self.copy(v)) for k, v in source.items() if not (typed and k in DROPPED_KEYS))


def _refused(found: PdfObject) -> bool:
    if not isinstance(found, DictionaryObject):
        return False
    return found.get("/Type") in REFUSED_TYPES or found.get("/S") in REFUSED_ACTIONS or "/JS" in found


def forget_streams(reader: PdfReader) -> None:
    """Drops pypdf's cached streams, except object streams (re-reading one for each object in it would be slow)."""
    cache = reader.resolved_objects
    for key in [k for k, v in cache.items() if isinstance(v, StreamObject) and v.get("/Type") != "/ObjStm"]:
        del cache[key]
