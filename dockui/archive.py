"""Files inside a container through the engine's archive endpoints (``HEAD``/``GET``/``PUT
/containers/{id}/archive``), which work on a stopped or crashed container as on a running one.

What this module owns (no Textual here; every function runs on a worker thread):

* :func:`stat_path` -- the engine's ``X-Docker-Container-Path-Stat`` of a path (``HEAD``).
* :func:`list_dir` -- one directory level, read from the tar of ``DIR/.``: only the headers are
  parsed, file data is skipped, reading stops at a byte budget (the listing then says it is
  partial) and the stream is closed as soon as it is done or cancelled.
* :func:`read_file` -- a file's bytes for viewing, refused (:class:`TooLarge`) above a bound.
* :func:`copy_out` -- a file or directory to the local machine: written under a temporary name
  next to the target and renamed into place only when complete, so a failure (a missing path,
  an answer that is not a tar, the container removed meanwhile, a full disk) leaves nothing
  behind; a progress callback gets the bytes written.
* :func:`copy_in` -- a local file or directory into the container (a tar packed to a temporary
  file, streamed with progress).

Names are kept as the tar spells them: invalid UTF-8 survives as surrogate escapes (so the exact
bytes go back to the engine), and :func:`display_name` turns them into inert text.
The engine client's docker-py methods keep their signatures; this module adds its helpers on top
of the client's own request primitives.
"""

from __future__ import annotations

import os
import posixpath
import stat as stat_mod
import tarfile
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .ansi import one_line
from .engine.base import CancellableStream
from .engine.containers import decode_chunks
from .engine.utils import decode_json_header

LIST_BUDGET = 256 * 1024 * 1024  # tar bytes read at most to list one directory
LIST_SECONDS = 20.0  # and seconds spent at most (a slow link): the listing then says it is partial
VIEW_LIMIT = 1024 * 1024  # the largest file ``v`` shows; larger ones are copied, not viewed
CHUNK = 256 * 1024

Progress = Callable[[int, "int | None"], None]  # (bytes done, total or None when unknown)

# Go's os.FileMode bits, as the engine's path stat reports them
_GO_DIR = 1 << 31
_GO_SYMLINK = 1 << 27


class ArchiveError(Exception):
    """Something about an archive that is not the engine's error (an answer that is not a tar)."""


class TooLarge(ArchiveError):
    def __init__(self, path: str, size: int, limit: int) -> None:
        super().__init__(f"{display_name(path)} is {size:,} bytes, more than the {limit:,} bytes a view shows: "
                         "ctrl+s copies it instead")
        self.size, self.limit = size, limit


class Cancelled(ArchiveError):
    pass


@dataclass(frozen=True)
class Entry:
    name: str  # as the tar names it (invalid UTF-8 as surrogate escapes)
    type: str  # dir | file | link | hardlink | char | block | fifo | other
    size: int
    mode: int  # permission bits (with setuid, setgid, sticky)
    mtime: float
    link: str = ""  # a link's target

    @property
    def is_dir(self) -> bool:
        return self.type == "dir"


@dataclass
class Listing:
    path: str
    entries: list[Entry] = field(default_factory=list)
    complete: bool = True  # False: the budget ran out before the end of the tar
    read: int = 0  # tar bytes read


_TYPES = {tarfile.DIRTYPE: "dir", tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.CONTTYPE: "file",
          tarfile.SYMTYPE: "link", tarfile.LNKTYPE: "hardlink", tarfile.CHRTYPE: "char", tarfile.BLKTYPE: "block",
          tarfile.FIFOTYPE: "fifo"}
_TYPE_CHAR = {"dir": "d", "file": "-", "link": "l", "hardlink": "h", "char": "c", "block": "b", "fifo": "p"}


def wire(path: str) -> bytes:
    """A path as the bytes the engine gets (surrogate escapes back to the bytes they stand for)."""
    return path.encode("utf-8", "surrogateescape")


def display_name(name: str) -> str:
    """A name as inert one-line text: invalid UTF-8 as U+FFFD, escapes and controls neutralised."""
    return one_line(wire(name))


def mode_string(entry: Entry) -> str:
    """``drwxr-xr-x`` as ls spells it (setuid/setgid/sticky included)."""
    return _TYPE_CHAR.get(entry.type, "?") + stat_mod.filemode(entry.mode & 0o7777)[1:]


def join(directory: str, name: str) -> str:
    return posixpath.join(directory or "/", name)


def parent(path: str) -> str:
    return posixpath.dirname(path.rstrip("/")) or "/"


def message(exc: BaseException) -> str:
    """The engine's or the system's own words for a failure, on one line."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {display_name(os.fsdecode(exc.filename))}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    text = getattr(exc, "explanation", "") or str(exc) or type(exc).__name__
    return one_line(str(text), 300)


# --- the engine's side ------------------------------------------------------------------------
def stat_path(client: Any, container: str, path: str) -> dict:
    """The engine's stat of ``path`` (name, size, mode, mtime, linkTarget) from ``HEAD``; when the
    ``HEAD`` answer carries no words (a 404 has no body), the ``GET`` answer's error is raised."""
    try:
        resp = client._send("HEAD", f"/containers/{container}/archive", params={"path": wire(path)})
    except Exception as exc:  # noqa: BLE001 - re-asked below for the engine's words
        if getattr(exc, "explanation", ""):
            raise
        stream, st = open_archive(client, container, path)  # raises the engine's own message
        stream.close()
        return st or {}
    header = resp.headers.get("x-docker-container-path-stat")
    return decode_json_header(header) if header else {}


def stat_is_dir(st: dict) -> bool:
    return bool(int(st.get("mode") or 0) & _GO_DIR)


def stat_is_link(st: dict) -> bool:
    return bool(int(st.get("mode") or 0) & _GO_SYMLINK)


def open_archive(client: Any, container: str, path: str) -> tuple[CancellableStream, dict | None]:
    """``GET`` the tar of ``path``: a stream any thread can close, and the engine's stat."""
    resp = client._open("GET", f"/containers/{container}/archive", {"path": wire(path)},
                        headers={"Accept-Encoding": "identity"})
    header = resp.headers.get("x-docker-container-path-stat")
    try:
        st = decode_json_header(header) if header else None
    except ValueError:
        st = None
    return CancellableStream(resp, decode_chunks), st


class ChunkReader:
    """A read-only file over an iterator of byte chunks (what ``tarfile``'s stream mode reads),
    counting bytes, stopping at ``budget`` bytes or after ``seconds`` (``read`` then returns b""
    and ``exhausted`` is set) and raising :class:`Cancelled` when ``cancelled()`` says so."""

    def __init__(self, chunks: Iterator[bytes], budget: int | None = None,
                 cancelled: Callable[[], bool] | None = None, on_read: Callable[[int], None] | None = None,
                 seconds: float | None = None) -> None:
        self._deadline = time.monotonic() + seconds if seconds is not None else None
        self._chunks = iter(chunks)
        self._buf = bytearray()
        self._pos = 0
        self.read_bytes = 0
        self.budget = budget
        self.exhausted = False
        self._cancelled = cancelled
        self._on_read = on_read

    def read(self, size: int = -1) -> bytes:
        if self._cancelled is not None and self._cancelled():
            raise Cancelled("cancelled")
        want = size if size is not None and size >= 0 else 1 << 62
        if self.budget is not None:
            left = self.budget - self.read_bytes
            if left <= 0:
                self.exhausted = True
                return b""
            want = min(want, left)
        if self._deadline is not None and time.monotonic() > self._deadline:
            self.exhausted = True
            return b""
        while len(self._buf) - self._pos < want:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                break
            if self._pos:  # drop what was read before growing the buffer
                del self._buf[:self._pos]
                self._pos = 0
            self._buf += chunk
        out = bytes(self._buf[self._pos:self._pos + want])
        self._pos += len(out)
        self.read_bytes += len(out)
        if self._on_read is not None and out:
            self._on_read(self.read_bytes)
        return out


def _entry(m: tarfile.TarInfo, name: str) -> Entry:
    return Entry(name=name, type=_TYPES.get(m.type, "other"), size=int(m.size or 0), mode=int(m.mode or 0),
                 mtime=float(m.mtime or 0), link=m.linkname or "")


def _relative(name: str) -> str:
    """A member name of the tar of ``DIR/.`` relative to DIR ("" for DIR itself)."""
    while name.startswith("./"):
        name = name[2:]
    name = name.lstrip("/")
    return "" if name in (".", "") else name.rstrip("/")


def first_level(reader: ChunkReader, path: str = "") -> Listing:
    """The first-level entries of a tar of ``DIR/.`` (pure: any chunk source), directories first
    then by name; stops at the reader's budget (``complete`` False)."""
    listing = Listing(path=path)
    try:
        tf = tarfile.open(fileobj=reader, mode="r|")  # type: ignore[call-overload]
    except tarfile.ReadError as exc:
        if reader.exhausted:  # out of bytes or time before the first header
            listing.complete, listing.read = False, reader.read_bytes
            return listing
        raise ArchiveError(f"the engine's answer is not a tar archive ({exc})") from exc
    try:
        for m in tf:
            rel = _relative(m.name)
            if rel and "/" not in rel:
                listing.entries.append(_entry(m, rel))
    except tarfile.ReadError as exc:
        if not reader.exhausted:
            raise ArchiveError(f"the engine's answer is not a tar archive ({exc})") from exc
    except (tarfile.StreamError, EOFError) as exc:
        if not reader.exhausted:
            raise ArchiveError(f"the archive ended early ({exc})") from exc
    listing.complete = not reader.exhausted
    listing.read = reader.read_bytes
    listing.entries.sort(key=lambda e: (not e.is_dir, e.name))
    return listing


def list_dir(client: Any, container: str, path: str, budget: int = LIST_BUDGET,
             cancelled: Callable[[], bool] | None = None,
             opened: Callable[[CancellableStream], None] | None = None, seconds: float = LIST_SECONDS) -> Listing:
    """One level of directory ``path``; ``opened(stream)`` hands the open stream to whoever may
    need to close it from another thread (leaving the directory before it is listed)."""
    with _archive(client, container, path.rstrip("/") + "/.", opened, budget=budget, cancelled=cancelled,
                  seconds=seconds) as reader:
        return first_level(reader, path)


@contextmanager
def _archive(client: Any, container: str, path: str, opened: Callable[[CancellableStream], None] | None = None,
             **reader: Any) -> Iterator[ChunkReader]:
    """The tar of ``path`` as a :class:`ChunkReader` (``reader``: its budget, cancelled, seconds);
    ``opened(stream)`` gets the stream first; the stream is closed on the way out, whatever happens."""
    stream, _ = open_archive(client, container, path)
    if opened is not None:
        opened(stream)
    try:
        yield ChunkReader(stream, **reader)
    finally:
        stream.close()


def _open_tar(reader: ChunkReader) -> tarfile.TarFile:
    """``tarfile``'s stream mode over ``reader``; an answer that is not a tar is an :class:`ArchiveError`."""
    try:
        return tarfile.open(fileobj=reader, mode="r|")  # type: ignore[call-overload]
    except tarfile.ReadError as exc:
        raise ArchiveError(f"the engine's answer is not a tar archive ({exc})") from exc


@contextmanager
def _one_file(client: Any, container: str, path: str, what: str,
              opened: Callable[[CancellableStream], None] | None = None,
              **reader: Any) -> Iterator[tuple[tarfile.TarFile, tarfile.TarInfo]]:
    """The tar of file ``path`` and its one member, a regular file (else "PATH is not ``what``");
    read_file and copy_out share it."""
    with _archive(client, container, path, opened, **reader) as chunks:
        tf = _open_tar(chunks)
        m = _single_member(tf)
        if not m.isfile():
            raise ArchiveError(f"{display_name(path)} is not {what}")
        yield tf, m


def _single_member(tf: tarfile.TarFile) -> tarfile.TarInfo:
    try:
        m = tf.next()
    except tarfile.ReadError as exc:
        raise ArchiveError(f"the engine's answer is not a tar archive ({exc})") from exc
    if m is None:
        raise ArchiveError("the engine's archive is empty")
    return m


def resolve(client: Any, container: str, path: str, depth: int = 8) -> tuple[str, dict]:
    """``path`` with its symbolic links followed (by the engine's stat), and its stat."""
    st = stat_path(client, container, path)
    while stat_is_link(st) and depth > 0:
        target = str(st.get("linkTarget") or "")
        path = target if target.startswith("/") else join(parent(path), target)
        path = posixpath.normpath(path)
        st = stat_path(client, container, path)
        depth -= 1
    return path, st


def read_file(client: Any, container: str, path: str, limit: int = VIEW_LIMIT) -> bytes:
    """The bytes of file ``path`` (links followed); :class:`TooLarge` above ``limit``."""
    path, st = resolve(client, container, path)
    if stat_is_dir(st):
        raise ArchiveError(f"{display_name(path)} is a directory")
    size = int(st.get("size") or 0)
    if size > limit:
        raise TooLarge(path, size, limit)
    with _one_file(client, container, path, "a regular file", budget=limit + 64 * 1024) as (tf, m):
        if m.size > limit:
            raise TooLarge(path, m.size, limit)
        f = tf.extractfile(m)
        data = f.read() if f is not None else b""
        if len(data) != m.size:
            raise ArchiveError("the archive ended early")
        return data


# --- to the local machine ---------------------------------------------------------------------
def local_target(dest: str, name: str) -> str:
    """Where a copy of ``name`` goes for the answer ``dest``: inside it when it is a directory
    (as cp does), else ``dest`` itself."""
    dest = os.path.expanduser(dest or ".")
    return os.path.join(dest, name) if os.path.isdir(dest) else dest


def _temp_name(target: str) -> str:
    d, base = os.path.split(os.path.abspath(target))
    return os.path.join(d, f".{base}.dockui-partial-{uuid.uuid4().hex[:8]}")


def _remove(path: str) -> None:
    import shutil

    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.lexists(path):
            os.unlink(path)
    except OSError:
        pass


@dataclass
class CopyResult:
    target: str
    written: int  # bytes of file data written locally
    skipped: list[str] = field(default_factory=list)  # entries left out (links leading outside, devices)


def copy_out(client: Any, container: str, path: str, dest: str, progress: Progress | None = None,
             cancelled: Callable[[], bool] | None = None,
             opened: Callable[[CancellableStream], None] | None = None) -> CopyResult:
    """Copy file or directory ``path`` of the container to ``dest`` (a directory to put it in, or
    the new name). Links are followed for the path itself. Written under a temporary name, then
    renamed into place: on any failure nothing is left behind, and what was there stays (a system
    error names the target, not the temporary name). ``opened(stream)`` as for :func:`list_dir`."""
    name = posixpath.basename(path.rstrip("/")) or "root"  # the name asked for, even through a link
    path, st = resolve(client, container, path)
    target = local_target(dest, os.fsdecode(wire(name)))
    tmp = _temp_name(target)
    try:
        if stat_is_dir(st):
            written, skipped = _extract_dir(client, container, path, tmp, progress, cancelled, opened)
            os.chmod(tmp, int(st.get("mode") or 0o755) & 0o777)  # the data filter leaves directories' modes
        else:
            written, skipped = _extract_file(client, container, path, tmp, int(st.get("size") or 0), progress, cancelled,
                                             opened), []
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        if isinstance(exc.filename, str) and exc.filename.startswith(tmp):
            exc.filename = target + exc.filename[len(tmp):]
        raise
    except BaseException:
        _remove(tmp)
        raise
    return CopyResult(target=target, written=written, skipped=skipped)


def _extract_file(client: Any, container: str, path: str, tmp: str, size: int, progress: Progress | None,
                  cancelled: Callable[[], bool] | None, opened: Callable[[CancellableStream], None] | None) -> int:
    with _one_file(client, container, path, "a regular file or directory", opened, cancelled=cancelled) as (tf, m):
        src = tf.extractfile(m)
        total = int(m.size)
        written = 0
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            while src is not None:
                piece = src.read(CHUNK)
                if not piece:
                    break
                out.write(piece)
                written += len(piece)
                if progress is not None:
                    progress(written, total or size or None)
            if written != total:
                raise ArchiveError(f"the archive ended early: {written:,} of {total:,} bytes")
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, m.mode & 0o777)
        os.utime(tmp, (m.mtime, m.mtime))
        return written


def _extract_dir(client: Any, container: str, path: str, tmp: str, progress: Progress | None,
                 cancelled: Callable[[], bool] | None,
                 opened: Callable[[CancellableStream], None] | None) -> tuple[int, list[str]]:
    skipped: list[str] = []
    written = 0

    def safe(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
        nonlocal written
        try:
            out = tarfile.data_filter(member, dest)
        except tarfile.FilterError:
            skipped.append(member.name)
            return None
        if out is not None and out.isfile():
            written += out.size
            if progress is not None:
                progress(written, None)
        return out

    with _archive(client, container, path.rstrip("/") + "/.", opened, cancelled=cancelled) as reader:
        os.mkdir(tmp, 0o700)
        try:
            _open_tar(reader).extractall(tmp, filter=safe)
        except tarfile.ReadError as exc:
            raise ArchiveError(f"the engine's answer is not a tar archive ({exc})") from exc
        except (tarfile.StreamError, EOFError) as exc:
            raise ArchiveError(f"the archive ended early ({exc})") from exc
        return written, skipped


# --- into the container -----------------------------------------------------------------------
class _ProgressFile:
    """A file object requests streams as the body (with a length), reporting what was sent."""

    def __init__(self, f: Any, total: int, progress: Progress | None) -> None:
        self._f, self._total, self._progress, self._sent = f, total, progress, 0

    def __len__(self) -> int:
        return self._total

    def read(self, size: int = -1) -> bytes:
        data = self._f.read(size if size and size > 0 else CHUNK)
        self._sent += len(data)
        if self._progress is not None and data:
            self._progress(self._sent, self._total)
        return data


def copy_in(client: Any, container: str, local: str, dest_dir: str, progress: Progress | None = None) -> int:
    """Copy local file or directory ``local`` into directory ``dest_dir`` of the container (its
    name kept); returns the archive's size in bytes. The local path's errors are the system's."""
    local = os.path.expanduser(local)
    os.stat(local)  # FileNotFoundError / PermissionError with the system's words
    if os.path.isfile(local):
        with open(local, "rb"):
            pass  # readable? (PermissionError now, not half-way through)
    name = os.path.basename(os.path.normpath(local))
    with tempfile.TemporaryFile() as tmp:
        with tarfile.open(fileobj=tmp, mode="w", format=tarfile.PAX_FORMAT) as tf:
            tf.add(local, arcname=name)
        total = tmp.tell()
        tmp.seek(0)
        client._send("PUT", f"/containers/{container}/archive", params={"path": wire(dest_dir)},
                     data=_ProgressFile(tmp, total, progress), headers={"Content-Type": "application/x-tar"},
                     timeout=max(float(getattr(client, "timeout", 30) or 30), 60.0))
    return total


__all__ = ["ArchiveError", "Cancelled", "ChunkReader", "CopyResult", "Entry", "Listing", "TooLarge", "copy_in",
           "copy_out", "display_name", "first_level", "join", "list_dir", "local_target", "message", "mode_string",
           "open_archive", "parent", "read_file", "resolve", "stat_path", "wire"]
