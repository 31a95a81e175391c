"""A container's files over the other transports (issue 19 section 2): through a TLS engine (a
private dockerd with certificates, tests/engines.py) and over ssh (``docker system dial-stdio``
in front of the sandbox), a stopped container's directory is listed, a file copied out matches
byte for byte what the engine's own unix socket gives, and a local file copied in is read back."""

from __future__ import annotations

import os

from dockui import archive
from dockui.engine import EngineClient

from .conftest import IMAGE, SANDBOX_HOST
from .test_transports import certs, ssh_client, sshd, tls_client, tls_engine  # noqa: F401 - fixtures

WRITE = "mkdir -p /x/sub; head -c 1500000 /dev/urandom > /x/blob; echo hi > /x/sub/s; exit 5"


def _roundtrip(c: EngineClient, oracle: EngineClient, tmp_path) -> None:
    cid = c.create_container(IMAGE, ["sh", "-c", WRITE], labels={"dockui.test": "1"})["Id"]
    try:
        c.start(cid)
        assert c.wait(cid, timeout=30)["StatusCode"] == 5
        listing = archive.list_dir(c, cid, "/x")
        assert [(e.name, e.type) for e in listing.entries] == [("sub", "dir"), ("blob", "file")]
        assert listing.entries[1].size == 1_500_000 and listing.complete
        res = archive.copy_out(c, cid, "/x/blob", str(tmp_path))
        ref = tmp_path / "ref"
        ref.mkdir()
        archive.copy_out(oracle, cid, "/x/blob", str(ref))  # the same file through the unix socket
        assert (tmp_path / "blob").read_bytes() == (ref / "blob").read_bytes() and res.written == 1_500_000
        local = tmp_path / "in.bin"
        local.write_bytes(os.urandom(100_000))
        archive.copy_in(c, cid, str(local), "/x/sub")
        assert archive.read_file(c, cid, "/x/sub/in.bin") == local.read_bytes()
        assert archive.read_file(oracle, cid, "/x/sub/in.bin") == local.read_bytes()
    finally:
        c.remove_container(cid, force=True)


def test_files_over_tls(tls_engine, tls_client, tmp_path):  # noqa: F811
    _roundtrip(tls_client, EngineClient(tls_engine.unix_host, timeout=30), tmp_path)


def test_files_over_ssh(ssh_client, tmp_path):  # noqa: F811
    _roundtrip(ssh_client, EngineClient(SANDBOX_HOST, timeout=30), tmp_path)
