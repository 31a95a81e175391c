"""Images and build: each documented call run through docker-py's ``APIClient`` and dockui's
``EngineClient`` on the sandbox engine (offline), with the answers and the engine's resulting state
compared (see ``tests/apiclient_compare.py``). Builds start ``FROM dockui/busybox``; registry calls
must fail at once with the engine's error. Every image made carries the run's unique name and is
removed."""

from __future__ import annotations

import contextlib
import io
import json
import re
import tarfile
import time
from pathlib import Path
from typing import Any

from .apiclient_compare import Scenarios, Side, make_api, raises
from .conftest import IMAGE, engine_host

scenario = Scenarios()
_SHORT = re.compile(r"\b[0-9a-f]{12}\b")


@contextlib.contextmanager
def _cleanup(*images: str, containers: tuple[str, ...] = ()):
    try:
        yield
    finally:
        oracle = make_api("docker-py", engine_host())
        for c in containers:
            with contextlib.suppress(Exception):
                oracle.remove_container(c, force=True)
        for i in images:
            with contextlib.suppress(Exception):
                oracle.remove_image(i, force=True)


def _oracle(side: Side) -> Any:
    return make_api("docker-py", side.host)


def _short(obj: Any) -> Any:
    """Build output with its 12-character ids blanked."""
    if isinstance(obj, dict):
        return {k: _short(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_short(v) for v in obj]
    if isinstance(obj, str):
        return _SHORT.sub("<short>", obj)
    return obj


def _json_lines(text: str) -> list[Any]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mtime = 1_700_000_000
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# ------------------------------------------------------------------------------------ listing, tags
@scenario
def list_tag_inspect_history(side: Side, name: str) -> dict:
    api = side.api
    repo = f"dockui/{name}"
    with _cleanup(f"{repo}:v1", f"{repo}:v2"):
        tagged = api.tag(IMAGE, repo, "v1")
        tagged_dict = api.tag(api.inspect_image(IMAGE), repo, tag="v2", force=True)
        base = api.inspect_image(IMAGE)
        out = {
            "tagged": tagged, "tagged_dict": tagged_dict,
            "by_name": sorted(t for i in api.images(name=repo) for t in i["RepoTags"]),
            "by_name_tag": sorted(t for i in api.images(repo + ":v2") for t in i["RepoTags"]),
            "quiet": api.images(name=repo, quiet=True) == [base["Id"]],
            "filters": len(api.images(filters={"reference": repo + ":*"})),
            "name_and_filters": len(api.images(name=repo, filters={"dangling": False})),
            "all": base["Id"] in [i["Id"] for i in api.images(all=True)],
            "row_keys": sorted(api.images(name=repo)[0]),
            "same": api.inspect_image(repo + ":v1")["Id"] == api.inspect_image(base)["Id"] == api.inspect_image(base["Id"])["Id"],
            "inspect_keys": sorted(base),
            "history": [{k: h[k] for k in ("CreatedBy", "Size", "Tags")} for h in api.history(repo + ":v1")],
            "history_dict": len(api.history(base)),
            "missing": raises(lambda: api.inspect_image("dockui/no-such-" + name)),
            "missing_history": raises(lambda: api.history("dockui/no-such-" + name)),
            "null": raises(lambda: api.inspect_image(None)),
            "bad_tag": raises(lambda: api.tag(IMAGE, "Bad Repo")),
            "tag_missing": raises(lambda: api.tag("dockui/no-such-" + name, repo, "x")),
        }
        out["untag"] = api.remove_image(f"{repo}:v2")
        out["after"] = sorted(t for i in api.images(name=repo) for t in i["RepoTags"])
    return out


@scenario
def remove_and_prune_images(side: Side, name: str) -> dict:
    api = side.api
    repo = f"dockui/{name}"
    with _cleanup(f"{repo}:a", f"{repo}:b", containers=(name,)):
        oracle = _oracle(side)
        oracle.tag(IMAGE, repo, "a")
        build = list(oracle.build(fileobj=io.BytesIO(f"FROM {IMAGE}\nLABEL dkapi={name}\n".encode()), tag=f"{repo}:b",
                                  rm=True, decode=True))
        assert build
        built = oracle.inspect_image(f"{repo}:b")["Id"]
        c = oracle.create_container(f"{repo}:b", ["true"], name=name)
        out = {
            "untag": api.remove_image(f"{repo}:a"),
            "in_use": raises(lambda: api.remove_image(built)),
            "missing": raises(lambda: api.remove_image(f"{repo}:nope")),
        }
        oracle.remove_container(c)
        out.update({
            "noprune": api.remove_image({"Id": built}, noprune=True),
            "gone": raises(lambda: api.inspect_image(built)),
            "prune": sorted(api.prune_images(filters={"label": f"dkapi={name}", "dangling": False})),
            "prune_nothing": api.prune_images(filters={"label": f"dkapi=nothing-{name}"}),
            "old_prune": raises(lambda: side.other_version("1.24").prune_images()),
            "builds": sorted(api.prune_builds()),
            "builds_filtered": sorted(api.prune_builds(filters={"until": "1h"}, keep_storage=0, all=True)),
            "old_builds": raises(lambda: side.other_version("1.30").prune_builds()),
            "old_build_filters": raises(lambda: side.other_version("1.38").prune_builds(all=True)),
        })
    return out


# ------------------------------------------------------------------------------------ save, load, import
@scenario
def save_and_load(side: Side, name: str) -> dict:
    api = side.api
    repo = f"dockui/{name}"
    with _cleanup(f"{repo}:v1"):
        _oracle(side).tag(IMAGE, repo, "v1")
        chunks = list(api.get_image(f"{repo}:v1", chunk_size=4096))
        data = b"".join(chunks)
        with tarfile.open(fileobj=io.BytesIO(data)) as t:
            members = sorted(m.name for m in t.getmembers())
            manifest = json.loads(t.extractfile("manifest.json").read())
        _oracle(side).remove_image(f"{repo}:v1")
        loaded = list(api.load_image(data))
        again = list(api.load_image(io.BytesIO(data), quiet=True))
        back = api.inspect_image(f"{repo}:v1")["Id"] == api.inspect_image(IMAGE)["Id"]
        bad = raises(lambda: list(api.load_image(b"not a tar")))
        old_quiet = raises(lambda: side.other_version("1.22").load_image(data, quiet=True))
    return {"chunked": all(len(c) <= 4096 for c in chunks) and len(chunks) > 1, "members": members,
            "repo_tags": manifest[0]["RepoTags"], "loaded": loaded, "quiet": again, "back": back, "bad": bad,
            "old_quiet": old_quiet, "missing": raises(lambda: list(api.get_image("dockui/no-such-" + name)))}


@scenario
def import_images(side: Side, name: str) -> dict:
    api = side.api
    repo = f"dockui/{name}"
    tags = ("data", "bytes", "file", "stream", "fobj", "changes")
    with _cleanup(*(f"{repo}:{t}" for t in tags)):
        rootfs = _tar({"hello.txt": b"imported\n", "etc/os-release": b"NAME=dk\n"})
        path = Path(f"/tmp/{name}.tar")
        path.write_bytes(rootfs)
        try:
            out = {
                "data": _json_lines(api.import_image_from_data(rootfs, repository=repo, tag="data")),
                "bytes": _json_lines(api.import_image(rootfs, repository=repo, tag="bytes")),
                "file": _json_lines(api.import_image_from_file(str(path), repository=repo, tag="file")),
                "stream": _json_lines(api.import_image_from_stream(iter([rootfs[:700], rootfs[700:]]), repository=repo,
                                                                  tag="stream")),
                "fobj": _json_lines(api.import_image(io.BytesIO(rootfs), repository=repo, tag="fobj")),
                "changes": _json_lines(api.import_image_from_data(rootfs, repository=repo, tag="changes",
                                                                  changes=["ENV DK=1", "CMD [\"/bin/x\"]"])),
            }
        finally:
            path.unlink()
        out["images"] = sorted(t for i in api.images(name=repo) for t in i["RepoTags"])
        cfg = api.inspect_image(f"{repo}:changes")["Config"]
        out["changes_cfg"] = {"Env": cfg["Env"], "Cmd": cfg["Cmd"]}
        out["nothing"] = raises(lambda: api.import_image())
        out["url"] = raises(lambda: api.import_image_from_url("http://127.0.0.1:1/x.tar", repository=repo))
    return out


# ------------------------------------------------------------------------------------ build
@scenario
def build_from_fileobj_and_context(side: Side, name: str) -> dict:
    api = side.api
    repo = f"dockui/{name}"
    tags = ("fobj", "dir", "custom", "gzip", "target", "broken")
    with _cleanup(*(f"{repo}:{t}" for t in tags)):
        out: dict[str, Any] = {}
        df = f"FROM {IMAGE}\nARG WHO=nobody\nRUN echo \"built by $WHO\" > /who\nLABEL stage=one\n"
        out["fobj"] = _short(list(api.build(fileobj=io.BytesIO(df.encode()), tag=f"{repo}:fobj", rm=True, decode=True,
                                           buildargs={"WHO": "dkapi"}, labels={"dkapi": name}, nocache=True)))
        cfg = api.inspect_image(f"{repo}:fobj")["Config"]
        out["fobj_labels"] = cfg["Labels"]
        # a directory context: .dockerignore, a Dockerfile under another name in a subdirectory
        ctx = Path(f"/tmp/{name}-ctx")
        (ctx / "sub").mkdir(parents=True)
        (ctx / "keep.txt").write_text("kept\n")
        (ctx / "secret.txt").write_text("secret\n")
        (ctx / "sub" / "also.txt").write_text("also\n")
        (ctx / ".dockerignore").write_text("# comment\nsecret.txt\nsub\n!sub/also.txt\n")
        (ctx / "sub" / "Build.df").write_text(f"FROM {IMAGE}\nCOPY . /ctx/\nCMD [\"ls\", \"-R\", \"/ctx\"]\n")
        try:
            raw = list(api.build(path=str(ctx), tag=f"{repo}:dir", dockerfile="sub/Build.df", rm=True))
            out["dir_raw_bytes"] = all(isinstance(r, bytes) for r in raw)
            out["dir"] = _short([json.loads(line) for r in raw for line in r.decode().splitlines() if line.strip()])
            out["gzip"] = _short(list(api.build(path=str(ctx), tag=f"{repo}:gzip", dockerfile="sub/Build.df",
                                                gzip=True, decode=True, rm=True)))
        finally:
            for p in sorted(ctx.rglob("*"), reverse=True):
                p.rmdir() if p.is_dir() else p.unlink()
            ctx.rmdir()
        oracle = _oracle(side)
        c = oracle.create_container(f"{repo}:dir", name=name)
        oracle.start(c)
        oracle.wait(c, timeout=20)
        out["dir_listing"] = oracle.logs(c).decode().split()
        oracle.remove_container(c)
        # a ready tar context, and a multi-stage target
        multi = (f"FROM {IMAGE} AS first\nRUN echo one > /one\nFROM {IMAGE} AS second\nCOPY --from=first /one /two\n"
                 "COPY extra.txt /extra.txt\n")
        tarred = io.BytesIO(_tar({"Dockerfile": multi.encode(), "extra.txt": b"extra\n"}))
        out["custom"] = _short(list(api.build(fileobj=tarred, custom_context=True, tag=f"{repo}:custom", rm=True,
                                             decode=True)))
        tarred.seek(0)
        out["target"] = _short(list(api.build(fileobj=tarred, custom_context=True, tag=f"{repo}:target", rm=True,
                                             decode=True, target="first")))
        out["broken"] = _short(list(api.build(fileobj=io.BytesIO(f"FROM {IMAGE}\nRUN exit 3\n".encode()),
                                             tag=f"{repo}:broken", rm=True, forcerm=True, decode=True)))
        out["no_context"] = raises(lambda: api.build())
        out["bad_tag"] = raises(lambda: api.build(fileobj=io.BytesIO(b"FROM x"), tag="Bad Tag"))
        out["bad_limits"] = raises(lambda: api.build(fileobj=io.BytesIO(b"FROM x"), container_limits={"nope": 1}))
        out["gzip_and_encoding"] = raises(lambda: api.build(path="/tmp", gzip=True, encoding="identity"))
        out["not_a_dir"] = raises(lambda: api.build(path=f"/tmp/{name}-missing"))
        out["custom_without_fileobj"] = raises(lambda: api.build(path="/tmp", custom_context=True))
        out["old_target"] = raises(lambda: side.other_version("1.28").build(fileobj=io.BytesIO(b"FROM x"), target="t"))
        out["images"] = sorted(t for i in api.images(name=repo) for t in i["RepoTags"])
    return out


# ------------------------------------------------------------------------------------ registries
@scenario
def registry_calls_fail_at_once(side: Side, name: str) -> dict:
    api = side.api
    oracle = _oracle(side)
    local = f"localhost:1/{name}"
    with _cleanup(f"{local}:t"):
        oracle.tag(IMAGE, local, "t")
        t0 = time.monotonic()
        out = {
            "pull": raises(lambda: api.pull("dockui/never-there-" + name, "1")),
            "pull_tag_in_name": raises(lambda: api.pull(f"dockui/never-there-{name}:2", stream=True, decode=True)),
            "pull_all_tags": raises(lambda: api.pull("dockui/never-there-" + name, all_tags=True)),
            "search": raises(lambda: api.search("busybox", limit=3)),
            "distribution": raises(lambda: api.inspect_distribution("dockui/never-there-" + name)),
            "push_text": _json_lines(api.push(local, "t")),
            "push_stream": list(api.push(f"{local}:t", stream=True, decode=True)),
            "push_raw": b"".join(api.push(local, tag="t", stream=True)).count(b"connection refused") > 0,
            "push_missing": _json_lines(api.push(f"{local}:missing")),
            "from_image": raises(lambda: api.import_image_from_image(f"dockui/never-there-{name}:1", repository=local)),
            "old_platform": raises(lambda: side.other_version("1.31").pull("x", platform="linux")),
            "old_distribution": raises(lambda: side.other_version("1.29").inspect_distribution("x")),
        }
        out["fast"] = time.monotonic() - t0 < 20
    return out


# ------------------------------------------------------------------------------------ the tests
test_scenario, test_same_answers = scenario.tests()


def test_expected_answers_of_dockui() -> None:
    """A few answers pinned down, so that the comparison cannot pass by both clients being wrong alike."""
    got = scenario.run("list_tag_inspect_history", "dockui")
    assert got["tagged"] is True and got["by_name"] == ["dockui/<name>:v1", "dockui/<name>:v2"] and got["quiet"]
    assert got["missing"] == {"error": "ImageNotFound", "status": 404} and got["null"] == {"error": "NullResource"}
    got = scenario.run("save_and_load", "dockui")
    assert got["back"] and got["loaded"] == [{"stream": "Loaded image: dockui/<name>:v1\n"}]
    got = scenario.run("build_from_fileobj_and_context", "dockui")
    assert got["fobj_labels"] == {"dkapi": "<name>", "stage": "one"}
    assert "keep.txt" in got["dir_listing"] and "also.txt" in got["dir_listing"] and "secret.txt" not in got["dir_listing"]
    assert any("error" in m for m in got["broken"]) and got["no_context"] == {"error": "TypeError"}
    assert got["images"] == [f"dockui/<name>:{t}" for t in ("custom", "dir", "fobj", "gzip", "target")]
    got = scenario.run("registry_calls_fail_at_once", "dockui")
    assert got["pull"] == {"error": "APIError", "status": 500} and got["search"]["status"] == 500 and got["fast"]
    got = scenario.run("import_images", "dockui")
    assert got["changes_cfg"] == {"Env": ["DK=1"], "Cmd": ["/bin/x"]} and got["nothing"] == {"error": "DockerException"}
