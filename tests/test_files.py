"""A container's files (issue 19 section 2), against the real sandbox engine: ``F`` on a crashed
(exited non-zero) container lists its files through the archive endpoints, a file copied out
matches byte for byte, a local file copied in is read back by exec, ``v`` shows text with
escapes inert, names with escape sequences or invalid UTF-8 are shown inert; and the faults:
a path that does not exist, a removed container, a directory copied over a file, a permission
error (local, and the engine's read-only rootfs), an answer that is not a tar, a connection cut
half-way: each says the engine's or the system's own words and leaves nothing written locally.
"""

from __future__ import annotations

import io
import os
import tarfile
import time
from functools import partial

import pytest
from textual.widgets import DataTable, Input

from dockui import archive
from dockui.engine import EngineClient, NotFound
from dockui.screens.files import FilesScreen

from .conftest import engine_host
from .kindview import make_app, run
from .kindview import wait_text as _wait_text

wait_text = partial(_wait_text, timeout=30)  # generous: the shared machine is loaded

CRASH = ("mkdir -p /data/sub; head -c 300000 /dev/urandom > /data/blob; echo nested > /data/sub/n;"
         " printf 'hello \\033]0;pwned\\007world \\033[31mred\\n' > /data/t.txt;"
         " touch \"/data/$(printf 'bad\\377name')\" \"/data/$(printf 'esc\\033]0;title\\007x')\";"
         " head -c 2000000 /dev/zero > /data/large; ln -s sub /data/lnk; d=\"/data/$(printf 'dir\\377')\"; mkdir \"$d\";"
         " echo inside > \"$d/f\"; exit 3")


def _oracle_bytes(cid: str, path: str) -> bytes:
    """The file as docker-py (the test-only oracle) reads it."""
    import docker

    api = docker.APIClient(base_url=engine_host())
    stream, _ = api.get_archive(cid, path)
    tf = tarfile.open(fileobj=io.BytesIO(b"".join(stream)))
    m = tf.next()
    f = tf.extractfile(m)
    return f.read()


def _crashed(client: EngineClient, make_container, name: str | None = None) -> str:
    cid = make_container(CRASH, name=name)
    assert client.wait(cid, timeout=30)["StatusCode"] == 3
    return cid


def _tar(*members: tuple[str, bytes | None]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            if data is None:
                ti.type = tarfile.DIRTYPE
                tf.addfile(ti)
            else:
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def _chunks(data: bytes, n: int = 777):
    return iter([data[i:i + n] for i in range(0, len(data), n)])


# --- pure units ----------------------------------------------------------------------------------
def test_first_level_of_a_tar_dirs_first_and_bounded():
    data = _tar((".", None), ("./zdir", None), ("./zdir/deep", b"x" * 5000), ("./a.txt", b"hello"),
                ("./adir", None), ("./adir/inner", b"y"), ("./b\udcffname", b""))
    listing = archive.first_level(archive.ChunkReader(_chunks(data)), "/x")
    assert [e.name for e in listing.entries] == ["adir", "zdir", "a.txt", "b\udcffname"]
    assert listing.complete and listing.read == len(data)
    assert archive.display_name("b\udcffname") == "b\ufffdname" and archive.wire("b\udcffname") == b"b\xffname"
    assert archive.display_name("e\x1b]0;t\x07x") == "ex"
    partial = archive.first_level(archive.ChunkReader(_chunks(data), budget=2048), "/x")
    assert not partial.complete and partial.read == 2048 and [e.name for e in partial.entries] == ["zdir"]
    late = archive.first_level(archive.ChunkReader(_chunks(data), seconds=-1), "/x")  # out of time at once
    assert not late.complete and late.entries == []


def test_an_answer_that_is_not_a_tar_is_said_so():
    for junk in (b"<html>502 Bad Gateway</html>\n" * 40, b"\x00" * 100 + b"garbage" * 300, b"x" * 511):
        with pytest.raises(archive.ArchiveError, match="not a tar archive|ended early"):
            archive.first_level(archive.ChunkReader(_chunks(junk)), "/")


# --- the engine, through dockui.archive -----------------------------------------------------------
class _NotATar:
    """The real client, except that every archive body is replaced by HTML (a broken proxy):
    a fault the real engine cannot produce."""

    class _Resp:
        def __init__(self, real) -> None:
            self.headers, self._real = real.headers, real

        def body(self):
            yield b"<html><body>proxy error</body></html>\n" * 200

        @property
        def closed(self) -> bool:
            return self._real.closed

        def close(self) -> None:
            self._real.close()

    def __init__(self, real: EngineClient) -> None:
        self._real = real
        self._send = real._send
        self.timeout = real.timeout

    def _open(self, *a, **kw):
        return self._Resp(self._real._open(*a, **kw))

    def __getattr__(self, name: str):
        return getattr(self._real, name)


def test_copy_out_faults_leave_nothing_behind(client, make_container, tmp_path):
    cid = _crashed(client, make_container)
    dest = tmp_path / "out"
    dest.mkdir()
    # a path that does not exist: the engine's words
    with pytest.raises(NotFound) as exc:
        archive.copy_out(client, cid, "/data/nope", str(dest))
    assert "Could not find the file /data/nope" in archive.message(exc.value)
    # an answer that is not a tar, for a file and for a directory
    for path in ("/data/blob", "/data"):
        with pytest.raises(archive.ArchiveError, match="not a tar archive"):
            archive.copy_out(_NotATar(client), cid, path, str(dest))
    with pytest.raises(archive.ArchiveError, match="not a tar archive"):
        archive.list_dir(_NotATar(client), cid, "/data")
    # a directory copied over a file: the system's words, the file untouched
    (dest / "data").write_bytes(b"keep me")
    with pytest.raises(NotADirectoryError) as exc2:
        archive.copy_out(client, cid, "/data", str(dest / "data"))
    assert archive.message(exc2.value).startswith("Not a directory")
    assert (dest / "data").read_bytes() == b"keep me"
    # a local permission error
    with pytest.raises(PermissionError) as exc3:
        archive.copy_out(client, cid, "/data/sub/n", "/sys")
    assert "Permission denied" in archive.message(exc3.value)
    # a destination whose directory does not exist: the message names the target, not the temporary name
    with pytest.raises(FileNotFoundError) as exc5:
        archive.copy_out(client, cid, "/data/blob", str(dest / "no" / "such"))
    assert archive.message(exc5.value) == f"No such file or directory: {dest}/no/such"
    # a copy abandoned half-way (the screen closes its stream): nothing left
    box: list = []

    def abandon(done: int, total: int | None) -> None:
        if done > 100_000 and box:
            box.pop().close()

    with pytest.raises(Exception):  # noqa: B017, PT011 - the closed stream's words
        archive.copy_out(client, cid, "/data/large", str(dest), progress=abandon, opened=box.append)
    # the container removed meanwhile
    client.remove_container(cid, force=True)
    with pytest.raises(NotFound) as exc4:
        archive.copy_out(client, cid, "/data/blob", str(dest))
    assert "No such container" in archive.message(exc4.value)
    assert sorted(os.listdir(dest)) == ["data"], os.listdir(dest)  # no partial file anywhere


def test_a_connection_cut_half_way_leaves_no_partial_file(client, make_container, tmp_path):
    from .faultproxy import FaultProxy

    cid = make_container("head -c 30000000 /dev/urandom > /big; exit 1")
    client.wait(cid, timeout=60)
    with FaultProxy(engine_host().removeprefix("unix://")) as proxy:
        c = EngineClient(proxy.url, timeout=10)
        seen: list[int] = []

        def progress(done: int, total: int | None) -> None:
            seen.append(done)
            if done > 2_000_000 and len(seen) < 1000:
                proxy.cut()
                seen.extend([0] * 1000)  # cut once

        with pytest.raises(Exception) as exc:  # noqa: PT011 - the stream's or the archive's words
            archive.copy_out(c, cid, "/big", str(tmp_path), progress=progress)
        assert archive.message(exc.value)
    assert os.listdir(tmp_path) == []


def test_progress_counts_up_to_the_size_and_directories_copy_whole(client, make_container, tmp_path):
    cid = _crashed(client, make_container)
    seen: list[tuple[int, int | None]] = []
    res = archive.copy_out(client, cid, "/data/large", str(tmp_path), progress=lambda d, t: seen.append((d, t)))
    assert res.written == 2_000_000 and seen[-1] == (2_000_000, 2_000_000)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    res = archive.copy_out(client, cid, "/data", str(tmp_path / "copy"))
    assert (tmp_path / "copy" / "sub" / "n").read_text() == "nested\n"
    assert (tmp_path / "copy" / "blob").read_bytes() == _oracle_bytes(cid, "/data/blob")
    assert (tmp_path / "copy" / os.fsdecode(b"bad\xffname")).exists()
    assert sorted(p for p in os.listdir(tmp_path) if "partial" in p) == []


# --- the screen -----------------------------------------------------------------------------------
async def _open_files(pilot, app, name: str) -> None:
    await pilot.press("slash", *name, "enter")
    await wait_text(pilot, app, [f"filter: {name}", "[1/"], timeout=30)
    await pilot.press("F")
    await wait_text(pilot, app, [f"files of {name}", "entries"], timeout=30)


async def _go(pilot, app, name: str, key: str = "enter") -> None:
    screen = app.screen
    assert isinstance(screen, FilesScreen), screen
    names = [e.name for e in screen.entries]
    assert name in names, names
    screen.query_one(DataTable).move_cursor(row=names.index(name))
    await pilot.pause(0.05)
    await pilot.press(key)


async def _answer(pilot, app, text: str) -> None:
    box = app.screen.query_one("#files-prompt", Input)
    deadline = time.monotonic() + 30
    while not box.has_focus:  # keys before the prompt has the focus would go to the table
        assert time.monotonic() < deadline, "the prompt never took the focus"
        await pilot.pause(0.05)
    box.value = ""
    await pilot.press(*text, "enter")


def test_crashed_container_file_copied_out_byte_for_byte(client, make_container, unique, tmp_path):
    cid = _crashed(client, make_container, name=unique)

    async def main():
        app = make_app("containers")
        async with app.run_test(size=(150, 40)) as pilot:
            await _open_files(pilot, app, unique)
            await wait_text(pilot, app, ["data/", "bin/", "drwxr-xr-x", "MODIFIED"])
            await _go(pilot, app, "data")
            text = await wait_text(pilot, app, [f"files of {unique}  /data", "blob", "sub/", "bad\ufffdname", "escx", "-rw-r--r--"])
            # directories first
            rows = [ln for ln in text.splitlines() if "rw" in ln]
            assert "dir\ufffd/" in rows[0] and "sub/" in rows[1], rows
            assert "\x1b" not in text and "title" not in text
            await _go(pilot, app, "blob", "ctrl+s")
            await wait_text(pilot, app, ["copy /data/blob to", os.getcwd()])
            await _answer(pilot, app, str(tmp_path))
            await wait_text(pilot, app, [f"copied /data/blob to {tmp_path}/blob: 300,000 bytes written"], timeout=30)
            # a directory copied over that file: the system's words, nothing written
            await pilot.press("minus")
            await wait_text(pilot, app, [f"files of {unique}  / ", "data/"])
            await _go(pilot, app, "data", "ctrl+s")
            await wait_text(pilot, app, ["copy /data to"])
            await _answer(pilot, app, str(tmp_path / "blob"))
            await wait_text(pilot, app, ["copy of /data failed: Not a directory", "(nothing written)"], timeout=30)

    run(main())
    assert (tmp_path / "blob").read_bytes() == _oracle_bytes(cid, "/data/blob")
    assert os.listdir(tmp_path) == ["blob"]


def test_view_text_inert_and_large_files_are_copied_not_viewed(client, make_container, unique):
    _crashed(client, make_container, name=unique)

    async def main():
        app = make_app("containers")
        async with app.run_test(size=(150, 40)) as pilot:
            await _open_files(pilot, app, unique)
            await _go(pilot, app, "data")
            await wait_text(pilot, app, ["t.txt", "large"])
            await _go(pilot, app, "t.txt", "v")
            text = await wait_text(pilot, app, [f"{unique}:/data/t.txt", "hello world red"])
            assert "\x1b" not in text and "pwned" not in text
            await pilot.press("escape")
            await wait_text(pilot, app, ["entries"])
            await _go(pilot, app, "blob", "v")  # random bytes: invalid UTF-8 and controls, all shown inert
            text = await wait_text(pilot, app, [f"{unique}:/data/blob", "300,000 bytes", "(binary: shown as text)"])
            assert "\x1b" not in text and "\x9b" not in text
            await pilot.press("escape")
            await wait_text(pilot, app, ["entries"])
            await _go(pilot, app, "large", "v")
            await wait_text(pilot, app, ["/data/large is 2,000,000 bytes", "ctrl+s copies it instead"])
            await _go(pilot, app, "lnk")  # a link to a directory: enter lists the directory it points to
            await wait_text(pilot, app, [f"files of {unique}  /data/sub", "n "])
            await pilot.press("minus")
            await wait_text(pilot, app, [f"files of {unique}  /data ", "t.txt"])
            await _go(pilot, app, "dir\udcff")  # a name that is not UTF-8: shown inert, and its exact bytes asked for
            await wait_text(pilot, app, [f"files of {unique}  /data/dir\ufffd", "f ", "1 entries"])
            await _go(pilot, app, "f", "v")
            await wait_text(pilot, app, ["inside"])
            await pilot.press("escape")
            await pilot.press("minus")
            await wait_text(pilot, app, [f"files of {unique}  /data ", "t.txt"])
            await _go(pilot, app, "sub")
            await wait_text(pilot, app, ["/data/sub", "n "])
            await _go(pilot, app, "n")  # enter on a file views it
            await wait_text(pilot, app, ["nested"])
            await pilot.press("escape")
            await pilot.press("backspace")
            await wait_text(pilot, app, [f"files of {unique}  /data ", "t.txt"])
            assert app.screen.current().name == "sub"  # going up focuses the directory we came from

    run(main())


def test_local_file_copied_in_is_read_back_by_exec(client, make_container, unique, tmp_path):
    cid = make_container("sleep 600", name=unique)
    local = tmp_path / "copied-in.txt"
    payload = os.urandom(50_000).hex().encode()
    local.write_bytes(payload)

    async def main():
        app = make_app("containers")
        async with app.run_test(size=(150, 40)) as pilot:
            await _open_files(pilot, app, unique)
            await _go(pilot, app, "tmp")
            await wait_text(pilot, app, [f"files of {unique}  /tmp"])
            await pilot.press("ctrl+u")
            await wait_text(pilot, app, ["copy into /tmp of", "the local file or directory"])
            await _answer(pilot, app, str(local))
            await wait_text(pilot, app, [f"copied {local} into /tmp", "bytes sent", "copied-in.txt"], timeout=30)
            # a local file that does not exist: the system's words
            await pilot.press("ctrl+u")
            await _answer(pilot, app, str(tmp_path / "missing"))
            await wait_text(pilot, app, ["failed: No such file or directory"], timeout=30)

    run(main())
    ex = client.exec_create(cid, ["cat", "/tmp/copied-in.txt"])
    assert client.exec_start(ex["Id"]) == payload


def test_faults_on_screen_missing_path_read_only_rootfs_removed_container(client, make_container, unique, tmp_path):
    cid = make_container("sleep 600", name=unique, host_config=client.create_host_config(read_only=True))
    local = tmp_path / "f.txt"
    local.write_text("x")
    out = tmp_path / "out"
    out.mkdir()

    async def main():
        app = make_app("containers")
        async with app.run_test(size=(150, 40)) as pilot:
            await wait_text(pilot, app, ["Containers ["])
            app.push_screen(FilesScreen(cid, unique, "/no/such/dir"))
            await wait_text(pilot, app, ["cannot list /no/such/dir: Could not find the file /no/such/dir"], timeout=30)
            await pilot.press("escape")
            await _open_files(pilot, app, unique)
            await pilot.press("ctrl+u")
            await _answer(pilot, app, str(local))
            await wait_text(pilot, app, ["copy of", "into / failed:", "read-only"], timeout=30)
            await _go(pilot, app, "etc")
            await wait_text(pilot, app, ["/etc", "passwd"])
            # an answer that is not a tar (a broken proxy in between): said so, nothing written
            real = app.client
            app.client = _NotATar(real)
            await _go(pilot, app, "passwd", "ctrl+s")
            await _answer(pilot, app, str(out))
            await wait_text(pilot, app, ["copy of /etc/passwd failed: the engine's answer is not a tar archive",
                                         "(nothing written)"], timeout=30)
            await pilot.press("r")
            await wait_text(pilot, app, ["cannot list /etc: the engine's answer is not a tar archive"], timeout=30)
            app.client = real
            client.remove_container(cid, force=True)
            await _go(pilot, app, "passwd", "ctrl+s")
            await _answer(pilot, app, str(out))
            await wait_text(pilot, app, ["copy of /etc/passwd failed: No such container", "(nothing written)"], timeout=30)
            await pilot.press("r")
            await wait_text(pilot, app, ["cannot list /etc: No such container"], timeout=30)
            await pilot.press("v")
            await wait_text(pilot, app, ["cannot view /etc/passwd: No such container"], timeout=30)

    run(main())
    assert os.listdir(out) == []


def test_progress_bar_and_read_only(client, make_container, unique, tmp_path):
    from dockui.screens.files import CopyProgress

    cid = make_container("sleep 600", name=unique)

    async def main():
        app = make_app("containers")
        app.client.readonly = app.readonly = True
        async with app.run_test(size=(150, 40)) as pilot:
            await wait_text(pilot, app, ["Containers ["])
            app.push_screen(FilesScreen(cid, unique, "/"))
            await wait_text(pilot, app, [f"files of {unique}", "entries"])
            await pilot.press("ctrl+u")
            await wait_text(pilot, app, ["read-only mode: copying into a container is disabled"])
            # ctrl+s when dockui's own directory is gone: the prompt offers the home directory
            here, gone = os.getcwd(), tmp_path / "gone"
            gone.mkdir()
            os.chdir(gone)
            gone.rmdir()
            try:
                await pilot.press("ctrl+s")
                await wait_text(pilot, app, ["copy /", "to (a local directory or a new name)"])
                assert app.screen.query_one("#files-prompt", Input).value == os.path.expanduser("~")
            finally:
                os.chdir(here)
            await pilot.press("escape")
            await wait_text(pilot, app, ["entries"])
            screen = app.screen
            screen._start_copy("/big/file")
            screen.post_message(CopyProgress(1_000_000, 4_000_000))
            await wait_text(pilot, app, ["copying /big/file: 1,000,000 of 4,000,000 bytes", "25%"])
            screen.post_message(CopyProgress(3_000_000, 4_000_000))
            await wait_text(pilot, app, ["copying /big/file: 3,000,000 of 4,000,000 bytes", "75%"])
            await pilot.press("escape")  # leaving abandons the copy: asked first
            await wait_text(pilot, app, ["copying /big/file: esc again abandons the copy"])
            assert app.screen is screen
            await pilot.press("escape")
            await wait_text(pilot, app, ["Containers ["], absent=[f"files of {unique}"])

    run(main())
