"""LogFeed: follows the logs of containers or a service on daemon threads, for the logs screen.

Lines are split per stream, timestamps parsed, and kept in a bounded buffer the UI drains on
its own tick (``take``); the feed never calls into the UI except through ``notify``, which
must be cheap and thread-safe (a coalesced ``post_message``).

A follow survives what ends its stream. A container that stops ends its follow with a message;
when it runs again, the feed picks up from the last line seen. A lost engine connection (the
container still running) is said, and once the engine answers again the feed resumes from the
last line seen, for containers and services alike: it asks the engine for everything since
that line's timestamp and drops the messages it had already shown (``ResumePoint``), so no
line is lost and none is shown twice.

``follow=False`` with ``limit`` reads a log from its start and stops after ``limit`` lines,
closing the stream: the logs screen's "head" (the engine has no head option).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..engine import EngineClient, EngineError, NotFound
from ..engine.streams import STREAM_NAMES, LineSplitter, split_timestamp

Line = tuple[str, str, str | None]  # (stream, text, timestamp)
Source = tuple[str, int]  # (task id or "", stream id): the engine keeps each one in order

_NS = 1_000_000_000


def timestamp_ns(ts: str) -> int | None:
    """Nanoseconds since the epoch of an RFC 3339 stamp as the engine writes it (any zone).

    RFC 3339 "nano" stamps drop trailing zeros (``.1Z`` after ``.12Z``), so stamps only
    compare as numbers, never as strings.
    """
    try:
        base = int(datetime.fromisoformat(ts[:19] + "+00:00").timestamp())
        rest = ts[19:]
        frac = ""
        if rest.startswith("."):
            i = 1
            while i < len(rest) and rest[i].isdigit():
                i += 1
            frac, rest = rest[1:i], rest[i:]
        offset = 0
        if rest not in ("", "Z", "z"):
            sign = 1 if rest[0] == "+" else -1 if rest[0] == "-" else 0
            hours, _, minutes = rest[1:].partition(":")
            if not sign:
                return None
            offset = sign * (int(hours) * 3600 + int(minutes or 0) * 60)
        return (base - offset) * _NS + (int((frac + "000000000")[:9]) if frac else 0)
    except (ValueError, IndexError):
        return None


class ResumePoint:
    """How far a follow got, per source, so that it resumes without losing or repeating a line.

    For each source (one stream of a container, or of a service's task) it keeps the last
    timestamp seen and how many messages carried exactly that timestamp. The engine's ``since``
    keeps every message *at or after* it, so a resumed stream starts with messages already
    shown: :meth:`skipper` drops those, per source, and nothing else. ``since`` is the earliest
    of the recent sources' last stamps (a source quiet for a minute would only make the engine
    send lines again for nothing: they are skipped anyway).
    """

    RECENT_NS = 60 * _NS

    def __init__(self) -> None:
        self._last: dict[Source, list] = {}  # source -> [stamp, count]

    def see(self, source: Source, ts: str | None) -> None:
        """A message shown (called in the order the engine sent them)."""
        if ts is None:
            return
        cur = self._last.get(source)
        if cur is not None and cur[0] == ts:
            cur[1] += 1
        else:
            self._last[source] = [ts, 1]

    def _points(self) -> dict[Source, tuple[int, int]]:
        out = {}
        for source, (ts, count) in self._last.items():
            ns = timestamp_ns(ts)
            if ns is not None:
                out[source] = (ns, count)
        return out

    def since(self) -> str | None:
        """The engine's ``since`` to resume from (``seconds.nanoseconds``), None before any line."""
        points = self._points()
        if not points:
            return None
        newest = max(ns for ns, _ in points.values())
        ns = min(ns for ns, _ in points.values() if ns >= newest - self.RECENT_NS)
        return f"{ns // _NS}.{ns % _NS:09d}"

    def skipper(self) -> Callable[[Source, str | None], bool]:
        """A predicate for a resumed stream: true for a message that was already shown."""
        skip = {source: [ns, count] for source, (ns, count) in self._points().items()}

        def seen(source: Source, ts: str | None) -> bool:
            point = skip.get(source)
            if point is None or ts is None:
                return False
            ns = timestamp_ns(ts)
            if ns is None:
                return False
            if ns < point[0]:
                return True
            if ns == point[0] and point[1] > 0:
                point[1] -= 1
                return True
            del skip[source]  # past the point: this source is new from here on
            return False

        return seen


@dataclass(frozen=True)
class Target:
    """One thing to follow: a container, or a service (``service=True``)."""

    id: str
    label: str = ""  # prefix shown on each line when several targets are merged
    service: bool = False

    @property
    def kind(self) -> str:
        return "service" if self.service else "container"


class LogFeed:
    def __init__(
        self,
        client: EngineClient,
        targets: list[Target],
        tail: int | str = 500,
        since: float | None = None,
        notify: Callable[[], None] | None = None,
        max_buffer: int = 10_000,
        task_names: Callable[[str], str] | None = None,
        follow: bool = True,
        limit: int | None = None,
    ) -> None:
        self.client = client
        self.targets = targets
        self.tail = tail
        self.since = since
        self.follow = follow
        self.limit = limit  # lines per target when not following (head)
        self.notify = notify or (lambda: None)
        self.task_names = task_names or (lambda tid: tid[:12])
        self._buf: deque[Line] = deque(maxlen=max_buffer)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._streams: dict[str, object] = {}
        self.dropped = 0
        self.status: dict[str, str] = {}
        self.waiting: set[str] = set()  # targets whose follow waits for the engine to answer again

    def start(self) -> None:
        for t in self.targets:
            threading.Thread(target=self._follow, args=(t,), name=f"logs-{t.id[:12]}", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            streams = list(self._streams.values())
        for s in streams:
            s.close()  # type: ignore[attr-defined]

    def take(self, limit: int = 20_000) -> list[Line]:
        """Lines that arrived since the last call (the UI thread drains on its tick)."""
        with self._lock:
            n = min(limit, len(self._buf))
            return [self._buf.popleft() for _ in range(n)]

    def _put(self, lines: list[Line]) -> None:
        if not lines:
            return
        with self._lock:
            over = len(self._buf) + len(lines) - (self._buf.maxlen or 0)
            if over > 0:
                self.dropped += over
            self._buf.extend(lines)
        self.notify()

    def _meta(self, text: str) -> None:
        self._put([("meta", text, None)])

    def _open(self, t: Target, tail: int | str, since: float | str | None) -> tuple[object, bool, str | None]:
        """The log stream of ``t``, whether it is framed, and the container's StartedAt."""
        follow = self.follow
        if t.service:
            # a TTY service's log is one raw stream of "stamp details text" lines, not frames
            spec = (self.client.inspect_service(t.id).get("Spec") or {}).get("TaskTemplate") or {}
            tty = bool((spec.get("ContainerSpec") or {}).get("TTY"))
            stream = self.client.service_logs(t.id, timestamps=True, tail=tail, follow=follow, details=True,
                                              since=since, stdout=True, stderr=True, is_tty=tty, frames=True)  # type: ignore[arg-type]  # "s.ns" keeps nanoseconds
            return stream, not tty, None
        info = self.client.inspect_container(t.id)
        tty = bool(info.get("Config", {}).get("Tty"))
        stream = self.client.logs(t.id, timestamps=True, tail=tail, since=since, follow=follow, tty=tty, stream=True, frames=True)  # type: ignore[arg-type]
        return stream, not tty, info.get("State", {}).get("StartedAt")

    def _follow(self, t: Target) -> None:
        since: float | str | None = self.since
        tail = self.tail
        point = ResumePoint()
        skip: Callable[[Source, str | None], bool] | None = None
        last_started = None
        last_error = None
        name = t.label or t.id[:12]
        while not self._stop.is_set():
            try:
                stream, framed, started = self._open(t, tail, since)
                if started is not None:
                    last_started = started
            except NotFound:
                self._meta(f"{name}: no such {t.kind} (removed)")
                return
            except EngineError as exc:
                msg = f"{name}: cannot read logs: {self._why(exc)}"
                if msg != last_error:  # once per reason, not every retry of a long outage
                    self._meta(msg + "; retrying")
                    last_error = msg
                if self._stop.wait(2):
                    return
                continue
            with self._lock:
                self._streams[t.id] = stream
            if self._stop.is_set():
                stream.close()  # type: ignore[attr-defined]
                return
            self._pump(t, stream, framed=framed, point=point, skip=skip)
            with self._lock:
                self._streams.pop(t.id, None)
            if self._stop.is_set() or not self.follow:
                return
            if not self._wait_to_resume(t, last_started):
                return
            tail = "all"
            resume = point.since()
            if resume is not None:
                since, skip = resume, point.skipper()

    def _wait_to_resume(self, t: Target, last_started: str | None) -> bool:
        """After a stream ended: say why, wait until following makes sense again (False: never)."""
        name = t.label or t.id[:12]

        def inspect() -> dict:
            if t.service:
                self.client.inspect_service(t.id)
                return {"Running": True}  # a service's stream ends only with it or the connection
            return self.client.inspect_container(t.id).get("State", {})

        lost = False
        try:
            st = inspect()
            running = bool(st.get("Running"))
        except NotFound:
            self._meta(f"— {name} was removed; log follow ended —")
            return False
        except EngineError as exc:
            running = False
            lost = True
            self.waiting.add(t.id)
            self._meta(f"— lost the connection to the engine ({self._why(exc)}); log follow paused, waiting for the engine —")
        if not running and not lost:
            self._meta(f"— {name} stopped (exit code {st.get('ExitCode')}); waiting for it to start again —")
        # the container did not stop (the connection did): follow on from the last line, even
        # though its StartedAt is the same; one that stopped must start again (a new StartedAt)
        same_run = running or lost
        while not self._stop.wait(1.0):
            try:
                st = inspect()
            except NotFound:
                self._meta(f"— {name} was removed; log follow ended —")
                return False
            except EngineError:
                continue
            if lost:
                lost = False
                self.waiting.discard(t.id)
                self._meta("— the engine is back; following again —" if st.get("Running")
                           else f"— the engine is back; {name} is not running (exit code {st.get('ExitCode')}); waiting for it to start again —")
            if st.get("Running") and (same_run or st.get("StartedAt") != last_started):
                return True
            if not t.service and not st.get("Running"):
                same_run = False
        return False

    @staticmethod
    def _why(exc: Exception) -> str:
        return str(getattr(exc, "cause", "") or exc)

    def _pump(self, t: Target, stream, framed: bool = True, point: ResumePoint | None = None,
              skip: Callable[[Source, str | None], bool] | None = None) -> None:
        """Read one stream into lines, noting each message in ``point`` and dropping those
        ``skip`` says were shown already; stop after ``self.limit`` lines when not following.

        A framed stream (no TTY) carries one log message per frame, each with its own
        timestamp. The engine cuts a long line into messages of 16 KiB, so the timestamp at the
        start of every frame is taken off before frames are joined into lines; otherwise a 1 MB
        line would show a timestamp every 16 KiB. A TTY stream has no frames: it is split on
        newlines and each line's leading timestamp taken off.
        """
        split = LineSplitter()
        prefix = f"{t.label} | " if t.label else ""
        partial: dict[int, tuple[str | None, bytearray]] = {}  # framed: the line being built per stream
        service = t.service
        point = point or ResumePoint()
        left = self.limit if not self.follow and self.limit else None

        def line(psid: int, raw: bytes, ts: str | None) -> Line:
            text = raw.decode("utf-8", "replace").rstrip("\r")
            if service:
                text = self._service_line(text)
            return (STREAM_NAMES.get(psid, "stdout"), prefix + text if prefix else text, ts)

        def source(psid: int, body: bytes) -> Source:
            if not service:
                return ("", psid)
            head = body[: body.find(b" ")]
            at = head.find(b"com.docker.swarm.task.id=")
            if at < 0:
                return ("", psid)
            return (head[at + 25 :].split(b",", 1)[0].decode("ascii", "replace"), psid)

        try:
            for sid, data in stream:
                out: list[Line] = []
                if framed:
                    ts, body = split_timestamp(data)
                    src = source(sid, body)
                    if skip is not None and skip(src, ts):
                        continue
                    point.see(src, ts)
                    cur_ts, acc = partial.get(sid, (None, bytearray()))
                    if not acc:
                        cur_ts = ts
                    acc += body
                    while (nl := acc.find(b"\n")) >= 0:
                        out.append(line(sid, bytes(acc[:nl]), cur_ts))
                        del acc[: nl + 1]
                        cur_ts = ts
                    if len(acc) > split.max_line:  # an endless line: cut it rather than grow forever
                        out.append(line(sid, bytes(acc), cur_ts))
                        acc.clear()
                    partial[sid] = (cur_ts, acc)
                else:
                    for psid, raw in split.feed(sid, data):
                        ts, rest = split_timestamp(raw)
                        src = source(psid, rest)
                        if skip is not None and skip(src, ts):
                            continue
                        point.see(src, ts)
                        out.append(line(psid, rest, ts))
                if left is not None and len(out) >= left:
                    self._put(out[:left])
                    stream.close()  # the head is read: the rest stays on the engine
                    return
                if left is not None:
                    left -= len(out)
                self._put(out)
        except EngineError as exc:
            broken = True
            if not self._stop.is_set():
                self._meta(f"{t.label or t.id[:12]}: log stream broken: {self._why(exc)}")
        else:
            broken = False
        # the joined frames of a long line were seen (a resume skips them): show what came; a TTY
        # stream cut mid-message is not, as the resumed stream sends that message whole again
        rest_lines = [line(sid, bytes(acc), ts) for sid, (ts, acc) in partial.items() if acc]
        for psid, raw in split.flush():
            ts, rest = split_timestamp(raw)
            if not broken:
                rest_lines.append(line(psid, rest, ts))
        self._put(rest_lines[:left] if left is not None else rest_lines)

    def _service_line(self, text: str) -> str:
        """``details=true`` lines start with ``k=v,k=v ``: name the task instead."""
        head, sep, rest = text.partition(" ")
        if sep and "com.docker.swarm.task.id=" in head:
            attrs = dict(kv.split("=", 1) for kv in head.split(",") if "=" in kv)
            return f"{self.task_names(attrs.get('com.docker.swarm.task.id', ''))} | {rest}"
        return text
