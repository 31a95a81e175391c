"""Custom commands: the user's ``[[commands]]`` entries of ``config.toml`` (like k9s's plugins and
lazydocker's customCommands), turned into kind ``Action``s at start-up.

This module owns the whole feature: validating the entries (a broken entry is a warning naming
the entry and the setting or field, never a crash), adding them to their kinds' actions through
the registry (``kinds.extend``: footer, ``?``, the read-only guard and marks then work as for
built-in keys), expanding a template for one row, and running it:

* ``in = "container"``: exec'd in the container, its output in a shell pane (``pane = true``,
  the ``e`` machinery) or in the bounded output view (``screens/output.py``);
* ``in = "host"``: a process on this machine, in the full terminal (``terminal = true``: dockui
  steps aside as ``T`` does) or in the output view;
* ``background = true`` runs it through the action runner, the exit status as a notification.

Row values reach the program as separate argv elements: the template is split with ``shlex``
first and fields are substituted inside each argument, so a value such as ``x; rm -rf ~`` stays
one harmless argument. A template that needs a shell says ``shell = true``: it runs as
``sh -c TEMPLATE`` with every field value quoted with ``shlex.quote``.
"""

from __future__ import annotations

import codecs
import os
import re
import select
import shlex
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from textual.message import Message

from .ansi import one_line
from .kinds.base import Action, Kind, Row

SOURCE = "config.toml"
FIELDS = ("id", "name", "image", "project", "engine")  # plus label:KEY and env:VAR
PARAM_FIELDS = ("label", "env")
SETTINGS = ("key", "label", "kinds", "states", "command", "in", "pane", "terminal", "confirm", "background",
            "shell", "override", "readonly_safe")
BOOLS = ("pane", "terminal", "confirm", "background", "shell", "override", "readonly_safe")
# keys the resource screen and the app keep for themselves: no entry can take them
RESERVED = frozenset({
    "colon", "slash", "question_mark", "escape", "q", "enter", "ctrl+r", "minus", "left_square_bracket",
    "right_square_bracket", "ctrl+z", "space", "c", "i", "ctrl+right_square_bracket", "ctrl+t", "z", "ctrl+w",
    "tab", "shift+tab", "ctrl+q", "ctrl+c", "N", "S", "C", "M", "A", "I", "up", "down", "left", "right",
    "pageup", "pagedown", "home", "end",
})
MAX_LINES = 5_000  # lines the output view keeps (the oldest go first)
MAX_LINE = 4_000  # characters of one line kept
TAIL_BYTES = 4_096  # what a background command keeps of its output (its last line is reported)

_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


class CommandFailed(Exception):
    """A command ran and failed (exit status not 0), or could not be run; ``explanation`` says how."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.explanation = text


# --- the entries ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CustomCommand:
    """One valid ``[[commands]]`` entry."""

    name: str  # how warnings and notices name it: 'commands[2] "psql"'
    key: str  # a Textual key name (``D``, ``ctrl+g``, ``exclamation_mark``)
    label: str
    kinds: tuple[str, ...]
    states: tuple[str, ...]
    command: str  # the template as written
    where: str  # container | host
    pane: bool = False
    terminal: bool = False
    confirm: bool = False
    background: bool = False
    shell: bool = False
    override: bool = False
    readonly_safe: bool = False
    args: tuple[str, ...] = ()  # the template split with shlex (shell = false)
    fields: tuple[str, ...] = ()  # the fields it uses: "name", "label:KEY", "env:VAR"

    @property
    def needs_inspect(self) -> bool:
        """It reads the container's environment (``{env:VAR}``): one inspect per row, off the UI thread."""
        return any(f.startswith("env:") for f in self.fields)

    @property
    def mutating(self) -> bool:
        """Refused in read-only mode: every exec (the engine client refuses them), and host commands
        unless the entry says ``readonly_safe = true``."""
        return self.where == "container" or not self.readonly_safe


def normalize_key(key: str) -> str:
    """The Textual key name for what a user writes: ``g``, ``G``, ``ctrl+g``, ``!``, ``F5``."""
    key = key.strip()
    if len(key) == 1 and not key.isalnum():
        try:
            from textual.keys import _character_to_key
        except ImportError:  # pragma: no cover - a Textual without it: the character's Unicode name
            import unicodedata

            return unicodedata.name(key, key).lower().replace("-", "_").replace(" ", "_")
        return _character_to_key(key)
    if "+" in key and len(key) > 1:
        *mods, last = key.split("+")
        return "+".join([*(m.lower() for m in mods), last if len(last) == 1 else last.lower()])
    return key if len(key) == 1 else key.lower()


def template_fields(template: str) -> list[str]:
    """The fields a template names, in order (``{{`` and ``}}`` are literal braces)."""
    return [m.group(1).strip() for m in _FIELD.finditer(template) if m.group(1) is not None]


def _field_problem(f: str) -> str:
    name, colon, param = f.partition(":")
    if colon and name in PARAM_FIELDS:
        return "" if param else f"field {{{f}}} needs a name after the colon"
    if not colon and name in FIELDS:
        return ""
    return (f"unknown field {{{f}}} (known: " + ", ".join(f"{{{k}}}" for k in FIELDS)
            + ", {label:KEY}, {env:VAR})")


def parse(entries: Any, path: str = SOURCE) -> tuple[list[CustomCommand], list[str]]:
    """Valid entries, and one warning per broken one (naming the entry and what is wrong)."""
    from . import kinds as registry

    out: list[CustomCommand] = []
    warnings: list[str] = []
    if entries is None:
        return out, warnings
    if not isinstance(entries, list):
        return out, [f"{path}: commands should be a list of [[commands]] tables; none loaded"]
    for i, e in enumerate(entries, 1):
        if not isinstance(e, Mapping):
            warnings.append(f"{path}: [[commands]] #{i} should be a table; skipped")
            continue
        title = e.get("label") if isinstance(e.get("label"), str) else e.get("key") if isinstance(e.get("key"), str) else ""
        name = f"[[commands]] #{i}" + (f" {one_line(str(title), 40)!r}" if title else "")

        def bad(what: str, name: str = name) -> None:
            warnings.append(f"{path}: {name}: {what}; skipped")

        unknown = [k for k in e if k not in SETTINGS]
        if unknown:
            bad(f"unknown setting {one_line(str(unknown[0]), 40)!r} (settings: {', '.join(SETTINGS)})")
            continue
        wrong = next((k for k in BOOLS if k in e and not isinstance(e[k], bool)), None)
        if wrong:
            bad(f"{wrong} should be true or false")
            continue
        if not isinstance(e.get("key"), str) or not e["key"].strip():
            bad("missing key (key = \"...\")")
            continue
        if not isinstance(e.get("command"), str) or not e["command"].strip():
            bad("missing command (command = \"...\")")
            continue
        if "label" in e and not isinstance(e["label"], str):
            bad("label should be a string")
            continue
        kinds_v = e.get("kinds", ["containers"])
        kinds_v = [kinds_v] if isinstance(kinds_v, str) else kinds_v
        if not isinstance(kinds_v, list) or not kinds_v or not all(isinstance(k, str) for k in kinds_v):
            bad("kinds should be a list of kind names")
            continue
        kinds_n = [registry.lookup(k) for k in kinds_v]
        missing = next((k for k, n in zip(kinds_v, kinds_n, strict=True) if n is None), None)
        if missing is not None:
            bad(f"unknown kind {one_line(missing, 40)!r} in kinds (known: {', '.join(registry.KINDS)})")
            continue
        states = e.get("states", [])
        states = [states] if isinstance(states, str) else states
        if not isinstance(states, list) or not all(isinstance(s, str) for s in states):
            bad("states should be a list of states (running, exited, ...)")
            continue
        where = e.get("in", "container")
        if where not in ("container", "host"):
            bad(f"bad in = {one_line(str(where), 40)!r} (in = \"container\" or \"host\")")
            continue
        names = tuple(dict.fromkeys(k.name for k in kinds_n if k is not None))
        if where == "container" and names != ("containers",):
            bad("in = \"container\" applies to kinds = [\"containers\"] only")
            continue
        if where == "container" and e.get("terminal"):
            bad("terminal = true is for in = \"host\" (in a container, use pane = true)")
            continue
        if where == "host" and e.get("pane"):
            bad("pane = true is for in = \"container\" (on the host, use terminal = true)")
            continue
        template = e["command"]
        problem = next((p for p in (_field_problem(f) for f in template_fields(template)) if p), "")
        if problem:
            bad(problem + " in command")
            continue
        try:
            args = tuple(shlex.split(template)) if not e.get("shell") else ()
        except ValueError as exc:
            bad(f"command cannot be split into arguments: {exc} (shell = true runs it with sh -c)")
            continue
        problem = _quoted_field(template) if e.get("shell") else _field_in_script(args)
        if problem:
            bad(problem)
            continue
        out.append(CustomCommand(
            name=name, key=normalize_key(e["key"]), label=one_line(e.get("label") or template.split()[0], 60), kinds=names,
            states=tuple(states), command=template, where=where, args=args,
            fields=tuple(template_fields(template)), **{k: e[k] for k in BOOLS if k in e}))
    return out, warnings


SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"})


def _field_in_script(args: Sequence[str]) -> str:
    """Why a template would run a row value as shell code: a field inside the script of
    ``sh -c SCRIPT`` (pass it after the script, as ``$0`` ``$1``, or say ``shell = true``)."""
    for i, a in enumerate(args[:-1]):
        if a.rsplit("/", 1)[-1] not in SHELLS:
            continue
        rest = list(args[i + 1:])
        if rest and rest[0] == "sh" and a.endswith("busybox"):
            rest = rest[1:]
        while rest and rest[0].startswith("-") and "c" not in rest[0]:
            rest = rest[1:]
        if len(rest) >= 2 and rest[0].startswith("-") and "c" in rest[0]:
            fields = template_fields(rest[1])
            if fields:
                return (f"field {{{fields[0]}}} is inside the {a} -c script, where a value would run as shell code: "
                        "pass it after the script ($0, $1) or say shell = true (values quoted)")
    return ""


def _quoted_field(template: str) -> str:
    """Why a ``shell = true`` template would run a row value as code: a field inside quotes there
    (the quoting dockui adds would end the user's quotes, and "$(...)" expands)."""
    quote = ""
    escaped = False
    starts = {m.start(): m.group(1) for m in _FIELD.finditer(template) if m.group(1) is not None}
    for i, ch in enumerate(template):
        if i in starts and (quote or escaped):
            where = "after a backslash" if escaped else f"inside {'single' if quote == chr(39) else 'double'} quotes"
            return (f"field {{{starts[i].strip()}}} is {where}: with shell = true dockui quotes every value "
                    "itself; remove the quotes around it")
        if escaped:
            escaped = False
        elif ch == "\\" and quote != "'":
            escaped = True
        elif quote and ch == quote:
            quote = ""
        elif not quote and ch in "'\"":
            quote = ch
    return ""


# --- the actions -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CustomAction(Action):
    """A kind's action made from a ``[[commands]]`` entry (``verb="custom"``: the resource screen
    hands it to :func:`perform`); ``run`` is its background form, for the action runner."""

    spec: CustomCommand | None = None
    source: str = SOURCE  # shown by ``?``


def to_action(spec: CustomCommand, kind_name: str) -> CustomAction:
    return CustomAction(
        id=f"custom.{spec.key}.{spec.label}", key=spec.key, label=spec.label, run=background_run(spec, kind_name),
        verb="custom", states=spec.states, destructive=spec.confirm, mutating=spec.mutating, footer=True,
        bulk=True, spec=spec)


def screen_keys() -> frozenset[str]:
    """The keys the resource screen handles before any kind action: its bindings and sort keys
    (read from the screen, so keys added there later are kept too), and the app's own."""
    try:
        from .screens.resources import SORT_KEYS, ResourcesScreen
    except ImportError:  # pragma: no cover - the screen cannot load: the static list
        return RESERVED
    keys = {k.strip() for b in ResourcesScreen.BINDINGS for k in getattr(b, "key", "").split(",") if k.strip()}
    return RESERVED | keys | set(SORT_KEYS) | {f"shift+{k.lower()}" for k in SORT_KEYS}


def install(specs: Sequence[CustomCommand], reserved: frozenset[str] | None = None) -> list[str]:
    """Put ``specs`` on their kinds' actions (replacing what an earlier call put there); returns
    the warnings: a key taken by a built-in action without ``override = true``, a key dockui's
    screen keeps for itself, two entries on one key."""
    from . import kinds as registry

    if reserved is None:
        reserved = screen_keys() if specs else RESERVED
    warnings: list[str] = []
    per_kind: dict[str, list[CustomAction]] = {}
    replaced: dict[str, set[str]] = {}
    for spec in specs:
        if spec.key in reserved:
            warnings.append(f"{SOURCE}: {spec.name}: key {spec.key!r} is dockui's own (screen keys cannot be "
                            "overridden); skipped")
            continue
        for kname in spec.kinds:
            builtin = registry.base(kname).action_by_key(spec.key)
            taken = next((a for a in per_kind.get(kname, []) if a.key == spec.key), None)
            if taken is not None:
                warnings.append(f"{SOURCE}: {spec.name}: key {spec.key!r} is already used by {taken.spec.name} "
                                f"on {kname}; skipped there")
                continue
            if builtin is not None and not spec.override:
                warnings.append(f"{SOURCE}: {spec.name}: key {spec.key!r} is {builtin.label!r} on {kname} "
                                "(override = true replaces it); skipped there")
                continue
            if builtin is not None:
                replaced.setdefault(kname, set()).add(builtin.id)
            per_kind.setdefault(kname, []).append(to_action(spec, kname))
    for kname in {*registry.extended(), *per_kind}:
        registry.extend(kname, tuple(per_kind.get(kname, ())), frozenset(replaced.get(kname, ())))
    return warnings


def load(config: Any) -> None:
    """Start-up: the config's entries onto the registry, their warnings onto ``config.warnings``."""
    specs, warnings = parse(getattr(config, "commands", None) or [], SOURCE)
    warnings += install(specs)
    config.warnings.extend(warnings)


# --- one row's values ------------------------------------------------------------------------------------
def engine_name(app: Any) -> str:
    """``{engine}`` for rows that do not carry their own: the docker context's name when dockui
    uses one, else the engine's address (``unix:///var/run/docker.sock``, ``tcp://host:2376``)."""
    source = str(getattr(app, "source", "") or "")
    if source.startswith("context "):
        return source[len("context "):]
    return str(getattr(getattr(getattr(app, "client", None), "endpoint", None), "url", "") or "")


def _labels(row: Row) -> Mapping[str, Any]:
    return row.get("Labels") or (row.get("Spec") or {}).get("Labels") or {}


def row_value(f: str, kind: Kind, rid: str, row: Row, engine: str, env: Callable[[], Mapping[str, str]] | None) -> str:
    """The value of field ``f`` for one row (raises ``CommandFailed`` when the row has none)."""
    name, _, param = f.partition(":")
    spec = row.get("Spec") or {}
    if name == "id":
        return str(row.get(kind.id_key) or rid)
    if name == "name":
        return str(row.get("Name") or spec.get("Name") or kind.label(row, rid))
    if name == "image":
        image = row.get("Image") or ((spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}).get("Image")
        if not image and row.get("RepoTags"):
            image = next((t for t in row["RepoTags"] if t and t != "<none>:<none>"), "")
        if not image and kind.name == "images":
            image = str(row.get(kind.id_key) or rid)
        if not image:
            raise CommandFailed(f"{{image}}: {kind.singular} {kind.label(row, rid)} has no image")
        return str(image)
    if name == "project":
        project = row.get("Project") or _labels(row).get("com.docker.compose.project")
        if not project and kind.name == "projects":
            project = row.get("Name") or rid
        if not project:
            raise CommandFailed(f"{{project}}: {kind.singular} {kind.label(row, rid)} is in no compose project")
        return str(project)
    if name == "engine":
        return str(row.get("Engine") or engine)
    if name == "label":
        labels = _labels(row)
        if param not in labels:
            raise CommandFailed(f"{{label:{param}}}: {kind.singular} {kind.label(row, rid)} has no label {param!r}")
        return str(labels[param])
    if name == "env":
        values = env() if env is not None else {}
        if param not in values:
            raise CommandFailed(f"{{env:{param}}}: {kind.singular} {kind.label(row, rid)} has no variable {param!r}")
        return values[param]
    raise CommandFailed(f"unknown field {{{f}}}")


def _substitute(text: str, value: Callable[[str], str]) -> str:
    def one(m: re.Match) -> str:
        if m.group(1) is None:
            return m.group(0)[0]  # {{ -> {, }} -> }
        return value(m.group(1).strip())

    return _FIELD.sub(one, text)


def expand(spec: CustomCommand, kind: Kind, rid: str, row: Row, engine: str,
           env: Callable[[], Mapping[str, str]] | None = None) -> list[str]:
    """The argv for one row: each template argument with its fields substituted (one argument
    stays one argument, whatever the values hold); with ``shell``, ``sh -c SCRIPT`` where every
    value is ``shlex.quote``d."""
    cache: dict[str, str] = {}

    def value(f: str) -> str:
        if f not in cache:
            cache[f] = row_value(f, kind, rid, row, engine, env)
        return shlex.quote(cache[f]) if spec.shell else cache[f]

    if spec.shell:
        return ["sh", "-c", _substitute(spec.command, value)]
    return [_substitute(a, value) for a in spec.args]


def container_env(client: Any, cid: str) -> Callable[[], Mapping[str, str]]:
    """A lazy reader of a container's environment (an inspect, once, when a ``{env:VAR}`` asks)."""
    got: list[dict[str, str]] = []

    def read() -> Mapping[str, str]:
        if not got:
            env = ((client.inspect_container(cid) or {}).get("Config") or {}).get("Env") or []
            got.append(dict(v.partition("=")[::2] for v in env))
        return got[0]

    return read


# --- running: the output view's jobs ---------------------------------------------------------------
class OutputBuffer:
    """What a running command printed, bounded: whole lines (the oldest dropped past ``MAX_LINES``)
    and the line still being written. Written by the job's thread, drained by the UI."""

    def __init__(self, max_lines: int = MAX_LINES) -> None:
        self._lock = threading.Lock()
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._partial = ""
        self._new: deque[str] = deque(maxlen=max_lines)
        self.dropped = 0  # lines dropped before the view drew them (it keeps the last ``max_lines``)
        self.total = 0  # bytes seen
        self.lines = 0  # lines seen

    def write(self, data: bytes) -> None:
        text = self._decoder.decode(data)
        with self._lock:
            self.total += len(data)
            lines = (self._partial + text).split("\n")
            self._partial = lines.pop()[-MAX_LINE:]
            self.lines += len(lines)
            for line in lines:
                if len(self._new) == self._new.maxlen:
                    self.dropped += 1
                self._new.append(line[:MAX_LINE])

    def note(self, line: str) -> None:
        """A line of dockui's own (a header, an exit status): ends a partial line first."""
        with self._lock:
            if self._partial:
                self._new.append(self._partial)
                self._partial = ""
            self._new.append("\x00dockui\x00" + line)

    def drain(self, at_most: int | None = None) -> tuple[list[str], str]:
        """The lines written since the last drain (the newest ``at_most``: the older ones count as
        dropped, but dockui's own lines are always kept), and the partial line (it stays)."""
        with self._lock:
            lines = list(self._new)
            self._new.clear()
            if at_most is not None and len(lines) > at_most:
                own = [ln for ln in lines[:-at_most] if ln.startswith("\x00dockui\x00")]
                self.dropped += len(lines) - at_most - len(own)
                lines = own + lines[-at_most:]
            return lines, self._partial

    def tail(self) -> str:
        lines, partial = self.drain()
        for line in reversed([*lines, partial]):
            if line.strip() and not line.startswith("\x00dockui\x00"):
                return line
        return ""


class Job:
    """One run of a command for one row: ``run(sink)`` (on a thread of its own) returns the exit
    status; ``stop()`` (any thread) ends it early."""

    def __init__(self, title: str, argv: Callable[[], list[str]]) -> None:
        self.title = title
        self._argv = argv
        self.argv: list[str] = []
        self._stop = threading.Event()

    def stop(self) -> threading.Thread | None:
        """End the command; the thread that ends it, if one was started (see :func:`stop_all`)."""
        self._stop.set()
        return None

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def run(self, sink: OutputBuffer) -> int | None:
        raise NotImplementedError


_live: set[Job] = set()  # jobs running now, stopped when dockui quits
_live_lock = threading.Lock()


def stop_all() -> list[threading.Thread]:
    """Quitting: end every command still running (host processes, execs). Returns the threads that
    carry the ends out, for the caller to wait on before the process goes (they are daemons)."""
    with _live_lock:
        jobs = list(_live)
    return [t for t in (j.stop() for j in jobs) if t is not None]


class HostJob(Job):
    """A process on this machine, stdout and stderr captured together (its own process group)."""

    def __init__(self, title: str, argv: Callable[[], list[str]]) -> None:
        super().__init__(title, argv)
        self._proc: subprocess.Popen | None = None

    def stop(self) -> threading.Thread | None:
        super().stop()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            t = threading.Thread(target=_end_process, args=(proc,), name="custom-stop", daemon=True)
            t.start()
            return t
        return None

    def run(self, sink: OutputBuffer) -> int | None:
        self.argv = self._argv()
        try:
            self._proc = proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                                 stderr=subprocess.STDOUT, start_new_session=True)
        except (OSError, ValueError) as exc:
            raise CommandFailed(f"cannot run {one_line(self.argv[0] if self.argv else '', 60)}: "
                                f"{one_line(getattr(exc, 'strerror', None) or str(exc), 120)}") from None
        with _live_lock:
            _live.add(self)
        try:
            if self.stopped:
                self.stop()
            assert proc.stdout is not None
            while True:
                data = proc.stdout.read1(65536)
                if not data:
                    break
                sink.write(data)
            return proc.wait()
        finally:
            with _live_lock:
                _live.discard(self)
            if proc.stdout is not None:
                proc.stdout.close()


def _end_process(proc: subprocess.Popen) -> None:
    """TERM to its process group, KILL two seconds later if it is still there."""
    for sig, wait in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 2.0)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


class ExecJob(Job):
    """A command exec'd in a container (no TTY), its output streamed; stopped by hanging up the
    processes that carry its marker (closing the socket does not end an exec)."""

    def __init__(self, title: str, argv: Callable[[], list[str]], client: Any, container: str) -> None:
        super().__init__(title, argv)
        self.client = client
        self.container = container
        self.marker = uuid.uuid4().hex
        self._stream: Any = None
        self._exec_id = ""

    def stop(self) -> threading.Thread | None:
        super().stop()
        stream = self._stream
        if stream is not None:
            stream.close()
            if self._exec_id:
                t = threading.Thread(target=self._hang_up, name="term-hangup", daemon=True)
                t.start()
                return t
        return None

    def _hang_up(self) -> None:
        from .engine import EngineError
        from .sessions.terminal import hangup_script

        try:
            if self.client.exec_inspect(self._exec_id).get("Running"):
                ex = self.client.exec_create(self.container, ["/bin/sh", "-c", hangup_script(self.marker)])
                self.client.exec_start(ex["Id"])
        except EngineError:
            pass

    def run(self, sink: OutputBuffer) -> int | None:
        self.argv = self._argv()
        client = self.client
        ex = client.exec_create(self.container, self.argv, stdout=True, stderr=True, tty=False,
                                environment=[f"DOCKUI_SESSION={self.marker}"])
        self._exec_id = ex["Id"]
        self._stream = stream = client.exec_start(ex["Id"], stream=True)
        with _live_lock:
            _live.add(self)
        try:
            if self.stopped:
                self.stop()
            for chunk in stream:
                if chunk:
                    sink.write(chunk)
        except OSError:
            if not self.stopped:
                raise
        finally:
            with _live_lock:
                _live.discard(self)
            stream.close()
        if self.stopped:
            return None
        deadline = time.monotonic() + 5
        while True:  # the stream ends a moment before the engine records the exit code
            info = client.exec_inspect(ex["Id"])
            if not info.get("Running") or time.monotonic() > deadline:
                return info.get("ExitCode")
            time.sleep(0.05)


def jobs_for(app: Any, spec: CustomCommand, kind: Kind, targets: Sequence[tuple[str, Row]], engine: str) -> list[Job]:
    """One job per row: argv expanded on the job's thread (``{env:VAR}`` inspects the container)."""
    out: list[Job] = []
    for rid, row in targets:
        title = kind.label(row, rid)
        if spec.where == "host":
            env = container_env(app.client, rid) if spec.needs_inspect else None
            out.append(HostJob(title, lambda rid=rid, row=row, env=env: expand(spec, kind, rid, row, engine, env)))
        else:
            cid = rid
            env = container_env(app.client, cid)
            out.append(ExecJob(title, lambda rid=rid, row=row, env=env: expand(spec, kind, rid, row, engine, env),
                               app.client, cid))
    return out


# --- background: the action runner's callable --------------------------------------------------------------
def background_run(spec: CustomCommand, kind_name: str) -> Callable[[Any, str, Row, str], str]:
    """The runner's callable for ``spec`` on kind ``kind_name``: ``arg`` carries the engine's name."""

    def run(client: Any, rid: str, row: Row, arg: str) -> str:
        from . import kinds as registry

        kind = registry.get(kind_name)
        title = kind.label(row, rid)
        env = container_env(client, rid) if spec.needs_inspect or spec.where == "container" else None
        argv = lambda: expand(spec, kind, rid, row, arg, env)  # noqa: E731
        job: Job = HostJob(title, argv) if spec.where == "host" else ExecJob(title, argv, client, rid)
        sink = OutputBuffer(max_lines=64)
        code = job.run(sink)
        if code == 0:
            return "exited with code 0"
        last = one_line(sink.tail(), 160)
        raise CommandFailed(f"exited with code {code}" + (f": {last}" if last else ""))

    return run


# --- the full terminal (in = "host", terminal = true) --------------------------------------------------------
def run_in_terminal(runs: Sequence[tuple[str, list[str]]]) -> str:
    """While dockui is suspended: each command on the user's own terminal, one after the other,
    then "press enter"; a hang-up or SIGTERM ends the command. Returns a line saying how it ended."""
    if not sys.stdin.isatty():
        raise RuntimeError("standard input is not a terminal")
    from .hangup import stopping_fd

    stopping = stopping_fd()
    out = sys.stdout
    codes: list[str] = []
    # ctrl+c and ctrl+\ are for the command, not for dockui: a handler that does nothing (not
    # SIG_IGN, which the program would inherit; a handler is reset to the default by exec)
    old_int = signal.signal(signal.SIGINT, _ignore)
    old_quit = signal.signal(signal.SIGQUIT, _ignore)
    try:
        for title, argv in runs:
            out.write(f"\r\n[dockui: {one_line(title, 60)}: {one_line(shlex.join(argv), 200)}]\r\n")
            out.flush()
            try:
                proc = subprocess.Popen(argv)
            except (OSError, ValueError) as exc:
                codes.append(f"{title}: cannot run: {one_line(getattr(exc, 'strerror', None) or str(exc), 100)}")
                continue
            while True:
                try:
                    code = proc.wait(0.1)
                    break
                except subprocess.TimeoutExpired:
                    pass
                if stopping is not None and select.select([stopping], [], [], 0)[0]:
                    _end_process_group(proc)
                    return "ended: dockui is stopping"
            codes.append(f"{title}: exited with code {code}")
        out.write("\r\n[dockui: " + "; ".join(one_line(c, 100) for c in codes) + " - press enter to return]")
        out.flush()
        watched = [sys.stdin.fileno()] + ([stopping] if stopping is not None else [])
        ready, _, _ = select.select(watched, [], [])
        if sys.stdin.fileno() in ready:
            os.read(sys.stdin.fileno(), 4096)
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGQUIT, old_quit)
    return "; ".join(codes)


def _ignore(signum: int, frame: Any) -> None:
    """SIGINT/SIGQUIT while a command has the terminal: the command got it too; dockui goes on."""


def _end_process_group(proc: subprocess.Popen) -> None:
    try:
        proc.terminate()
        proc.wait(1.0)
    except subprocess.TimeoutExpired:
        proc.kill()


# --- the screen's side: what a key press on a custom action does ----------------------------------------
def perform(screen: Any, act: Action, targets: list[tuple[str, Row]]) -> None:
    """The resource screen's hook for ``verb="custom"``: ask first (``confirm``, naming the rows),
    then run it where the entry says, on every target (the marked rows, or the focused one)."""
    spec: CustomCommand | None = getattr(act, "spec", None)
    if spec is None or not targets:
        return
    kind = screen.kind_
    engine = engine_name(screen.app)
    if not spec.confirm:
        launch(screen, act, kind, targets, engine)
        return
    from .screens.dialogs import ConfirmScreen

    names = [kind.label(row, rid) for rid, row in targets]
    what = f"{kind.singular} {names[0]}" if len(names) == 1 else \
        f"{len(names)} {kind.name}: " + ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
    where = "in" if spec.where == "container" else "on this machine for"
    question = f"{spec.label}: run {one_line(spec.command, 120)} {where} {what}?"

    def answered(choice: str | None) -> None:
        if choice:
            launch(screen, act, kind, targets, engine)

    screen.app.push_screen(ConfirmScreen(question, {"y": "run it"}), answered)


def launch(screen: Any, act: Action, kind: Kind, targets: list[tuple[str, Row]], engine: str) -> None:
    spec: CustomCommand = act.spec  # type: ignore[attr-defined]
    app = screen.app
    if app.readonly and spec.mutating:  # asked before the dialog too: read-only is checked once more here
        app.notify(f"read-only mode: {spec.label} is disabled", severity="warning", markup=False)
        return
    if spec.background:
        from .messages import RunAction

        screen.post_message(RunAction(kind, act, targets, engine))  # the runner: act.run, bulk, progress
        return
    if spec.pane or (spec.where == "host" and spec.terminal):
        _resolve_then(screen, spec, kind, targets, engine, _open_panes if spec.pane else _hand_over)
        return
    from .screens.output import OutputScreen

    app.push_screen(OutputScreen(spec.label, spec.command, jobs_for(app, spec, kind, targets, engine)))


def _resolve_then(screen: Any, spec: CustomCommand, kind: Kind, targets: list[tuple[str, Row]], engine: str,
                  then: Callable[[Any, CustomCommand, list[tuple[str, str, list[str]]]], None]) -> None:
    """The argv of every target, then ``then(screen, spec, [(id, name, argv)])`` on the UI thread;
    a ``{env:VAR}`` template inspects the containers on a thread first."""
    app = screen.app

    def resolve() -> list[tuple[str, str, list[str]]]:
        out = []
        for rid, row in targets:
            cid = rid
            env = container_env(app.client, cid) if spec.needs_inspect else None
            out.append((cid, kind.label(row, rid), expand(spec, kind, rid, row, engine, env)))
        return out

    def failed(exc: BaseException) -> None:
        why = getattr(exc, "explanation", "") or str(exc) or type(exc).__name__
        app.notify(f"{spec.label}: {one_line(why, 200)}", severity="error", markup=False, timeout=8)

    if not spec.needs_inspect:
        try:
            runs = resolve()
        except Exception as exc:  # noqa: BLE001 - a missing label: said, never raised
            failed(exc)
            return
        then(screen, spec, runs)
        return

    def work() -> None:
        try:
            runs = resolve()
        except Exception as exc:  # noqa: BLE001 - the engine's words, or a missing variable
            app.call_from_thread(failed, exc)
            return
        app.call_from_thread(then, screen, spec, runs)

    threading.Thread(target=work, name="custom-resolve", daemon=True).start()


def _open_panes(screen: Any, spec: CustomCommand, runs: list[tuple[str, str, list[str]]]) -> None:
    for cid, name, argv in runs:
        screen.open_pane("exec", cid, name, argv)


def _hand_over(screen: Any, spec: CustomCommand, runs: list[tuple[str, str, list[str]]]) -> None:
    screen.post_message(HostCommand(spec.label, [(name, argv) for _, name, argv in runs]))


class HostCommand(Message):
    """Screen -> app: run these commands on the user's own terminal (dockui steps aside)."""

    def __init__(self, label: str, runs: list[tuple[str, list[str]]]) -> None:
        super().__init__()
        self.label = label
        self.runs = runs


__all__ = ["CommandFailed", "CustomAction", "CustomCommand", "HostCommand", "OutputBuffer", "engine_name", "expand",
           "install", "load", "parse", "perform", "run_in_terminal", "stop_all"]
