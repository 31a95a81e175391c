"""The incident bundle (``B`` on a container, or on the marked containers; issue 23 section 4):
one timestamped ``.tar.gz`` holding what an incident report needs, written where the config's
``[bundle] directory`` says (default: the current directory).

Inside ``dockui-bundle-<name>-<UTC time>/``:

* ``MANIFEST.txt`` -- when, which engine, which containers, and every part that could not be read;
* ``engine/version.json``, ``engine/info.json`` -- the engine's version and info;
* per container, ``<name>-<id12>/``: ``inspect.json`` (secret-looking env values, labels and
  arguments masked as the describe view masks them, ``dockui.secrets``), ``logs.txt`` (the last
  10,000 lines, with timestamps), ``events.json`` (its events of the last hour, a bounded
  ``events(since, until, filters)`` read, attributes masked too), ``stats.json`` (the samples
  dockui kept, or one sample read now), ``processes.txt`` (``top``, when it runs),
  ``postmortem.txt`` (``dockui.triage``, or a line saying it is unavailable).

The archive is written under a temporary name in the same directory (owner-only, as ``mkstemp``
makes it) and renamed when complete: a failure leaves nothing behind. The collection is blocking
engine work: call it on a worker thread (the progress screen does).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

LOG_LINES = 10_000
EVENTS_WINDOW = 3600.0  # seconds of events
MAX_EVENTS = 20_000


def _json(doc: Any) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8", "replace")


def _slug(text: str, limit: int = 40) -> str:
    """A file-name-safe form of an engine name (letters, digits, ``._-``)."""
    s = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "container"
    return s[:limit]


def _why(exc: BaseException) -> str:
    msg = getattr(exc, "explanation", "") or str(exc) or type(exc).__name__
    return " ".join(str(msg).split())[:500]


def _mask_event(ev: Mapping[str, Any]) -> dict[str, Any]:
    from .secrets import mask_value

    out = dict(ev)
    actor = out.get("Actor")
    if isinstance(actor, Mapping):
        attrs = actor.get("Attributes")
        if isinstance(attrs, Mapping):
            out["Actor"] = {**actor, "Attributes": {k: mask_value(str(k), v) for k, v in attrs.items()}}
    return out


def _processes(doc: Mapping[str, Any]) -> str:
    titles = [str(t) for t in doc.get("Titles") or []]
    rows = [[str(c) for c in r] for r in doc.get("Processes") or []]
    widths = [max([len(t)] + [len(r[i]) for r in rows if i < len(r)]) for i, t in enumerate(titles)]
    lines = ["  ".join(t.ljust(w) for t, w in zip(titles, widths, strict=False)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip() for r in rows]
    return "\n".join(lines) + "\n"


def collect_container(client: Any, cid: str, stats: Any = None, context: Any = None,
                      now: float | None = None) -> tuple[str, dict[str, bytes], list[str]]:
    """Everything the bundle keeps about container ``cid``: (its folder's name, file name -> bytes,
    the parts that could not be read and why). Raises only when the container cannot be
    inspected (gone: ``NotFound``). ``stats``: the app's ``StatsHub`` (its ring of samples);
    ``context``: what ``dockui.triage.postmortem_text`` reads besides the engine (the app)."""
    from .secrets import mask_document

    now = time.time() if now is None else now
    engine, key = "", cid  # key: the store's (and the stats hub's) id of the row
    if callable(getattr(client, "route", None)):  # a fleet: the row's own engine, with its raw id
        engine = client.engine_of(cid) if callable(getattr(client, "engine_of", None)) else ""
        client, cid = client.route(cid)
    doc = client.inspect_container(cid)
    cid = str(doc.get("Id") or cid)
    name = str(doc.get("Name") or cid[:12]).lstrip("/")
    folder = f"{_slug(engine) + '-' if engine else ''}{_slug(name)}-{cid[:12]}"
    files: dict[str, bytes] = {"inspect.json": _json(mask_document(doc))}
    errors: list[str] = []
    running = bool((doc.get("State") or {}).get("Running"))

    try:
        logs = client.logs(cid, stdout=True, stderr=True, timestamps=True, tail=LOG_LINES, stream=False)
        files["logs.txt"] = logs if isinstance(logs, bytes) else str(logs or "").encode("utf-8", "replace")
    except Exception as exc:  # noqa: BLE001 - every part is best effort; the manifest says what failed
        errors.append(f"{folder}/logs.txt: {_why(exc)}")

    events: list[dict[str, Any]] = []
    try:
        stream = client.events(since=now - EVENTS_WINDOW, until=now, filters={"container": cid}, decode=True)
        try:
            for ev in stream:  # the engine ends the stream at ``until``
                events.append(_mask_event(ev))
                if len(events) >= MAX_EVENTS:
                    break
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()
        files["events.json"] = _json(events)
    except Exception as exc:  # noqa: BLE001
        errors.append(f"{folder}/events.json: {_why(exc)}")

    samples: list[dict[str, Any]] = []
    if stats is not None:
        from dataclasses import asdict

        try:
            samples = [asdict(s) for s in stats.history(key)]
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{folder}/stats.json (dockui's samples): {_why(exc)}")
    if samples:
        files["stats.json"] = _json({"source": "dockui's ring of samples (oldest first)", "samples": samples})
    elif running:
        try:
            files["stats.json"] = _json({"source": "one sample read when the bundle was made",
                                         "raw": client.stats(cid, stream=False)})
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{folder}/stats.json: {_why(exc)}")
    else:
        files["stats.json"] = _json({"source": "none: dockui kept no samples and the container is not running", "samples": []})

    if running:
        try:
            files["processes.txt"] = _processes(client.top(cid)).encode("utf-8", "replace")
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{folder}/processes.txt: {_why(exc)}")
    else:
        files["processes.txt"] = b"not running: no processes\n"

    try:
        from .triage import postmortem_text
    except ImportError as exc:
        files["postmortem.txt"] = f"post-mortem unavailable: dockui.triage cannot be loaded ({_why(exc)})\n".encode()
    else:
        try:
            text = postmortem_text(client, cid, context)
            files["postmortem.txt"] = (text if text.endswith("\n") else text + "\n").encode("utf-8", "replace")
        except Exception as exc:  # noqa: BLE001
            files["postmortem.txt"] = f"post-mortem failed: {_why(exc)}\n".encode()
            errors.append(f"{folder}/postmortem.txt: {_why(exc)}")
    return folder, files, errors


def engine_members(client: Any, cids: Sequence[str] = ()) -> tuple[dict[str, bytes], list[str]]:
    """``engine/version.json`` and ``engine/info.json``, and what could not be read; in a fleet
    (a client that routes ``engine/id``), ``engine/<name>/...`` for each engine of ``cids``."""
    targets: dict[str, Any] = {"engine": client}
    if callable(getattr(client, "route", None)) and callable(getattr(client, "engine_of", None)):
        names = {client.engine_of(c) for c in cids} - {""}
        if names:
            targets = {f"engine/{_slug(n)}": client.route(f"{n}/")[0] for n in sorted(names)}
    files: dict[str, bytes] = {}
    errors: list[str] = []
    for where, c in targets.items():
        for part in ("version", "info"):
            try:
                files[f"{where}/{part}.json"] = _json(getattr(c, part)())
            except Exception as exc:  # noqa: BLE001
                errors.append(f"{where}/{part}.json: {_why(exc)}")
    return files, errors


def bundle_name(names: Sequence[str], now: float | None = None) -> str:
    """``dockui-bundle-<name or N-containers>-<YYYYmmddTHHMMSSZ>`` (UTC)."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))
    what = _slug(names[0]) if len(names) == 1 else f"{len(names)}-containers"
    return f"dockui-bundle-{what}-{stamp}"


def write_archive(directory: str | os.PathLike[str], stem: str, members: Mapping[str, bytes],
                  now: float | None = None) -> tuple[Path, int]:
    """``members`` (path -> bytes) as ``<directory>/<stem>.tar.gz``, under ``<stem>/``; written to a
    temporary file in ``directory`` and renamed once complete (nothing is left on a failure).
    Returns the path and its size in bytes. An existing bundle of the same name is never replaced."""
    import tarfile
    import tempfile

    folder = Path(directory).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"no such directory: {folder}")
    mtime = int(time.time() if now is None else now)
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                import io

                for path, data in members.items():
                    info = tarfile.TarInfo(f"{stem}/{path}")
                    info.size, info.mtime, info.mode = len(data), mtime, 0o644
                    tar.addfile(info, io.BytesIO(data))
            raw.flush()
            os.fsync(raw.fileno())
        target = folder / f"{stem}.tar.gz"
        n = 1
        while target.exists():
            n += 1
            target = folder / f"{stem}-{n}.tar.gz"
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target, target.stat().st_size


def manifest(client: Any, collected: Sequence[tuple[str, str]], errors: Sequence[str], now: float) -> bytes:
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(now))
    lines = [f"dockui incident bundle, made {when}", f"engine: {getattr(client, 'base_url', '') or ''}", "",
             "containers:"]
    lines += [f"  {folder}/  ({cid})" for cid, folder in collected]
    lines += ["", "each container's folder: inspect.json (secrets masked), logs.txt (last 10,000 lines, timestamps),",
              "events.json (last hour), stats.json, processes.txt, postmortem.txt; engine/: version.json, info.json"]
    if errors:
        lines += ["", "could not be read:"] + [f"  {e}" for e in errors]
    return ("\n".join(lines) + "\n").encode("utf-8", "replace")


def write_bundle(client: Any, cids: Sequence[str], directory: str | os.PathLike[str] = ".", stats: Any = None,
                 context: Any = None, now: float | None = None) -> tuple[Path, int]:
    """Collect every container of ``cids`` and the engine's facts, and write one bundle; returns
    its path and size. Raises when no container could be inspected (nothing is written then)."""
    now = time.time() if now is None else now
    parts: list[tuple[str, str, dict[str, bytes], list[str]]] = []
    failed: list[str] = []
    for cid in cids:
        try:
            folder, files, errs = collect_container(client, cid, stats=stats, context=context, now=now)
        except Exception as exc:  # noqa: BLE001 - said in the manifest; all gone: raised below
            failed.append(f"{cid[:12]}: {_why(exc)}")
            if len(cids) == 1:
                raise
            continue
        parts.append((cid, folder, files, errs))
    return assemble(client, parts, failed, directory, now)


def assemble(client: Any, parts: Sequence[tuple[str, str, Mapping[str, bytes], Sequence[str]]], failed: Sequence[str],
             directory: str | os.PathLike[str], now: float) -> tuple[Path, int]:
    """The archive from collected ``parts`` (cid, folder, files, errors): the engine's facts and
    the manifest added. ``failed``: containers that could not be collected (the manifest lists them)."""
    if not parts:
        raise RuntimeError("no container could be read: " + "; ".join(failed) if failed else "no containers")
    members: dict[str, bytes] = {}
    errors = [f"container {f}" for f in failed]
    for _cid, folder, files, errs in parts:
        members.update({f"{folder}/{name}": data for name, data in files.items()})
        errors += errs
    eng, eng_errors = engine_members(client, [cid for cid, _f, _fi, _e in parts])
    members.update(eng)
    errors += eng_errors
    members = {"MANIFEST.txt": manifest(client, [(cid, folder) for cid, folder, _f, _e in parts], errors, now), **members}
    names = [folder.rsplit("-", 1)[0] for _c, folder, _f, _e in parts]
    return write_archive(directory, bundle_name(names, now), members, now)


def bundle_view(rid: str, row: Mapping[str, Any]) -> Any:
    """``B``: the progress screen over the marked containers of the list it opens from (else the
    focused one): a line per container as it is collected, then where the bundle went and its size."""
    from .format import size
    from .screens.progress import ProgressScreen

    collected: dict[str, tuple[str, str, dict[str, bytes], list[str]]] = {}

    def items(app: Any, below: Any) -> list[tuple[str, str]]:
        snap = app.store.snapshot("containers")
        marks = set(getattr(below, "marks", ()) or ()) if getattr(below, "kind", "") == "containers" else set()
        ids = sorted(m for m in marks if m in snap) or [rid]
        return [(cid, str((snap.get(cid) or row).get("Name") or cid[:12])) for cid in ids]

    def work(app: Any, cid: str, name: str, arg: str) -> str:
        folder, files, errs = collect_container(app.client, cid, stats=getattr(app, "stats", None), context=app)
        collected[cid] = (cid, folder, files, errs)
        lines = files.get("logs.txt", b"").count(b"\n")
        return f"collected: {lines} log lines" + (f", {len(errs)} parts unreadable" if errs else "")

    def finish(app: Any, results: Mapping[str, Any], arg: str) -> str:
        directory = getattr(app.config, "bundle_dir", "") or os.getcwd()
        failed = [f"{cid[:12]}: {_why(r)}" for cid, r in results.items() if isinstance(r, BaseException)]
        parts = [collected[cid] for cid, _n in items_order if cid in collected]
        path, n = assemble(app.client, parts, failed, directory, time.time())
        return f"wrote {path} ({size(n)})"

    items_order: list[tuple[str, str]] = []

    def items_kept(app: Any, below: Any) -> list[tuple[str, str]]:
        items_order[:] = items(app, below)
        return items_order

    return ProgressScreen("incident bundle", items_kept, work, finish=finish, verb="bundle")
