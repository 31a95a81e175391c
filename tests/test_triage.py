"""The "Why?" post-mortem (issue 19 section 1): the pure explanations, then real containers on the
sandbox engine killed by the kernel for memory, stopped, looping on restarts and unhealthy."""

from __future__ import annotations

import time

import pytest

from dockui.store.stats import StatsHub, StatsSample
from dockui.triage import explain, gather, postmortem_text, verdict
from dockui.triage.gather import split_lines
from dockui.triage.report import sections, text

MiB = 1 << 20


def ev(t: float, verb: str, cid: str = "c1", **attrs: str) -> dict:
    return {"Id": f"{t}:{verb}", "Time": t, "Type": "container", "Action": verb, "Verb": verb, "ObjectID": cid,
            "Name": "web", "Attributes": attrs}


def info(status: str = "exited", code: int = 0, **kw) -> dict:
    st = {"Status": status, "ExitCode": code, "Running": status == "running", "OOMKilled": kw.pop("oom", False),
          "Dead": status == "dead", "Restarting": status == "restarting", "Error": kw.pop("error", ""),
          "StartedAt": "2026-12-04T10:00:00.000000000Z", "FinishedAt": "2026-12-04T10:00:05.000000000Z"}
    st.update(kw.pop("state", {}))
    return {"Id": "c1", "Name": "/web", "State": st, "RestartCount": kw.pop("restarts", 0),
            "HostConfig": {"Memory": kw.pop("memory", 0), "RestartPolicy": {"Name": kw.pop("policy", "no")}},
            "Config": {"Image": "dockui/busybox", "Healthcheck": kw.pop("healthcheck", None)}, "Image": "sha256:abc", **kw}


# --- pure explanations ------------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "words"), [
    (0, "normal exit"), (1, "application reported an error"), (2, "application reported an error"),
    (125, "engine could not run"), (126, "not executable"), (127, "not found"),
    (137, "signal 9 (SIGKILL)"), (143, "signal 15 (SIGTERM)"), (139, "signal 11 (SIGSEGV)"), (134, "signal 6 (SIGABRT)"),
])
def test_exit_codes_are_explained(code: int, words: str) -> None:
    assert words in explain.explain_exit(code)


def test_oom_is_the_kernel_out_of_memory() -> None:
    assert explain.explain_exit(137, oom=True) == "killed by the kernel: out of memory"
    assert verdict(info(code=137, oom=True, memory=64 * MiB)) == "OOM killed, limit 64 MiB"
    assert "the kernel" in explain.signal_source([ev(1, "start"), ev(2, "oom"), ev(3, "die", exitCode="137")], 137)


def test_an_oom_event_counts_before_the_engine_sets_oomkilled() -> None:
    evs = [ev(1, "start"), ev(2, "oom"), ev(2.1, "die", exitCode="137")]
    assert verdict(info(code=137, memory=8 * MiB), evs) == "OOM killed, limit 8 MiB"
    assert verdict(info("running", state={"Running": True}), evs + [ev(3, "start")]) == "running"


def test_who_sent_the_signal() -> None:
    stop = [ev(1, "start"), ev(5, "kill", signal="15"), ev(5.2, "die", exitCode="143"), ev(5.3, "stop")]
    assert explain.signal_source(stop, 143) == "someone ran stop (SIGTERM)"
    assert verdict(info(code=143), stop) == "SIGTERM by a stop (exit 143)"
    slow = [ev(1, "start"), ev(5, "kill", signal="15"), ev(15, "kill", signal="9"), ev(15.1, "die", exitCode="137"),
            ev(15.2, "stop")]
    assert "SIGTERM, then SIGKILL after the stop timeout" in explain.signal_source(slow, 137)
    kill = [ev(1, "start"), ev(5, "kill", signal="9"), ev(5.1, "die", exitCode="137")]
    assert explain.signal_source(kill, 137) == "someone ran kill (SIGKILL)"
    assert verdict(info(code=137), kill) == "killed: SIGKILL by a kill (exit 137)"
    # a signal that did not come through the engine; and an earlier run's stop does not count
    inside = [ev(1, "start"), ev(2, "kill", signal="15"), ev(3, "die", exitCode="143"), ev(4, "start"),
              ev(9, "die", exitCode="139")]
    assert explain.signal_source(inside, 139).startswith("not the engine")
    assert verdict(info(code=139), inside) == "exit 139: SIGSEGV"


def test_restart_loop_from_events() -> None:
    now = 1000.0
    evs = [ev(now - 400, "create"), ev(now - 400, "start")]
    for i in range(7):
        t = now - 360 + i * 30
        evs += [ev(t, "die", exitCode="1"), ev(t + 1, "start")]
    loop = explain.restart_loop(evs, now)
    assert loop is not None and loop.restarts == 7
    assert loop.sentence() == "restarted 7 times in the last 10 minutes, every ~30 s, exit 1 each time"
    assert verdict(info("restarting", 1, restarts=7, policy="always"), evs, now=now) == "exit 1, 7 restarts in 10 min"
    # restarts a human asked for are no loop; neither are two
    asked = [ev(now - 50, "start")] + [e for i in range(4) for e in (ev(now - 40 + i * 5, "die", exitCode="0"),
                                                                    ev(now - 40 + i * 5, "restart"), ev(now - 39 + i * 5, "start"))]
    assert explain.restart_loop(asked, now) is None
    assert explain.restart_loop(evs[:6], now) is None


def test_a_restart_count_without_the_events_is_still_a_loop() -> None:
    # dockerd keeps its last 256 events for since= queries: on a busy engine a loop's history is gone
    evs = [ev(990, "start"), ev(993, "die", exitCode="1")]
    doc = info("restarting", 1, restarts=44, policy="always")
    assert verdict(doc, evs, now=1000.0) == "exit 1, 44 restarts"
    loop = explain.restart_loop(evs, 1000.0, 44, True)
    assert loop is not None and "restarted 44 times since it was last started by hand" in loop.sentence()
    assert explain.restart_loop(evs, 1000.0, 2, True) is None


def test_unhealthy_names_its_probe() -> None:
    hc = {"Test": ["CMD-SHELL", "wget -q localhost"], "Interval": 5_000_000_000, "Retries": 2}
    doc = info("running", state={"Health": {"Status": "unhealthy", "FailingStreak": 3, "Log": [
        {"Start": "2026-12-04T10:00:01.0Z", "End": "2026-12-04T10:00:01.1Z", "ExitCode": 1,
         "Output": "wget: can't connect: Connection refused\n"}]}}, healthcheck=hc)
    assert verdict(doc) == "unhealthy: probe exit 1: wget: can't connect: Connection refused"
    h = explain.health(doc)
    assert h is not None and h.test == "wget -q localhost" and h.interval == 5 and h.retries == 2


def test_dead_and_engine_errors() -> None:
    assert verdict(info("dead", error="driver failed programming external connectivity")) == \
        "dead: driver failed programming external connectivity"
    assert verdict(info(code=127, error='exec: "nope": executable file not found in $PATH')).startswith(
        "exit 127: command not found")


def test_states_seen_on_a_busy_engine() -> None:
    # a container being removed is not "dead"; a stopped one keeps its last health, which is no reason;
    # 255 is no signal (128 + 127)
    assert verdict(info("removing", 1, state={"Dead": True})) == "being removed"
    hc = {"Test": ["CMD-SHELL", "false"]}
    stopped = info(code=143, healthcheck=hc, state={"Health": {"Status": "unhealthy", "Log": [{"ExitCode": 1, "Output": "x"}]}})
    assert verdict(stopped) == "exit 143: SIGTERM"
    assert verdict(info(code=255)) == "exit 255"
    assert "abnormally" in explain.explain_exit(255)


def test_escape_sequences_in_engine_text_stay_inert() -> None:
    nasty = "\x1b]52;c;aGk=\x07\x1b[2J[bold red]boom[/]\x1b]0;title\x07"
    doc = info("dead", error=nasty, Name="/" + nasty)
    line = verdict(doc)
    assert "\x1b" not in line and "\x07" not in line and "[bold red]boom[/]" in line
    lines = split_lines([(1, b"ok\n"), (2, nasty.encode() + b"\n")])
    assert lines[1][0] == 2 and "\x1b" not in lines[1][1]


def test_log_pieces_become_lines_per_stream() -> None:
    got = split_lines([(1, b"hel"), (2, b"err one\nerr"), (1, b"lo\nworld"), (2, b" two\n")])
    assert got == [(2, "err one"), (1, "hello"), (2, "err two"), (1, "world")]


# --- real containers on the sandbox engine ----------------------------------------------------------

def wait_for(fn, timeout: float = 30.0, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(every)


def state(client, cid: str) -> dict:
    return client.inspect_container(cid)["State"]


def test_oom_killed_container_says_out_of_memory(client, make_container) -> None:
    # 16 MiB, not 8: under load runc's own start-up was seen to pass 8 MiB ("unable to set memory limit")
    hc = client.create_host_config(mem_limit="16m", memswap_limit="16m")
    hub = StatsHub(client.clone())
    cid = make_container("while [ ! -e /tmp/go ]; do sleep 0.1; done; x=$(head -c 50000000 /dev/zero | tr \\\\0 a); echo survived",
                         host_config=hc)
    try:
        hub.want([cid])
        assert wait_for(lambda: hub.latest(cid) is not None, 60)  # dockui saw its memory while it ran
        client.exec_start(client.exec_create(cid, ["touch", "/tmp/go"])["Id"])
        assert wait_for(lambda: not state(client, cid)["Running"], 60)
        wait_for(lambda: state(client, cid)["OOMKilled"], 10)  # the engine's oom notice may come after the exit
    finally:
        hub.close()
    st = state(client, cid)
    assert st["OOMKilled"] is True, st  # cgroup v1 here: the kernel's kill is recorded
    out = postmortem_text(client, cid, hub)
    assert "OOM killed, limit 16 MiB" in out
    assert "killed by the kernel: out of memory" in out
    assert "the kernel (an oom event" in out
    assert "last memory dockui saw:" in out  # the samples taken while it slept
    assert "survived" not in out


def test_docker_stop_is_sigterm_by_a_stop(client, make_container) -> None:
    cid = make_container("trap 'exit 143' TERM; while :; do sleep 0.1; done")
    assert wait_for(lambda: state(client, cid)["Running"])
    time.sleep(0.3)
    client.stop(cid, timeout=20)
    ev = gather(client, cid)
    assert ev.info["State"]["ExitCode"] == 143
    assert verdict(ev.info, ev.events, now=ev.now) == "SIGTERM by a stop (exit 143)"
    out = text(ev)
    assert "exit 143: killed by signal 15 (SIGTERM)" in out
    assert "signal sent by: someone ran stop (SIGTERM)" in out


def test_stop_timeout_is_sigterm_then_sigkill(client, make_container) -> None:
    cid = make_container(["sleep", "600"])  # PID 1 ignores SIGTERM
    assert wait_for(lambda: state(client, cid)["Running"])
    time.sleep(0.5)  # sleep runs (a stop in the moment it starts ends it otherwise)
    client.stop(cid, timeout=1)
    ev = gather(client, cid)
    assert verdict(ev.info, ev.events, now=ev.now) == "stopped: SIGTERM, then SIGKILL after the timeout (exit 137)"


def test_restart_loop_is_called_a_loop_with_its_count(client, make_container) -> None:
    cid = make_container("echo starting; echo 'no config' >&2; exit 1",
                         host_config=client.create_host_config(restart_policy={"Name": "always"}))
    assert wait_for(lambda: client.inspect_container(cid)["RestartCount"] >= 4, 60)
    ev = gather(client, cid)
    v = verdict(ev.info, ev.events, now=ev.now)
    n = int(v.split(", ")[1].split()[0])
    assert v.startswith("exit 1, ") and v.endswith(" restarts in 10 min") and 4 <= n <= ev.info["RestartCount"] + 1, v
    out = text(ev)
    assert f"restart loop: restarted {n} times in the last 10 minutes" in out
    assert "exit 1 each time" in out
    assert "restart policy: always" in out
    assert "err| no config" in out and "out| starting" in out


def test_unhealthy_container_shows_its_probe_output(client, make_container) -> None:
    hc = {"Test": ["CMD-SHELL", "echo 'dial tcp 127.0.0.1:80: connection refused'; exit 1"],
          "Interval": 500_000_000, "Timeout": 2_000_000_000, "Retries": 1}
    cid = make_container(["sleep", "600"], healthcheck=hc)
    assert wait_for(lambda: (state(client, cid).get("Health") or {}).get("Status") == "unhealthy", 60)
    ev = gather(client, cid)
    assert verdict(ev.info, ev.events, now=ev.now) == "unhealthy: probe exit 1: dial tcp 127.0.0.1:80: connection refused"
    out = text(ev)
    assert "test: echo 'dial tcp 127.0.0.1:80: connection refused'; exit 1" in out
    assert "exit 1  dial tcp 127.0.0.1:80: connection refused" in out
    assert "interval: 0.5 s" in out and "retries: 1" in out


def test_postmortem_of_a_missing_container_raises_not_found(client) -> None:
    from dockui.engine import NotFound

    with pytest.raises(NotFound):
        postmortem_text(client, "dockui-t-no-such-container")


def test_sections_carry_each_part(client, make_container) -> None:
    cid = make_container("echo done; exit 2")
    assert wait_for(lambda: not state(client, cid)["Running"])
    secs = {s.title: s for s in sections(gather(client, cid))}
    assert set(secs) >= {"Why", "State", "Restarts", "Health", "Image", "Last log lines before it stopped",
                         "Events of the last hour"}
    assert secs["Why"].lines[0][0] == "exit 2: application error"
    assert any("die" in line and "exitCode=2" in line for line, _ in secs["Events of the last hour"].lines)
    assert "the tag still points to the image it ran" in [line for line, _ in secs["Image"].lines]


def test_sample_type_is_what_memory_reads() -> None:
    s = StatsSample(t=1.0, cpu=0, mem=5 * MiB, mem_limit=8 * MiB, mem_pct=62.5, net_rx=0, net_tx=0, blk_r=0, blk_w=0, pids=1)
    assert explain.memory(info(memory=8 * MiB), [s]) == (8 * MiB, 5 * MiB, 5 * MiB)


# --- the REASON column's fetcher and the header's restart-loop count ---------------------------------

def raw(t: float, verb: str, cid: str = "a") -> dict:
    return {"Type": "container", "Action": verb, "status": verb, "id": cid, "Actor": {"ID": cid, "Attributes": {}}, "time": t}


def test_restart_loops_are_counted_from_raw_events() -> None:
    from dockui.triage.reasons import restart_loops

    now = 10_000.0
    evs = [raw(now - 700, "die", "old"), raw(now - 699, "start", "old")] * 5  # outside the ten minutes
    evs += [raw(now - 100, "start")]
    for i in range(3):
        evs += [raw(now - 90 + i, "die"), raw(now - 89.5 + i, "start")]
    for i in range(4):  # someone ran restart: no loop
        evs += [raw(now - 50 + i, "die", "b"), raw(now - 50 + i, "restart", "b"), raw(now - 49.5 + i, "start", "b")]
    evs += [raw(now - 10, "die", "c"), raw(now - 9, "start", "c")]  # once is no loop
    assert restart_loops(evs, now) == {"a"}


def test_reasons_are_fetched_off_the_caller_and_cached(client, make_container) -> None:
    from dockui.triage.reasons import PENDING, Reasons

    cid = make_container("exit 4")
    assert wait_for(lambda: not state(client, cid)["Running"])
    published: list[list[str]] = []
    r = Reasons(client.clone(), publish=published.append)
    t0 = time.perf_counter()
    assert r.cell(cid, "exited(4)") == PENDING  # never waits: the fetch runs on its own thread
    assert time.perf_counter() - t0 < 0.05
    assert wait_for(lambda: published, 30) and published[0] == [cid]
    assert r.cell(cid, "exited(4)") == "exit 4: application error"
    rounds = r.rounds
    for _ in range(100):  # same state: served from the cache, no engine call
        r.cell(cid, "exited(4)")
    time.sleep(0.3)
    assert r.rounds == rounds
