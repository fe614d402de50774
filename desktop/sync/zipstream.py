"""A ZIP written and read as a stream, for the sync bundle's payload (SPEC A2): nothing whole in memory.

Writing goes through the standard library's `zipfile` into `ZipSink`, a file that holds only the member being
written: `zipfile` writes a member's local header, its data, then seeks back once to fill in the header's CRC and
sizes, so the sink keeps the bytes from the start of that member and passes them on (to the CMS signature) when
the member is complete. The headers thus carry real sizes and no data descriptors, and the archive is one any
unzip reads.

Reading (`ZipReader`) walks the local headers in order, which a streamed archive allows because each header gives
its member's size, then checks that the central directory at the end lists exactly the same members at the same
offsets with the same sizes and CRCs: an archive whose directory tells another story than its headers (a trick to
show one thing to unzip and another to a streaming reader) is refused. Only stored and deflated members, without
data descriptors, are read; anything else in a bundle was not written by this program.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from desktop.sync import der
from desktop.sync.cms import Sink

_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")
_END64 = struct.Struct("<4sQHHIIQQQQ")
_LOCATOR64 = struct.Struct("<4sIQI")
_LOCAL_SIG, _CENTRAL_SIG = b"PK\x03\x04", b"PK\x01\x02"
_END_SIG, _END64_SIG, _LOCATOR64_SIG = b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07"
_STORED, _DEFLATED = 0, 8
_DATA_DESCRIPTOR = 0x08
_UTF8_NAME = 0x800
_ZIP64 = 0xFFFFFFFF
_CHUNK = 1 << 16


class ZipFormatError(ValueError):
    """The bytes are not a ZIP this reader accepts; the message says where."""


class ZipSink:
    """A seekable file for `zipfile` that holds only the current member and passes each finished one to `out`.

    `commit()` is called after each member (and after the archive's end records): everything written so far is
    then final. A seek before the start of the current member would mean `zipfile` changed how it writes; it is
    refused rather than answered with wrong bytes."""

    def __init__(self, out: Sink) -> None:
        self._out = out
        self._held = bytearray()
        self._base = 0  # the archive offset of _held[0]
        self._at = 0

    def write(self, data: bytes, /) -> int:
        start = self._at - self._base
        self._held[start:start + len(data)] = data
        self._at += len(data)
        return len(data)

    def tell(self) -> int:
        return self._at

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence != 0 or not self._base <= offset <= self._base + len(self._held):
            raise OSError(f"the bundle is written as a stream: cannot seek to {offset} (whence {whence})")
        self._at = offset
        return offset

    def flush(self) -> None:
        """Nothing to do: bytes leave at `commit()`."""

    def close(self) -> None:
        """Nothing to do: the layers below are closed by their owner, once the archive's end is committed."""

    def commit(self) -> None:
        if self._held:
            self._out.write(bytes(self._held))
            self._base += len(self._held)
            self._at = self._base
            self._held.clear()


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    flags: int
    method: int
    crc: int
    compress_size: int
    file_size: int
    offset: int  # of its local header, from the start of the archive

    @property
    def encrypted(self) -> bool:
        return bool(self.flags & 0x1)


class ZipReader:
    """The members of a ZIP read from `stream`, in the order their local headers come; then its central
    directory and end records, checked against them. The stream must end with the archive."""

    def __init__(self, stream: der.Stream, *, stored_crc: bool = True) -> None:
        """`stored_crc=False` skips the CRC of stored members, for a caller that checks a stronger hash of them."""
        self._stream = stream
        self._stored_crc = stored_crc
        self._start = stream.position
        self.members: list[Member] = []

    def entries(self) -> Iterator[tuple[Member, Iterator[der.Chunk]]]:
        """Each member with an iterator of its uncompressed bytes. Read the bytes before asking for the next
        member, or they are skipped unchecked-for-content (their size is still checked)."""
        while self._stream.peek(4) == _LOCAL_SIG:
            member = self._local_header()
            self.members.append(member)
            data = self._data(member)
            yield member, data
            for _ in data:
                pass
        self._central_directory()

    def _local_header(self) -> Member:
        offset = self._stream.position - self._start
        (_, _, flags, method, _, _, crc, compress_size, file_size, name_length,
         extra_length) = _LOCAL.unpack(self._stream.read(_LOCAL.size))
        raw_name = self._stream.read(name_length)
        extra = self._stream.read(extra_length)
        name = raw_name.decode("utf-8" if flags & _UTF8_NAME else "cp437", errors="replace")
        if flags & _DATA_DESCRIPTOR:
            raise ZipFormatError(f"the member {name!r} is written with a data descriptor, which bundles are not")
        if method not in (_STORED, _DEFLATED):
            raise ZipFormatError(f"the member {name!r} uses compression method {method}; bundles use stored or "
                                 "deflated")
        file_size, compress_size, _ = _zip64_sizes(extra, file_size, compress_size, None, name)
        return Member(name, flags, method, crc, compress_size, file_size, offset)

    def _data(self, member: Member) -> Iterator[der.Chunk]:
        produced, crc = 0, 0
        deflated = member.method == _DEFLATED
        check_crc = deflated or self._stored_crc
        for chunk in self._inflated(member) if deflated else self._stored(member.compress_size):
            produced += len(chunk)
            if produced > member.file_size:
                raise ZipFormatError(f"the member {member.name!r} is not the size its header declares")
            if check_crc:
                crc = zlib.crc32(chunk, crc)
            yield chunk
        if produced != member.file_size:
            raise ZipFormatError(f"the member {member.name!r} is not the size its header declares")
        if check_crc and crc != member.crc:
            raise ZipFormatError(f"the member {member.name!r} does not match its CRC: it is damaged")

    def _stored(self, size: int) -> Iterator[der.Chunk]:
        left = size
        while left:
            chunk = self._stream.read_some(min(left, _CHUNK))  # what is at hand: no copy to make whole chunks
            if not chunk:
                raise ZipFormatError(f"the archive ends {left:,} bytes into a member's data: it is cut short")
            left -= len(chunk)
            yield chunk

    def _inflated(self, member: Member) -> Iterator[der.Chunk]:
        inflater = zlib.decompressobj(-15)
        try:
            for chunk in self._stored(member.compress_size):
                pending = chunk
                while pending:  # bounded output per step: a small input cannot make a huge chunk
                    out = inflater.decompress(pending, _CHUNK)
                    if out:
                        yield out
                    pending = inflater.unconsumed_tail
            out = inflater.flush()
        except zlib.error as error:
            raise ZipFormatError(f"the member {member.name!r} cannot be read ({error})") from None
        if out:
            yield out
        if not inflater.eof or inflater.unused_data:
            raise ZipFormatError(f"the member {member.name!r} is not one whole deflate stream")

    def _central_directory(self) -> None:
        directory_start = self._stream.position - self._start
        for member in self.members:
            self._directory_entry(member)
        directory_size = self._stream.position - self._start - directory_start
        count, size, offset = len(self.members), directory_size, directory_start
        if self._stream.peek(4) == _END64_SIG:
            end64 = _END64.unpack(self._stream.read(_END64.size))
            if end64[1] < _END64.size - 12:
                raise ZipFormatError("the ZIP64 end record is shorter than its fixed fields")
            self._stream.read(end64[1] - (_END64.size - 12))  # any extensible data after the fixed fields
            if (end64[6], end64[7], end64[8], end64[9]) != (count, count, size, offset):
                raise ZipFormatError("the ZIP64 end record does not match the central directory")
            if _LOCATOR64.unpack(self._stream.read(_LOCATOR64.size))[0] != _LOCATOR64_SIG:
                raise ZipFormatError("the ZIP64 end record is not followed by its locator")
            count, size, offset = min(count, 0xFFFF), min(size, _ZIP64), min(offset, _ZIP64)
        end = _END.unpack(self._stream.read(_END.size))
        if end[0] != _END_SIG:
            raise ZipFormatError("the central directory lists members the archive does not hold, or the other way")
        if (end[3], end[4], end[5], end[6]) != (count, count, size, offset):
            raise ZipFormatError("the ZIP's end record does not match its central directory")
        self._stream.read(end[7])  # the archive comment
        if not self._stream.at_end():
            raise ZipFormatError("bytes follow the end of the ZIP")

    def _directory_entry(self, member: Member) -> None:
        fields = _CENTRAL.unpack(self._stream.read(_CENTRAL.size))
        if fields[0] != _CENTRAL_SIG:
            raise ZipFormatError("the central directory lists fewer members than the archive holds")
        flags, method, crc, compress_size, file_size = fields[3], fields[4], fields[7], fields[8], fields[9]
        name_length, extra_length, comment_length, offset = fields[10], fields[11], fields[12], fields[16]
        raw_name = self._stream.read(name_length)
        extra = self._stream.read(extra_length)
        self._stream.read(comment_length)
        name = raw_name.decode("utf-8" if flags & _UTF8_NAME else "cp437", errors="replace")
        file_size, compress_size, offset = _zip64_sizes(extra, file_size, compress_size, offset, name)
        if (name, method, crc, compress_size, file_size, offset) != (
                member.name, member.method, member.crc, member.compress_size, member.file_size, member.offset):
            raise ZipFormatError(f"the ZIP's central directory does not match its member {member.name!r}")


def _zip64_sizes(extra: bytes, file_size: int, compress_size: int, offset: int | None, name: str
                 ) -> tuple[int, int, int | None]:
    """The sizes (and offset) a header gives, taking those marked 0xFFFFFFFF from its ZIP64 extra field."""
    if _ZIP64 not in (file_size, compress_size, offset):
        return file_size, compress_size, offset
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, at)
        if at + 4 + length > len(extra):
            break
        if kind == 0x0001:
            values = list(struct.unpack_from(f"<{length // 8}Q", extra, at + 4))
            try:
                file_size = values.pop(0) if file_size == _ZIP64 else file_size
                compress_size = values.pop(0) if compress_size == _ZIP64 else compress_size
                offset = values.pop(0) if offset == _ZIP64 else offset
            except IndexError:
                break
            return file_size, compress_size, offset
        at += 4 + length
    raise ZipFormatError(f"the member {name!r} has no ZIP64 sizes where its header points to them")
