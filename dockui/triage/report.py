"""The full post-mortem as sections of (text, style) lines: the screen turns each line into a
``rich.text.Text`` (never markup), ``text`` joins them as plain text. Pure: reads an ``Evidence``."""

from __future__ import annotations

import time
from dataclasses import dataclass

from .. import format as fmt
from ..ansi import one_line
from ..kinds.events import key_attributes
from .explain import explain_exit, health, memory, oom_killed, restart_loop, signal_source, size, verdict, when
from .gather import Evidence

Line = tuple[str, str]  # (text, style)


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[Line, ...]


def clock(t: float | None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(t)) if t else "-"


def stamp(t: float | None, now: float) -> str:
    if not t:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) + f" ({fmt.age(t, now)} ago)"


def name(ev: Evidence) -> str:
    return one_line(str(ev.info.get("Name") or ev.rid[:12]).lstrip("/"), 80)


def why(ev: Evidence) -> Section:
    info, now = ev.info, ev.now
    st = info.get("State") or {}
    code = st.get("ExitCode")
    oom = oom_killed(info, ev.events)
    status = str(st.get("Status") or "?")
    lines: list[Line] = [(verdict(info, ev.events, ev.samples, now), "bold")]
    if not st.get("Running") or st.get("Restarting"):
        lines.append((explain_exit(code if isinstance(code, int) else None, oom, str(st.get("Error") or "")), ""))
        who = signal_source(ev.events, code if isinstance(code, int) else None, oom)
        if who:
            lines.append((f"signal sent by: {who}", ""))
    else:
        lines.append((f"it is {status} now" + (f"; its last exit code was {code}" if code else ""), ""))
    if oom or ev.samples:
        limit, last, peak = memory(info, ev.samples)
        if oom:
            lines.append((f"memory limit: {size(limit) if limit else 'none (the host ran out)'}", ""))
        if last is not None:
            s = ev.samples[-1]
            lines.append((f"last memory dockui saw: {size(last)} at {clock(s.t)}, peak {size(peak)}"
                          + (f" of {size(s.mem_limit)}" if s.mem_limit else ""), ""))
        elif oom:
            lines.append(("dockui saw no memory figures for it (its stats were not followed while it ran)", "dim"))
    err = one_line(str(st.get("Error") or ""), 300)
    if err:
        lines.append((f"engine error: {err}", "red"))
    return Section("Why", tuple(lines))


def state(ev: Evidence) -> Section:
    info, now = ev.info, ev.now
    st = info.get("State") or {}
    started, finished = when(st.get("StartedAt")), when(st.get("FinishedAt"))
    lines: list[Line] = [
        (f"state: {one_line(str(st.get('Status') or '?'), 40)}   exit code: {st.get('ExitCode')}   "
         f"OOM killed: {'yes' if st.get('OOMKilled') else 'no'}", ""),
        (f"created:  {stamp(when(info.get('Created')), now)}", ""),
        (f"started:  {stamp(started, now)}", ""),
        (f"finished: {stamp(finished, now) if finished and not st.get('Running') else '-'}", ""),
    ]
    if started and finished and finished >= started and not st.get("Running"):
        lines.append((f"last run lasted {fmt.human_duration(finished - started).lower()}", "dim"))
    return Section("State", tuple(lines))


def restarts(ev: Evidence) -> Section:
    info = ev.info
    st = info.get("State") or {}
    pol = (info.get("HostConfig") or {}).get("RestartPolicy") or {}
    pname = one_line(str(pol.get("Name") or "no"), 30)
    if pname == "on-failure" and pol.get("MaximumRetryCount"):
        pname += f" (at most {pol.get('MaximumRetryCount')} retries)"
    count = int(info.get("RestartCount") or 0)
    lines: list[Line] = [(f"restart policy: {pname}   restart count: {count}", "")]
    loop = restart_loop(ev.events, ev.now, count, bool(st.get("Restarting")))
    if loop is not None:
        lines.append((f"restart loop: {loop.sentence()}", "bold red"))
    else:
        lines.append(("no restart loop in the last 10 minutes", "dim"))
    return Section("Restarts", tuple(lines))


def probes(ev: Evidence) -> Section:
    h = health(ev.info)
    if h is None:
        return Section("Health", (("no health check", "dim"),))
    style = {"unhealthy": "bold red", "healthy": "green", "starting": "yellow"}.get(h.status, "")
    lines: list[Line] = [(f"status: {h.status or '-'}   failing streak: {h.streak}", style),
                         (f"test: {h.test}", ""),
                         (f"interval: {_dur(h.interval)}   timeout: {_dur(h.timeout)}   retries: {h.retries or '-'}", "")]
    if not h.probes:
        lines.append(("no probes recorded yet", "dim"))
    for p in h.probes[-5:]:
        lines.append((f"{clock(p.start)}  exit {p.exit_code}  {p.output or '(no output)'}",
                      "red" if p.exit_code else ""))
    return Section("Health", tuple(lines))


def _dur(s: float | None) -> str:
    if not s:
        return "-"
    return f"{s:g} s" if s < 120 else f"{s / 60:g} min"


def image(ev: Evidence) -> Section:
    info = ev.info
    tag = one_line(str((info.get("Config") or {}).get("Image") or "?"), 120)
    ran = str(info.get("Image") or "")
    lines: list[Line] = [(f"image: {tag}   ran: {ran.removeprefix('sha256:')[:12]}", "")]
    if ev.image_now is None:
        lines.append((f"the tag {tag} no longer exists on this engine", "yellow"))
    elif ev.image_now and ev.image_now != ran:
        lines.append((f"the tag {tag} now points elsewhere: {ev.image_now.removeprefix('sha256:')[:12]}", "yellow"))
    elif ev.image_now:
        lines.append(("the tag still points to the image it ran", "dim"))
    if "image" in ev.notes:
        lines.append((f"image lookup failed: {ev.notes['image']}", "dim"))
    return Section("Image", tuple(lines))


def logs(ev: Evidence) -> Section:
    st = ev.info.get("State") or {}
    title = "Last log lines" + ("" if st.get("Running") else " before it stopped")
    if "logs" in ev.notes:
        return Section(title, ((f"logs could not be read: {ev.notes['logs']}", "dim"),))
    if not ev.logs:
        return Section(title, (("(no output)", "dim"),))
    return Section(title, tuple((("err| " if s == 2 else "out| ") + line, "red" if s == 2 else "") for s, line in ev.logs))


def events(ev: Evidence) -> Section:
    lines: list[Line] = []
    recent = [e for e in ev.events if (e.get("Time") or 0) >= ev.now - 3600]
    for e in recent[-60:]:
        verb = str(e.get("Verb") or "")
        style = {"die": "red", "kill": "red", "oom": "bold red", "start": "green"}.get(verb, "")
        attrs = key_attributes(e)
        lines.append((f"{clock(e.get('Time'))}  {one_line(str(e.get('Action') or ''), 40)}" + (f"  {attrs}" if attrs else ""),
                      style))
    if len(recent) > 60:
        lines.insert(0, (f"({len(recent) - 60} earlier events not shown)", "dim"))
    if not lines:
        lines.append(("no events in the last hour", "dim"))
    if "events" in ev.notes:
        lines.append((f"events could not be read: {ev.notes['events']}", "dim"))
    return Section("Events of the last hour", tuple(lines))


def sections(ev: Evidence) -> list[Section]:
    return [why(ev), state(ev), restarts(ev), probes(ev), image(ev), logs(ev), events(ev)]


def text(ev: Evidence) -> str:
    """The whole post-mortem as plain text (an incident bundle's ``why.txt``)."""
    out = [f"Post-mortem of container {name(ev)} ({ev.rid[:12]}) at {stamp(ev.now, ev.now).split(' (')[0]}"]
    for sec in sections(ev):
        out.append("")
        out.append(f"== {sec.title} ==")
        out.extend(line for line, _ in sec.lines)
    return "\n".join(out) + "\n"


__all__ = ["Line", "Section", "sections", "text"]
