"""LogFeed: follows the logs of containers or a service on daemon threads, for the logs screen.

Lines are split per stream, timestamps parsed, and kept in a bounded buffer the UI drains on
its own tick (``take``); the feed never calls into the UI except through ``notify``, which
must be cheap and thread-safe (a coalesced ``post_message``). A container that stops ends its
follow with a message; when it runs again, the feed picks up from the last line seen.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from ..engine import EngineClient, EngineError, NotFound
from ..engine.streams import STREAM_NAMES, LineSplitter, split_timestamp

Line = tuple[str, str, str | None]  # (stream, text, timestamp)


@dataclass(frozen=True)
class Target:
    """One thing to follow: a container (``kind='container'``) or a service."""

    id: str
    label: str = ""  # prefix shown on each line when several targets are merged
    kind: str = "container"


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
    ) -> None:
        self.client = client
        self.targets = targets
        self.tail = tail
        self.since = since
        self.notify = notify or (lambda: None)
        self.task_names = task_names or (lambda tid: tid[:12])
        self._buf: deque[Line] = deque(maxlen=max_buffer)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._streams: dict[str, object] = {}
        self.dropped = 0
        self.status: dict[str, str] = {}

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

    def _follow(self, t: Target) -> None:
        since = self.since
        tail = self.tail
        last_started = None
        last_error = None
        while not self._stop.is_set():
            try:
                if t.kind == "service":
                    stream = self.client.service_logs(t.id, timestamps=True, tail=tail, follow=True, details=True, since=since)
                    tty = False
                else:
                    info = self.client.inspect_container(t.id)
                    tty = bool(info.get("Config", {}).get("Tty"))
                    last_started = info.get("State", {}).get("StartedAt")
                    stream = self.client.logs(t.id, timestamps=True, tail=tail, since=since, follow=True, tty=tty)
            except NotFound:
                self._meta(f"{t.label or t.id[:12]}: no such {t.kind} (removed)")
                return
            except EngineError as exc:
                msg = f"{t.label or t.id[:12]}: cannot read logs: {self._why(exc)}"
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
            last_ts = self._pump(t, stream, framed=not tty)
            with self._lock:
                self._streams.pop(t.id, None)
            if self._stop.is_set():
                return
            if t.kind == "service":
                self._meta(f"{t.label}: log stream ended")
                return
            # the container stopped (or the stream broke): say so, then wait for it to run again
            code = None
            lost = False
            try:
                st = self.client.inspect_container(t.id).get("State", {})
                code = st.get("ExitCode")
                running = st.get("Running")
            except NotFound:
                self._meta(f"— {t.label or t.id[:12]} was removed; log follow ended —")
                return
            except EngineError as exc:
                running = False
                lost = True
                self._meta(f"— lost the connection to the engine ({self._why(exc)}); log follow paused, waiting for the engine —")
            if not running and not lost:
                self._meta(f"— {t.label or t.id[:12]} stopped (exit code {code}); waiting for it to start again —")
            while not self._stop.wait(1.0):
                try:
                    st = self.client.inspect_container(t.id).get("State", {})
                except NotFound:
                    self._meta(f"— {t.label or t.id[:12]} was removed; log follow ended —")
                    return
                except EngineError:
                    continue
                if lost:
                    lost = False
                    self._meta("— the engine is back —")
                    if not st.get("Running"):
                        self._meta(f"— {t.label or t.id[:12]} is not running (exit code {st.get('ExitCode')}); waiting for it to start again —")
                if st.get("Running") and (st.get("StartedAt") != last_started or running):
                    break
            tail = "all"
            since = self._resume_since(last_ts)

    @staticmethod
    def _why(exc: Exception) -> str:
        return str(getattr(exc, "cause", "") or exc)

    @staticmethod
    def _resume_since(last_ts: str | None) -> float | None:
        if not last_ts:
            return None
        from datetime import datetime

        try:
            base = datetime.fromisoformat(last_ts[:19] + "+00:00").timestamp()
            frac = last_ts[19:].rstrip("Z").split("+")[0]
            return base + (float(frac) if frac.startswith(".") else 0.0) + 1e-6
        except ValueError:
            return None

    def _pump(self, t: Target, stream, framed: bool = True) -> str | None:
        """Read one stream into lines; the last timestamp seen (to resume from).

        A framed stream (no TTY) carries one log message per frame, each with its own
        timestamp. The engine cuts a long line into messages of 16 KiB, so the timestamp at the
        start of every frame is taken off before frames are joined into lines; otherwise a 1 MB
        line would show a timestamp every 16 KiB. A TTY stream has no frames: it is split on
        newlines and each line's leading timestamp taken off.
        """
        split = LineSplitter()
        last_ts = None
        prefix = f"{t.label} | " if t.label else ""
        partial: dict[int, tuple[str | None, bytearray]] = {}  # framed: the line being built per stream

        def line(psid: int, raw: bytes, ts: str | None) -> Line:
            text = raw.decode("utf-8", "replace").rstrip("\r")
            if t.kind == "service":
                text = self._service_line(text)
            return (STREAM_NAMES.get(psid, "stdout"), prefix + text if prefix else text, ts)

        try:
            for sid, data in stream:
                out: list[Line] = []
                if framed:
                    ts, body = split_timestamp(data)
                    if ts:
                        last_ts = ts
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
                        if ts:
                            last_ts = ts
                        out.append(line(psid, rest, ts))
                self._put(out)
        except EngineError as exc:
            if not self._stop.is_set():
                self._meta(f"{t.label or t.id[:12]}: log stream broken: {self._why(exc)}")
        rest_lines = [line(sid, bytes(acc), ts) for sid, (ts, acc) in partial.items() if acc]
        for psid, raw in split.flush():
            ts, rest = split_timestamp(raw)
            rest_lines.append(line(psid, rest, ts))
        self._put(rest_lines)
        return last_ts

    def _service_line(self, text: str) -> str:
        """``details=true`` lines start with ``k=v,k=v ``: name the task instead."""
        head, sep, rest = text.partition(" ")
        if sep and "com.docker.swarm.task.id=" in head:
            attrs = dict(kv.split("=", 1) for kv in head.split(",") if "=" in kv)
            return f"{self.task_names(attrs.get('com.docker.swarm.task.id', ''))} | {rest}"
        return text


