"""A REFI-QDA project's files: the ``.qdpx`` zip checked before anything in it is
read (members whose names would escape the folder, too many or too large
members, a compression ratio no real project has), or the sources folder
beside a ``.qde``; the project XML and each ``internal://`` source read from it
within those limits.  Parsing what it holds is :mod:`framework_qda.refi.reading`."""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from framework_qda.errors import InputError
from framework_qda.refi.codebook import MAX_XML_BYTES

MAX_MEMBERS = 20_000
MAX_MEMBER_BYTES = 200 * 1024 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
MAX_RATIO = 200
_RATIO_FLOOR = 1024 * 1024


class Members:
    """The files of a project: a checked zip, or the sources folder beside a .qde."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        self.folder: Path | None = None
        self.names: dict[str, str] = {}
        if path.suffix.lower() == ".qde":
            for name in ("sources", "Sources"):
                if (path.parent / name).is_dir():
                    self.folder = path.parent / name
                    break
            return
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            raise InputError(path, "is not a readable .qdpx (zip) file; export the project "
                             "again from your QDA program") from None
        infos = self.zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise InputError(path, f"holds {len(infos):,} archive members; refused as a "
                             "likely zip bomb")
        total = sum(i.file_size for i in infos)
        if total > MAX_TOTAL_BYTES:
            raise InputError(path, f"would unpack to {total // 1_000_000:,} MB; refused as a "
                             "likely zip bomb")
        for info in infos:
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                raise InputError(path, f"has a member named {name!r}, whose path leads out "
                                 "of the project folder; refused")
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > MAX_MEMBER_BYTES or (info.file_size > _RATIO_FLOOR
                                                     and ratio > MAX_RATIO):
                raise InputError(path, f"{name} would unpack to {info.file_size // 1_000_000:,}"
                                 f" MB (compressed {ratio:.0f} to 1); refused as a likely "
                                 "zip bomb")
            self.names[name.lower()] = name

    def project_xml(self) -> bytes:
        if self.zip is None:
            return _read_file(self.path, self.path)
        qde = [n for n in self.names.values() if n.lower().endswith(".qde")]
        top = [n for n in qde if "/" not in n]
        chosen = next((n for n in top if n.lower() == "project.qde"), None) \
            or (top[0] if len(top) == 1 else None) or (qde[0] if len(qde) == 1 else None)
        if chosen is None:
            raise InputError(self.path, "holds no project.qde; is it a REFI-QDA project "
                             "(.qdpx)?")
        data = self._member(chosen)
        assert data is not None
        return data

    def _member(self, name: str) -> bytes | None:
        assert self.zip is not None
        with self.zip.open(name) as fh:
            data = fh.read(MAX_MEMBER_BYTES + 1)  # a lying header inflates no further
        if len(data) > MAX_MEMBER_BYTES:
            raise InputError(self.path, f"{name} unpacks to more than "
                             f"{MAX_MEMBER_BYTES:,} bytes; refused as a likely zip bomb")
        return data

    def source(self, ref: str) -> bytes | None:
        """The bytes an ``internal://`` path names, or None when the project lacks them."""
        rel = ref[len("internal://"):]
        parts = PurePosixPath(rel.replace("\\", "/")).parts
        if not parts or ".." in parts or rel.startswith(("/", "\\")) or ":" in parts[0]:
            raise InputError(self.path, f"names a source file {ref!r} whose path leads out "
                             "of the sources folder; refused")
        if self.zip is not None:
            name = self.names.get(("sources/" + "/".join(parts)).lower())
            return self._member(name) if name else None
        if self.folder is None:
            return None
        target = self.folder.joinpath(*parts)
        try:
            if not target.resolve().is_relative_to(self.folder.resolve()):
                raise InputError(self.path, f"names a source file {ref!r} that is a link "
                                 "out of the sources folder; refused")
            return _read_file(target, self.path) if target.is_file() else None
        except OSError:
            return None


def _read_file(target: Path, where: Path) -> bytes:
    try:
        if target.stat().st_size > MAX_XML_BYTES:
            raise InputError(where, f"{target.name} is over {MAX_XML_BYTES // 1_000_000} MB; "
                             "refused")
        return target.read_bytes()
    except OSError as exc:
        raise InputError(where, f"cannot be read ({exc.strerror})") from None
