"""The sampler: CPU and memory of every running container, not only the rows on screen.

The rows on screen keep their live stats streams (``StatsHub.want``); every other running
container is sampled at a low rate with one-shot stats (``stats?stream=false&one-shot=true``):
idle ones every ``idle_every(n)`` seconds (at most ``IDLE_MAX``, so each is read at least every
10 s once the engine's own tick is counted), the busy ones (``BUSY_CPU`` % or more) every
``BUSY_EVERY`` seconds, a new one twice in a row (a CPU figure needs two samples).

Why this shape (measured on the sandbox's dockerd 20.10, API 1.41): a one-shot request is not
answered at once: dockerd subscribes the container to its stats collector and answers at the
collector's next tick (up to 1 s later), with an empty ``precpu_stats``; a plain
``stream=false`` waits for two ticks (2 s) to fill ``precpu``. Both cost the daemon one (or two)
collections of that container, which is what one second of a ``docker stats`` stream costs too.
So one-shot it is, with the CPU figure computed against our own previous sample of the same
container (``StatsHub`` keeps it), and the requests of one round all in flight at once: they are
answered together at the same tick. One thread does it, waiting on all the sockets with a
selector (at most ``INFLIGHT`` per round; an ``ssh://`` engine, where each connection is an
``ssh`` process, gets ``INFLIGHT_SSH``), instead of a pool of threads each blocked up to a second.

When dockui runs on the engine's own host, none of that is asked of the engine: the samples are
read from the containers' cgroup files (``cgroups.CgroupReader``), microseconds each, instead of
a collection by dockerd, containerd and the shim (at 1,000 running, ~60 % of a core between them).
The engine is asked only for what those files do not give (see ``cgroups``).
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from ..engine.rawhttp import build_request
from .cgroups import CgroupReader

log = logging.getLogger("dockui.store")

BUSY_CPU = 1.0  # percent: a container at least this busy is sampled every BUSY_EVERY seconds
BUSY_EVERY = 2.0
IDLE_MIN, IDLE_MAX = 3.0, 7.0  # seconds between samples of an idle container (the engine's tick and a loaded machine come on top)
RATE = 12.0  # idle containers sampled per second, at most, before IDLE_MAX stretches it: n / RATE seconds
PRIME_AFTER = 1.5  # a container's second sample (its first CPU figure) this long after its first
INFLIGHT = 200
INFLIGHT_SSH = 4
TIMEOUT = 5.0  # seconds a round waits for its answers
INSPECT_MAX = 60  # rows on screen inspected for their restart facts, at most, per request
MAX_RESPONSE = 1024 * 1024


def idle_every(n: int) -> float:
    """Seconds between two samples of an idle container when ``n`` run."""
    return min(IDLE_MAX, max(IDLE_MIN, n / RATE))


def _dechunk(body: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(body):
        j = body.find(b"\r\n", i)
        if j < 0:
            break
        size = int(body[i:j].split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            break
        out += body[j + 2: j + 2 + size]
        i = j + 2 + size + 2
    return bytes(out)


def parse_reply(raw: bytes) -> Any:
    """The JSON document of one complete HTTP/1.1 response (read to EOF), or None for an error status."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        return None
    status, _, rest = head.partition(b"\r\n")
    parts = status.split(b" ", 2)
    if len(parts) < 2 or parts[1] != b"200":
        return None
    # only one header matters; a dict of them all cost more than the JSON's decoding at 1,000 running
    for line in rest.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            body = _dechunk(body)
            break
    try:
        return json.loads(body)
    except ValueError:
        return None


def fetch_all(client: Any, ids: list[str], one_shot: bool, timeout: float = TIMEOUT) -> dict[str, dict]:
    """Stats documents of ``ids``: every request on a connection of its own, all in flight at
    once, one thread waiting for them; a container that went away (or an error) is left out."""
    endpoint = client.endpoint
    params: dict[str, Any] = {"stream": False}
    if one_shot:
        params["one-shot"] = True
    # the request differs only by the id: its bytes made once, not encoded again per container
    head, tail = build_request("GET", f"/v{client.api_version}/containers/\0/stats", params, None,
                               {"Connection": "close"}).split(b"\0", 1)
    sel = selectors.DefaultSelector()
    bufs: dict[socket.socket, tuple[str, bytearray]] = {}
    out: dict[str, dict] = {}
    try:
        for cid in ids:
            try:
                sock = endpoint.connect(timeout)
            except Exception:  # noqa: BLE001 - the engine is gone: this round ends here
                break
            try:
                sock.sendall(head + quote(cid, safe="").encode("ascii") + tail)
                sock.setblocking(False)
                sel.register(sock, selectors.EVENT_READ)
            except (OSError, ValueError):
                sock.close()
                continue
            bufs[sock] = (cid, bytearray())
        deadline = time.monotonic() + timeout
        while bufs:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            for key, _ in sel.select(left):
                sock = key.fileobj  # type: ignore[assignment]
                cid, buf = bufs[sock]
                done = False
                try:
                    while True:
                        data = sock.recv(65536)
                        if not data:
                            done = True
                            break
                        buf += data
                        if len(buf) > MAX_RESPONSE:
                            done = True
                            buf.clear()
                            break
                except (BlockingIOError, ssl.SSLWantReadError):
                    pass
                except OSError:
                    done = True
                    buf.clear()
                if done:
                    sel.unregister(sock)
                    sock.close()
                    del bufs[sock]
                    doc = parse_reply(bytes(buf)) if buf else None
                    if isinstance(doc, dict):
                        out[cid] = doc
    finally:
        for sock in bufs:
            try:
                sel.unregister(sock)
            except (KeyError, ValueError):
                pass
            sock.close()
        sel.close()
    return out


class Sampler:
    """One daemon thread sampling the running containers that are not streamed.

    ``running()`` gives the ids of the running containers (from the store's snapshot),
    ``streamed()`` those the hub streams already, ``put(cid, doc)`` takes a stats document and
    returns the container's CPU %, ``on_round()`` is called after a round that brought samples.
    ``book`` (the store's ``RestartBook``): the rows on screen asked for with ``inspect(ids)`` are
    read once with ``inspect`` (their RestartCount, last start and exit code) between rounds.
    """

    def __init__(self, client: Any, running: Callable[[], Iterable[str]], streamed: Callable[[], set[str]],
                 put: Callable[[str, dict], float], on_round: Callable[[], None] | None = None, book: Any = None,
                 local: CgroupReader | None | bool = True) -> None:
        self.client = client
        # the running containers' cgroup files, read here when this host holds them (dockui/store/cgroups.py);
        # DOCKUI_CGROUPS=0 asks the engine for every sample
        if local is True:
            inspect = getattr(client, "inspect_container", None)
            local = CgroupReader(inspect) if inspect is not None and os.environ.get("DOCKUI_CGROUPS", "1") != "0" else None
        self.local: CgroupReader | None = local or None
        self.local_reads = 0  # samples read from the cgroup files, not asked of the engine
        self.book = book
        self._inspect: list[str] = []
        self._wake = threading.Event()
        self.running = running
        self.streamed = streamed
        self.put = put
        self.on_round = on_round
        self.due: dict[str, float] = {}  # id -> monotonic time of its next sample
        self.seen: dict[str, int] = {}  # id -> samples taken (a new one gets two quickly)
        self.rounds = 0
        self.requests = 0
        self.wakes = 0  # passes of the loop (a test counts them: idle, about one a second)
        self.next_due = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="stats-sampler", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()

    def inspect(self, ids: Iterable[str]) -> None:
        """Read these containers' restart facts (rows that came on screen) on the sampler's thread."""
        if self.book is None:
            return
        todo = [cid for cid in ids if cid and not self.book.seeded(cid)]
        if todo:
            self._inspect = todo[:INSPECT_MAX]
            self._wake.set()

    def _seed(self) -> bool:
        ids, self._inspect = self._inspect, []
        done = False
        for cid in ids:
            if self._stop.is_set():
                break
            if self.book.seeded(cid):
                continue
            try:
                doc = self.client.inspect_container(cid)
            except Exception:  # noqa: BLE001 - removed meanwhile, or the engine is away: not seeded
                continue
            if isinstance(doc, dict):
                self.book.seed(cid, doc)
                done = True
        return done

    def plan(self, now: float) -> list[str]:
        """The ids due now, most overdue first, at most one round's worth; forgets stopped ones."""
        running = set(self.running())
        streamed = self.streamed()
        for cid in [c for c in self.due if c not in running]:
            del self.due[cid]
            self.seen.pop(cid, None)
        for cid in running:
            self.due.setdefault(cid, now)
        due, nxt = [], now + 1.0
        for cid, t in self.due.items():
            if cid in streamed:
                continue  # its stream reads it: not due, and not a reason to wake
            if t <= now:
                due.append(cid)
            elif t < nxt:
                nxt = t
        self.next_due = nxt
        due.sort(key=self.due.__getitem__)
        cap = INFLIGHT_SSH if getattr(self.client.endpoint, "scheme", "") == "ssh" else INFLIGHT
        return due[:cap]

    def _read_local(self, ids: list[str]) -> tuple[dict[str, dict], list[str]]:
        """The documents read from the cgroup files, and the ids left for the engine."""
        local = self.local
        if local is None or local.usable is False:
            return {}, ids
        docs: dict[str, dict] = {}
        rest: list[str] = []
        for cid in ids:
            doc = local.read(cid)
            if doc is None:
                rest.append(cid)
            else:
                docs[cid] = doc
        self.local_reads += len(docs)
        return docs, rest

    def _one_shot(self) -> bool:
        try:
            return self.client.version_at_least("1.41")
        except Exception:  # noqa: BLE001 - version unknown yet: the plain form works everywhere
            return False

    def _run(self) -> None:
        one_shot: bool | None = None
        while not self._stop.is_set():
            self.wakes += 1
            if self._inspect and self._seed() and self.on_round is not None:
                self.on_round()
            now = time.monotonic()
            try:
                ids = self.plan(now)
            except Exception:  # noqa: BLE001 - the store is between engines: try again shortly
                ids = []
            if not ids:
                # the next non-streamed due time: the streamed ones keep a past due time, and waking
                # for them spun this loop at 20 Hz over every running container (1 % of a core)
                self._wake.wait(min(1.0, max(0.05, self.next_due - now)))
                self._wake.clear()
                continue
            docs, rest = self._read_local(ids)
            if rest:
                if one_shot is None:
                    one_shot = self._one_shot()
                try:
                    docs.update(fetch_all(self.client, rest, one_shot))
                except Exception:  # noqa: BLE001 - never let the sampler die; the next round tries again
                    log.debug("stats round failed", exc_info=True)
                self.requests += len(rest)
            self.rounds += 1
            now = time.monotonic()
            every = idle_every(len(self.due))
            for cid in ids:
                doc = docs.get(cid)
                if cid not in self.due:
                    continue
                if doc is None or str(doc.get("read", "")).startswith("0001"):
                    self.due[cid] = now + every  # not running any more, or gone: the store will say
                    continue
                cpu = self.put(cid, doc)
                n = self.seen[cid] = self.seen.get(cid, 0) + 1
                if n == 1:
                    self.due[cid] = now + PRIME_AFTER
                else:
                    self.due[cid] = now + (BUSY_EVERY if cpu >= BUSY_CPU else every)
            if docs and self.on_round is not None:
                self.on_round()
            if self._stop.is_set():
                return
            if len(docs) < len(ids) and not docs:
                self._stop.wait(1.0)  # nothing answered: do not spin on a sick engine


__all__ = ["Sampler", "fetch_all", "idle_every", "parse_reply"]
