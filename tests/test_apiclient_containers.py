"""Containers and exec: each documented call run through docker-py's ``APIClient`` and dockui's
``EngineClient`` on the sandbox engine, with the answers and the engine's resulting state compared
(see ``tests/apiclient_compare.py``); plus the configuration types and the argument conversions as
pure units. Every container made carries the run's unique name and is removed."""

from __future__ import annotations

import contextlib
import io
import json
import re
import tarfile
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from .apiclient_compare import CLIENTS, Scenarios, Side, make_api, raises
from .conftest import IMAGE, engine_host

scenario = Scenarios()
_SHORT = re.compile(r"\b[0-9a-f]{12}\b")


@contextlib.contextmanager
def _cleanup(*names: str, images: tuple[str, ...] = ()):
    try:
        yield
    finally:
        oracle = make_api("docker-py", engine_host())
        for n in names:
            with contextlib.suppress(Exception):
                oracle.remove_container(n, force=True, v=True)
        for i in images:
            with contextlib.suppress(Exception):
                oracle.remove_image(i, force=True)


def _oracle(side: Side) -> Any:
    return make_api("docker-py", side.host)


def _wait_running(side: Side, cid: Any) -> None:
    deadline = time.monotonic() + 10
    while not _oracle(side).inspect_container(cid)["State"]["Running"] and time.monotonic() < deadline:
        time.sleep(0.05)


def _config_of(doc: dict) -> dict:
    cfg = doc["Config"]
    keep = ("Hostname", "User", "Env", "Cmd", "Entrypoint", "WorkingDir", "Labels", "ExposedPorts", "Volumes",
            "Healthcheck", "StopSignal", "StopTimeout", "Tty", "OpenStdin", "StdinOnce", "AttachStdin",
            "AttachStdout", "AttachStderr", "Domainname")
    out = {k: cfg.get(k) for k in keep}
    out["Env"] = sorted(e for e in cfg.get("Env") or [] if not e.startswith("PATH="))
    hc = doc["HostConfig"]
    hkeep = ("Binds", "PortBindings", "Memory", "MemoryReservation", "RestartPolicy", "Ulimits", "LogConfig",
             "CapAdd", "CapDrop", "Dns", "ExtraHosts", "Privileged", "ReadonlyRootfs", "Tmpfs", "Sysctls",
             "ShmSize", "NetworkMode", "PidsLimit", "CpuShares", "GroupAdd", "Init", "AutoRemove", "OomScoreAdj",
             "PublishAllPorts", "SecurityOpt", "NanoCpus", "CpuPeriod", "CpuQuota", "Links")
    out["HostConfig"] = {k: hc.get(k) for k in hkeep}
    return out


# ------------------------------------------------------------------------------------ creating
@scenario
def create_with_conversions(side: Side, name: str) -> dict:
    """String command, environment dict, label list, int user, healthcheck string, ports, volumes,
    a full host config: what the engine stored."""
    api = side.api
    with _cleanup(name, name + "-peer"):
        peer = api.create_container(IMAGE, "sleep 600", name=name + "-peer")
        hc = api.create_host_config(
            binds={"/tmp": {"bind": "/hosttmp", "mode": "ro"}}, port_bindings={80: None, "53/udp": ("127.0.0.1", None)},
            mem_limit="64m", mem_reservation="32m", restart_policy={"Name": "on-failure", "MaximumRetryCount": 3},
            ulimits=[side.types.Ulimit(name="nofile", soft=1024, hard=2048)],
            log_config=side.types.LogConfig(type="json-file", config={"max-size": "1m"}),
            cap_add=["NET_ADMIN"], cap_drop=["MKNOD"], dns=["1.1.1.1"], extra_hosts={"dkhost": "10.9.9.9"},
            read_only=False, tmpfs=["/run/t:size=1m"], sysctls={"net.ipv4.ip_forward": 1}, shm_size="16m",
            pids_limit=64, cpu_shares=512, group_add=[100], init=True, oom_score_adj=5, links={name + "-peer": "pal"},
            security_opt=["no-new-privileges"], nano_cpus=500000000)
        made = api.create_container(
            IMAGE, 'sh -c "echo \'quoted arg\'; sleep 600"', name=name, hostname="dkhost", user=0,
            environment={"A": "1", "B": "two words", "EMPTY": None}, labels=["dockui.test", "flag"],
            healthcheck={"test": "true", "interval": 1_000_000_000, "retries": 2}, ports=[80, (53, "udp")],
            volumes=["/data"], working_dir="/tmp", stop_signal="SIGUSR1", stop_timeout=3, host_config=hc,
            domainname="example.test", entrypoint=None)
        doc = api.inspect_container(made)
        same = api.inspect_container(made["Id"])["Id"] == api.inspect_container(name)["Id"] == doc["Id"]
        peer_doc = api.inspect_container(peer)
    return {"keys": sorted(made), "warnings": made.get("Warnings"), "same": same, "config": _config_of(doc),
            "name": doc["Name"], "peer_state": peer_doc["State"]["Status"]}


@scenario
def create_from_config_and_networking(side: Side, name: str) -> dict:
    api = side.api
    oracle = _oracle(side)
    with _cleanup(name, name + "-b"):
        oracle.create_network(name, labels={"dockui.test": "1"})
        try:
            cfg = api.create_container_config(IMAGE, ["sleep", "600"], labels={"dockui.test": "1"}, detach=True,
                                              stdin_open=True, tty=True)
            made = api.create_container_from_config(cfg, name=name + "-b")
            netcfg = api.create_networking_config({name: api.create_endpoint_config(aliases=["dk-alias"])})
            made2 = api.create_container(IMAGE, ["sleep", "600"], name=name, networking_config=netcfg,
                                         host_config=api.create_host_config(network_mode=name))
            nets = api.inspect_container(made2)["NetworkSettings"]["Networks"]
            cfg_doc = _config_of(api.inspect_container(made))
            cfg_doc.pop("Hostname")  # the container's short id when none is given
        finally:
            with contextlib.suppress(Exception):
                oracle.remove_container(name, force=True)
            with contextlib.suppress(Exception):
                oracle.remove_network(name)
    return {"config": {k: v for k, v in cfg.items() if k != "Image"}, "stored": cfg_doc,
            "networks": sorted(nets), "aliases": sorted(a for a in nets[name]["Aliases"] if a == "dk-alias"),
            "keys": sorted(made)}


# ------------------------------------------------------------------------------------ lifecycle
@scenario
def lifecycle_with_the_create_dict(side: Side, name: str) -> dict:
    """Every lifecycle call given the dict create_container returned."""
    api = side.api
    seen: dict[str, Any] = {}
    with _cleanup(name, name + "-renamed"):
        c = api.create_container(IMAGE, ["sleep", "600"], name=name, labels={"dockui.test": "1"})

        def status() -> str:
            return _oracle(side).inspect_container(c["Id"])["State"]["Status"]

        seen["start"] = api.start(c)
        seen["after_start"] = status()
        seen["pause"] = api.pause(c)
        seen["after_pause"] = status()
        seen["unpause"] = api.unpause(c)
        seen["after_unpause"] = status()
        seen["rename"] = api.rename(c, name + "-renamed")
        seen["renamed"] = _oracle(side).inspect_container(c["Id"])["Name"]
        seen["restart"] = api.restart(c, timeout=1)
        seen["after_restart"] = status()
        seen["stop"] = api.stop(c, timeout=1)
        seen["after_stop"] = status()
        seen["start_again"] = api.start(container=c)
        seen["kill"] = api.kill(c, signal="SIGKILL")
        seen["wait"] = api.wait(c, timeout=20)
        seen["after_kill"] = status()
        seen["kill_stopped"] = raises(lambda: api.kill(c))
        seen["remove"] = api.remove_container(c, v=True)
        seen["gone"] = raises(lambda: api.inspect_container(c))
    return seen


@scenario
def kill_with_int_signal_and_wait_conditions(side: Side, name: str) -> dict:
    api = side.api
    with _cleanup(name):
        c = api.create_container(IMAGE, ["sh", "-c", "trap 'exit 7' USR1; while true; do sleep 0.1; done"], name=name)
        api.start(c)
        _wait_running(side, c)
        time.sleep(0.3)
        api.kill(c, signal=10)  # SIGUSR1
        first = api.wait(c, timeout=20)
        api.start(c)
        _wait_running(side, c)
        api.kill(c, "SIGKILL")
        second = api.wait(c, timeout=20, condition="not-running")
        api.remove_container(c)
    return {"first": first, "second": second}


@scenario
def wait_condition_removed(side: Side, name: str) -> dict:
    api = side.api
    with _cleanup(name):
        c = api.create_container(IMAGE, ["true"], name=name,
                                 host_config=api.create_host_config(auto_remove=True))
        import threading

        out: dict[str, Any] = {}

        def waiter() -> None:
            out["wait"] = api.wait(c, timeout=20, condition="removed")

        t = threading.Thread(target=waiter)
        t.start()
        time.sleep(0.3)
        api.start(c)
        t.join(25)
        out["gone"] = raises(lambda: api.inspect_container(name))
    return out


@scenario
def list_containers(side: Side, name: str) -> dict:
    api = side.api
    with _cleanup(name + "-a", name + "-b"):
        a = api.create_container(IMAGE, ["sleep", "600"], name=name + "-a", labels={"dkapi": name})
        api.start(a)
        b = api.create_container(IMAGE, ["true"], name=name + "-b", labels={"dkapi": name})
        flt = {"label": f"dkapi={name}"}

        def names(rows: list[dict]) -> list[str]:
            return sorted(n for r in rows for n in r.get("Names", []))

        out = {
            "default_running_only": names(api.containers(filters=flt)),
            "all": names(api.containers(all=True, filters=flt)),
            "quiet": sorted(api.containers(quiet=True, all=True, filters=flt), key=lambda r: r["Id"]) ==
            sorted([{"Id": a["Id"]}, {"Id": b["Id"]}], key=lambda r: r["Id"]),
            "trunc": sorted(r["Id"] for r in api.containers(trunc=True, all=True, filters=flt)) ==
            sorted([a["Id"][:12], b["Id"][:12]]),
            "latest": names(api.containers(latest=True, all=True, filters=flt)),
            "limit": len(api.containers(limit=1, all=True, filters=flt)),
            "since": names(api.containers(all=True, since=a["Id"], filters=flt)),
            "before": names(api.containers(all=True, before=b["Id"], filters=flt)),
            "size": "SizeRw" in api.containers(size=True, all=True, filters=flt)[0],
            "status_filter": names(api.containers(all=True, filters={**flt, "status": "created"})),
            "list_filter": names(api.containers(all=True, filters={"label": [f"dkapi={name}"], "name": [name + "-a"]})),
        }
        row = api.containers(filters=flt)[0]
        out["row_keys"] = sorted(row)
        out["row"] = {k: row[k] for k in ("Image", "Command", "State", "Labels")}
    return out


# ------------------------------------------------------------------------------------ output
@scenario
def logs_in_every_shape(side: Side, name: str) -> dict:
    api = side.api
    with _cleanup(name, name + "-tty"):
        c = api.create_container(IMAGE, ["sh", "-c", "echo out1; sleep 0.3; echo err1 >&2; sleep 1.2; echo out2"], name=name)
        t0 = int(time.time())
        api.start(c)
        api.wait(c, timeout=20)
        later = datetime.now(timezone.utc) + timedelta(hours=1)
        out = {
            "plain": api.logs(c),
            "stdout": api.logs(c, stderr=False),
            "stderr": api.logs(c, stdout=False),
            "tail": api.logs(c, tail=1),
            "tail_bad": api.logs(c, tail=-3),
            "stream": sorted(api.logs(c, stream=True)),
            "stream_nofollow": b"".join(api.logs(c, stream=True, follow=False)),
            "next": next(api.logs(c, stream=True, follow=False)),
            "since_future": api.logs(c, since=later),
            "since_int": api.logs(c, since=t0 - 60),
            "since_float": api.logs(c, since=float(t0 - 60)),
            "until_past": api.logs(c, until=t0 - 60),
            "until_dt": api.logs(c, until=later),
            "bad_since": raises(lambda: api.logs(c, since="yesterday")),
            "bad_until": raises(lambda: api.logs(c, until=-1)),
            "old_until": raises(lambda: side.other_version("1.34").logs(c, until=t0)),
        }
        stamped = api.logs(c, timestamps=True).decode().splitlines()
        out["timestamps"] = [re.sub(r"^\S+ ", "<ts> ", line) for line in stamped]
        t = api.create_container(IMAGE, ["sh", "-c", "echo tty-out; echo tty-err >&2"], name=name + "-tty", tty=True)
        api.start(t)
        api.wait(t, timeout=20)
        out["tty"] = api.logs(t)
        out["tty_stream"] = b"".join(api.logs(t, stream=True))
    return out


@scenario
def attach_output(side: Side, name: str) -> dict:
    api = side.api
    out: dict[str, Any] = {}
    with _cleanup(name):
        script = "sleep 1; echo a-out; echo a-err >&2"
        c = api.create_container(IMAGE, ["sh", "-c", script], name=name)
        api.start(c)
        out["plain"] = api.attach(c)
        api.start(c)
        out["demux"] = api.attach(c, demux=True)
        api.start(c)
        out["stdout_only"] = api.attach(c, stderr=False, logs=False)
        api.start(c)
        stream = api.attach(c, stream=True, demux=True)
        out["stream_demux"] = sorted(list(stream), key=repr)
        api.start(c)
        out["stream"] = b"".join(sorted(api.attach(c, stream=True)))
        out["stopped"] = raises(lambda: api.attach(c, logs=True))
    return out


@scenario
def stats_top_diff_port(side: Side, name: str) -> dict:
    api = side.api
    with _cleanup(name):
        c = api.create_container(IMAGE, ["sh", "-c", "touch /made-here; rm /bin/true; sleep 600"], name=name,
                                 ports=[80, (81, "udp")],
                                 host_config=api.create_host_config(port_bindings={80: ("127.0.0.1", None), "81/udp": None}))
        api.start(c)
        _wait_running(side, c)
        time.sleep(0.5)
        one = api.stats(c, stream=False)
        one_shot = api.stats(c, stream=False, one_shot=True)
        stream = api.stats(c, decode=True)
        first = next(stream)
        with contextlib.suppress(Exception):
            stream.close()
        raw = api.stats(c)
        chunk = next(raw)
        with contextlib.suppress(Exception):
            raw.close()
        top = api.top(c)
        top_args = api.top(c, ps_args="-o pid,comm")
        diff = sorted((d["Path"], d["Kind"]) for d in api.diff(c))
        p80 = api.port(c, 80)
        out = {
            "one_keys": sorted(one), "one_shot_keys": sorted(one_shot), "first_keys": sorted(first),
            "raw_is_bytes": isinstance(chunk, bytes) and "cpu_stats" in json.loads(chunk),
            "top_titles": top["Titles"], "top_cmd": [p[-1] for p in top["Processes"]],
            "top_args": top_args["Titles"],
            "diff": diff, "p80": [{"HostIp": p["HostIp"], "port_set": bool(p["HostPort"])} for p in p80],
            "p81": [p["HostIp"] for p in api.port(c, "81/udp")], "p81_any": bool(api.port(c, 81)),
            "p99": api.port(c, 99),
            "oneshot_stream": raises(lambda: api.stats(c, stream=True, one_shot=True)),
            "decode_nostream": raises(lambda: api.stats(c, stream=False, decode=True)),
            "old_one_shot": raises(lambda: side.other_version("1.40").stats(c, stream=False, one_shot=True)),
        }
    return out


@scenario
def update_resize_commit(side: Side, name: str) -> dict:
    api = side.api
    repo = f"dockui/{name}"
    with _cleanup(name, images=(f"{repo}:snap",)):
        c = api.create_container(IMAGE, ["sh", "-c", "echo hi > /committed; sleep 600"], name=name, tty=True)
        api.start(c)
        _wait_running(side, c)
        time.sleep(0.3)
        upd = api.update_container(c, mem_limit="96m", memswap_limit="192m", cpu_shares=256, cpu_period=100000,
                                   cpu_quota=50000, restart_policy={"Name": "unless-stopped"})
        hc = _oracle(side).inspect_container(c)["HostConfig"]
        resized = api.resize(c, height=30, width=100)
        committed = api.commit(c, repository=repo, tag="snap", message="a snapshot", author="dkapi",
                               changes=["ENV SNAP=1", "LABEL snap=yes"], conf={"Cmd": ["cat", "/committed"]})
        img = _oracle(side).inspect_image(f"{repo}:snap")
        old = raises(lambda: side.other_version("1.22").update_container(c, restart_policy={"Name": "always"}))
    return {
        "update": upd, "old_restart": old, "resize": resized, "commit_keys": sorted(committed),
        "same_id": committed["Id"] == img["Id"],
        "hc": {k: hc[k] for k in ("Memory", "MemorySwap", "CpuShares", "CpuPeriod", "CpuQuota", "RestartPolicy")},
        "img": {"Comment": img["Comment"], "Author": img["Author"], "Cmd": img["Config"]["Cmd"],
                "Labels": img["Config"]["Labels"], "snap_env": "SNAP=1" in img["Config"]["Env"]},
    }


def _tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o640
            info.mtime = 1_700_000_000
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _members(data: bytes) -> dict[str, bytes | None]:
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        return {m.name: (t.extractfile(m).read() if m.isfile() else None) for m in t.getmembers()}


@scenario
def archives_and_export(side: Side, name: str) -> dict:
    api = side.api
    with _cleanup(name):
        c = api.create_container(IMAGE, ["sleep", "600"], name=name)
        api.start(c)
        put = api.put_archive(c, "/tmp", _tar({"dk/one.txt": b"one\n", "dk/two.txt": b"two two\n"}))
        put_file = api.put_archive(c, "/tmp", io.BytesIO(_tar({"three.txt": b"3"})))
        stream, stat = api.get_archive(c, "/tmp/dk")
        got = _members(b"".join(stream))
        small, _ = api.get_archive(c, "/tmp/dk/one.txt", chunk_size=2)
        pieces = list(small)
        exported = b"".join(api.export(c))
        names = _members(exported)
        missing = raises(lambda: api.get_archive(c, "/no/such/path"))
        bad_put = raises(lambda: api.put_archive(c, "/no/such/dir", _tar({"x": b"x"})))
    return {
        "put": put, "put_file": put_file, "stat": {k: stat[k] for k in ("name", "size", "mode", "linkTarget")},
        "members": got, "pieces_small": all(len(p) <= 2 for p in pieces) and len(pieces) > 1,
        "exported": {k: names.get(k) for k in ("tmp/dk/one.txt", "tmp/three.txt")}, "has_bin": "bin/sh" in names,
        "missing": missing, "bad_put": bad_put,
    }


@scenario
def prune_containers_by_label(side: Side, name: str) -> dict:
    api = side.api
    with _cleanup(name + "-x", name + "-y", name + "-z"):
        for n in ("x", "y"):
            api.create_container(IMAGE, ["true"], name=f"{name}-{n}", labels={"dkapi": name})
        keep = api.create_container(IMAGE, ["sleep", "600"], name=f"{name}-z", labels={"dkapi": name})
        api.start(keep)
        pruned = api.prune_containers(filters={"label": f"dkapi={name}"})
        left = [r["Names"][0] for r in api.containers(all=True, filters={"label": f"dkapi={name}"})]
        old = raises(lambda: side.other_version("1.24").prune_containers())
    return {"deleted": len(pruned["ContainersDeleted"] or []), "keys": sorted(pruned), "left": left, "old": old}


@scenario
def errors_of_container_calls(side: Side, name: str) -> dict:
    api = side.api
    with _cleanup(name):
        c = api.create_container(IMAGE, ["sleep", "600"], name=name)
        api.start(c)
        err = None
        try:
            api.inspect_container(name + "-nope")
        except side.errors.APIError as exc:
            err = {"status_code": exc.status_code, "client": exc.is_client_error(), "server": exc.is_server_error(),
                   "error": exc.is_error(), "explanation": exc.explanation, "NotFound": isinstance(exc, side.errors.NotFound),
                   "DockerException": isinstance(exc, side.errors.DockerException)}
        out = {
            "not_found": err,
            "none": raises(lambda: api.inspect_container(None)),
            "empty_dict": raises(lambda: api.inspect_container({})),
            "empty": raises(lambda: api.start("")),
            "start_args": raises(lambda: api.start(c, {"Binds": []})),
            "no_image": raises(lambda: api.create_container("dockui/no-such-image-" + name)),
            "remove_running": raises(lambda: api.remove_container(c)),
            "name_taken": raises(lambda: api.create_container(IMAGE, ["true"], name=name)),
            "old_wait": raises(lambda: side.other_version("1.29").wait(c, condition="not-running")),
            "old_stop_timeout": raises(lambda: side.other_version("1.24").create_container(IMAGE, stop_timeout=1)),
            "old_health": raises(lambda: side.other_version("1.23").create_container(IMAGE, healthcheck={"test": "x"})),
            "old_platform": raises(lambda: side.other_version("1.40").create_container(IMAGE, platform="linux")),
            "hc_version_kw": raises(lambda: api.create_host_config(version="1.41")),
            "hc_host_ports": raises(lambda: api.create_host_config(network_mode="host", port_bindings={80: 80})),
            "hc_swappiness": raises(lambda: api.create_host_config(mem_swappiness="x")),
            "hc_restart": raises(lambda: api.create_host_config(restart_policy="always")),
            "hc_userns": raises(lambda: api.create_host_config(userns_mode="private")),
            "hc_old_auto_remove": raises(lambda: side.other_version("1.24").create_host_config(auto_remove=True)),
            "ep_old": raises(lambda: side.other_version("1.21").create_endpoint_config(aliases=["a"])),
            "bad_mem": raises(lambda: api.create_host_config(mem_limit="12q")),
        }
    return out


# ------------------------------------------------------------------------------------ exec
@scenario
def exec_calls(side: Side, name: str) -> dict:
    api = side.api
    with _cleanup(name):
        c = api.create_container(IMAGE, ["sleep", "600"], name=name)
        api.start(c)
        _wait_running(side, c)
        e = api.exec_create(c, 'sh -c "echo $GREETING from $(pwd) as $(id -u); sleep 0.3; echo oops >&2"',
                            environment={"GREETING": "hello world"}, workdir="/tmp", user="65534")
        out: dict[str, Any] = {"create_keys": sorted(e)}
        out["start"] = api.exec_start(e)
        insp = api.exec_inspect(e)
        out["inspect"] = {k: insp[k] for k in ("ExitCode", "Running", "OpenStdin", "OpenStdout", "OpenStderr")}
        out["process"] = insp["ProcessConfig"]
        out["same_by_id"] = api.exec_inspect(e["Id"])["ID"] == insp["ID"]
        e2 = api.exec_create(c, ["sh", "-c", "echo o; sleep 0.2; echo e >&2"])
        out["demux"] = api.exec_start(e2["Id"], demux=True)
        e3 = api.exec_create(c, ["sh", "-c", "echo s1; sleep 0.2; echo s2"])
        out["stream"] = b"".join(api.exec_start(e3, stream=True))
        e4 = api.exec_create(c, ["sh", "-c", "echo d1; echo d2 >&2"])
        out["stream_demux"] = sorted(api.exec_start(e4, stream=True, demux=True), key=repr)
        e5 = api.exec_create(c, ["sh", "-c", "exit 3"])
        out["detach"] = api.exec_start(e5, detach=True)
        deadline = time.monotonic() + 10
        while api.exec_inspect(e5)["Running"] and time.monotonic() < deadline:
            time.sleep(0.05)
        out["detach_exit"] = api.exec_inspect(e5)["ExitCode"]
        e6 = api.exec_create(c, ["sh", "-c", "stty size"], tty=True, privileged=True, stdout=True, stderr=False)
        out["tty_start"] = api.exec_start(e6, tty=True)
        out["tty_privileged"] = api.exec_inspect(e6)["ProcessConfig"]["privileged"]
        e7 = api.exec_create(c, ["sleep", "5"], tty=True)
        api.exec_start(e7, detach=True, tty=True)
        time.sleep(0.2)
        out["resize"] = api.exec_resize(e7, height=20, width=70)
        out["resize_dict"] = api.exec_resize(e7["Id"], height=21, width=71)
        out["old_env"] = raises(lambda: side.other_version("1.24").exec_create(c, "true", environment=["A=1"]))
        out["old_workdir"] = raises(lambda: side.other_version("1.34").exec_create(c, "true", workdir="/"))
        out["no_exec"] = raises(lambda: api.exec_inspect("nosuchexec" + name))
        out["null_container"] = raises(lambda: api.exec_create(None, "true"))
        api.stop(c, timeout=0)
        out["stopped"] = raises(lambda: api.exec_create(c, "true"))
    return out


@scenario
def exec_and_attach_sockets(side: Side, name: str) -> dict:
    """The hijacked connection as docker-py's users drive it: ``_sock.sendall``, a half-close, and
    ``docker.utils.socket`` reading the frames."""
    import socket as pysocket

    from docker.utils.socket import consume_socket_output, demux_adaptor, frames_iter

    api = side.api
    with _cleanup(name, name + "-tty"):
        c = api.create_container(IMAGE, ["sleep", "600"], name=name)
        api.start(c)
        _wait_running(side, c)
        e = api.exec_create(c, ["sh", "-c", "cat; echo done >&2"], stdin=True)
        sock = api.exec_start(e, socket=True)
        sock._sock.sendall(b"piped in\n")
        sock._sock.shutdown(pysocket.SHUT_WR)
        out = {"exec": consume_socket_output((demux_adaptor(*f) for f in frames_iter(sock, tty=False)), demux=True)}
        sock.close()
        t = api.create_container(IMAGE, ["sh", "-c", "sleep 1; echo attached"], name=name + "-tty", tty=True)
        api.start(t)
        asock = api.attach_socket(t, params={"stdout": 1, "stderr": 1, "stream": 1})
        out["attach"] = consume_socket_output(d for _, d in frames_iter(asock, tty=True))
        asock.close()
    return out


# ------------------------------------------------------------------------------------ the tests
test_scenario, test_same_answers = scenario.tests()


def test_expected_answers_of_dockui() -> None:
    """A few answers pinned down, so that the comparison cannot pass by both clients being wrong alike."""
    got = scenario.run("create_with_conversions", "dockui")
    cfg = got["config"]
    assert cfg["Cmd"] == ["sh", "-c", "echo 'quoted arg'; sleep 600"] and cfg["User"] == "0"
    assert cfg["Env"] == ["A=1", "B=two words", "EMPTY"] and cfg["Labels"] == {"dockui.test": "", "flag": ""}
    assert cfg["Healthcheck"]["Test"] == ["CMD-SHELL", "true"]
    assert cfg["HostConfig"]["Memory"] == 64 * 1024 * 1024 and cfg["HostConfig"]["Binds"] == ["/tmp:/hosttmp:ro"]
    got = scenario.run("lifecycle_with_the_create_dict", "dockui")
    assert got["after_pause"] == "paused" and got["renamed"] == "/<name>-renamed"
    assert got["gone"] == {"error": "NotFound", "status": 404}
    got = scenario.run("logs_in_every_shape", "dockui")
    assert got["plain"] == b"out1\nerr1\nout2\n" and got["stderr"] == b"err1\n" and got["tail"] == b"out2\n"
    assert got["bad_since"] == {"error": "InvalidArgument"} and got["old_until"] == {"error": "InvalidVersion"}
    got = scenario.run("exec_calls", "dockui")
    assert got["start"] == b"hello world from /tmp as 65534\noops\n" and got["demux"] == [b"o\n", b"e\n"]  # normalise makes tuples lists
    assert got["detach"] == "" and got["detach_exit"] == 3
    got = scenario.run("errors_of_container_calls", "dockui")
    assert got["none"] == {"error": "NullResource"} and got["not_found"]["status_code"] == 404
    assert got["no_image"] == {"error": "ImageNotFound", "status": 404}
    got = scenario.run("exec_and_attach_sockets", "dockui")
    assert got["exec"] == [b"piped in\n", b"done\n"] and got["attach"] == b"attached\r\n"


# ------------------------------------------------------------------------------------ pure units
def test_types_build_the_same_json_as_docker_py() -> None:
    import docker.types as dt

    import dockui.engine.types as ut

    cases = [
        ("HostConfig", ("1.41",), dict(binds=["/a:/b"], port_bindings={"8080/udp": [1, ("0.0.0.0", 2)], 22: {"HostPort": 9}},
                                       links=[("x", "y"), ("z", None)], volumes_from="a,b", lxc_conf={"k": 1},
                                       devices=["/dev/null:/dev/n:r", "/dev/zero"], memswap_limit=-1, kernel_memory="1k",
                                       mem_swappiness=10, blkio_weight=300, device_read_bps=[{"Path": "/dev/sda", "Rate": 1}],
                                       uts_mode="host", isolation="default", storage_opt={"size": "1G"}, cpu_count=1,
                                       cpu_percent=2, cpuset_cpus="0", cpuset_mems="0", runtime="runc",
                                       mounts=[{"Type": "tmpfs", "Target": "/t"}], cpu_rt_period=1, cpu_rt_runtime=1,
                                       device_cgroup_rules=["c 1:3 mr"], cgroupns="private", oom_kill_disable=True,
                                       privileged=True, publish_all_ports=True, dns_search=["x"], dns_opt=["y"],
                                       pid_mode="host", ipc_mode="host", cgroup_parent="p", volume_driver="local",
                                       device_requests=[{"count": -1, "capabilities": [["gpu"]]}], init_path=None)),
        ("HostConfig", ("1.41",), dict(tmpfs={"/x": "size=1m"}, extra_hosts=["a:1.2.3.4"], binds={"/h": "/c", b"/b": {"bind": b"/d", "ro": True, "propagation": "rshared"}})),
        ("ContainerConfig", ("1.41", "img", ["a"]), dict(ports=[1, (2, "udp"), (3,)], volumes="/v", entrypoint="sh -c 'x y'",
                                                         detach=True, stdin_open=True, user="root", mac_address="02:42:ac:11:00:02",
                                                         runtime="runc", network_disabled=True)),
        ("ContainerConfig", ("1.41", "img", None), dict(stdin_open=True, environment=["A=1"], labels={"a": "b"},
                                                        healthcheck={"Test": ["CMD", "true"], "StartPeriod": 5})),
        ("LogConfig", (), dict(Type="syslog", Config={"a": "b"})),
        ("Ulimit", (), dict(Name="core", Soft=0, Hard=0)),
        ("DeviceRequest", (), dict(driver="nvidia", device_ids=["0"], options={"a": "b"})),
        ("Healthcheck", (), dict(test=["NONE"], timeout=5, start_period=1)),
        ("EndpointConfig", ("1.41",), dict(aliases=["a"], links={"x": "y"}, ipv4_address="1.2.3.4", ipv6_address="::1",
                                           link_local_ips=["169.254.1.1"], driver_opt={"a": "b"}, mac_address="02:42:ac:11:00:02")),
        ("NetworkingConfig", (), dict(endpoints_config={"n": {"Aliases": ["x"]}})),
        ("NetworkingConfig", (), {}),
        ("IPAMConfig", (), dict(driver="d", pool_configs=[{"Subnet": "10.0.0.0/8"}], options={"a": "b"})),
        ("IPAMPool", (), dict(subnet="10.0.0.0/8", iprange="10.0.0.0/24", gateway="10.0.0.1", aux_addresses={"a": "10.0.0.2"})),
    ]
    for cls, args, kwargs in cases:
        theirs = getattr(dt, cls)(*args, **kwargs)
        ours = getattr(ut, cls)(*args, **kwargs)
        assert json.loads(json.dumps(ours)) == json.loads(json.dumps(theirs)), cls
    # setters and properties
    h = ut.Healthcheck(test="true")
    h.test = "false"
    h.retries = 3
    assert h.test == ["CMD-SHELL", "false"] and h["Retries"] == 3 and h.start_period is None
    lc = ut.LogConfig(type=ut.LogConfig.types.JSON)
    lc.set_config_value("max-size", "1m")
    lc.unset_config("nope")
    assert lc == {"Type": "json-file", "Config": {"max-size": "1m"}} and lc.type == "json-file"
    u = ut.Ulimit(name="nofile", soft=1)
    u.hard = 2
    assert u.name == "nofile" and (u.soft, u.hard) == (1, 2)
    d = ut.DeviceRequest(count=2)
    assert d.count == 2 and d.driver == "" and d.capabilities == []


def test_type_errors_match_docker_py() -> None:
    import docker.errors as de
    import docker.types as dt

    import dockui.engine.errors as ue
    import dockui.engine.types as ut

    bad = [
        ("LogConfig", (), dict(config="x")), ("Ulimit", (), dict(name=1)), ("Ulimit", (), dict(name="a", soft="1")),
        ("DeviceRequest", (), dict(driver=1)), ("DeviceRequest", (), dict(count="1")), ("DeviceRequest", (), dict(options=[])),
        ("HostConfig", ("1.41",), dict(ulimits={})), ("HostConfig", ("1.41",), dict(log_config="x")),
        ("HostConfig", ("1.41",), dict(cpu_quota="1")), ("HostConfig", ("1.41",), dict(sysctls=["a"])),
        ("HostConfig", ("1.41",), dict(security_opt="x")), ("HostConfig", ("1.41",), dict(uts_mode="x")),
        ("HostConfig", ("1.41",), dict(init_path="/x")), ("HostConfig", ("1.39",), dict(device_requests=[])),
        ("HostConfig", ("1.29",), dict(mounts=[])), ("HostConfig", ("1.41",), dict(tmpfs="x")),
        ("HostConfig", ("1.41",), dict(binds={"/a": {"bind": "/b", "ro": True, "mode": "rw"}})),
        ("HostConfig", ("1.41",), dict(devices=[1])),
        ("HostConfig", ("1.41",), dict(port_bindings={1: {"HostIp": "x"}})),
        ("ContainerConfig", ("1.28", "i", None), dict(healthcheck={"StartPeriod": 1})),
        ("EndpointConfig", ("1.41",), dict(driver_opt=["x"])), ("EndpointConfig", ("1.24",), dict(mac_address="x")),
        ("EndpointConfig", ("1.23",), dict(link_local_ips=[])), ("EndpointConfig", ("1.31",), dict(driver_opt={"a": 1})),
        ("IPAMConfig", (), dict(options=["x"])),
    ]
    for cls, args, kwargs in bad:
        with pytest.raises(Exception) as theirs:
            getattr(dt, cls)(*args, **kwargs)
        with pytest.raises(Exception) as ours:
            getattr(ut, cls)(*args, **kwargs)
        tname = type(theirs.value).__name__
        assert type(ours.value).__name__ == tname, (cls, kwargs, ours.value)
        assert str(ours.value) == str(theirs.value), (cls, kwargs)
        if isinstance(theirs.value, de.DockerException):
            assert isinstance(ours.value, getattr(ue, tname))


def test_conversions_match_docker_py() -> None:
    from docker.utils import ports as dports
    from docker.utils import utils as du

    from dockui.engine import utils as uu

    for value in ({8080: 80, "53/udp": ("127.0.0.1", 5353), 22: [1111, None, ("::1",), (2222,)], "9/sctp": {"HostPort": 9, "HostIp": "1"}},):
        assert uu.convert_port_bindings(value) == du.convert_port_bindings(value)
    for value in ({"/a": "/b", "/c": {"bind": "/d", "mode": "z"}, "/e": {"bind": "/f", "ro": False}}, ["/x:/y"]):
        assert uu.convert_volume_binds(value) == du.convert_volume_binds(value)
    for value in ({"label": ["a=b", "c"], "dangling": True, "n": 1, "b": False}, {}):
        assert json.loads(uu.convert_filters(value)) == json.loads(du.convert_filters(value))
    for value in ("busybox", "busybox:1.2", "reg:5000/a/b", "reg:5000/a/b:t", "a@sha256:abc", "reg:5000/a@sha256:x"):
        assert uu.parse_repository_tag(value) == du.parse_repository_tag(value), value
    for value in (10, 1.5, "", "100", "1k", "1K", "2m", "3g", "1kb", "1.5m", "512MB"):
        assert uu.parse_bytes(value) == du.parse_bytes(value), value
    for value in ("1q", "xk"):
        with pytest.raises(Exception) as theirs:
            du.parse_bytes(value)
        with pytest.raises(uu.DockerException) as ours:
            uu.parse_bytes(value)
        assert str(ours.value) == str(theirs.value)
    for value in ('echo "a b" c', "sh -c 'x; y'", "a\\ b"):
        assert uu.split_command(value) == du.split_command(value)
    env = {"A": "1", "B": None, "C": b"bytes", "D": 2}
    assert uu.format_environment(env) == du.format_environment(env)
    assert uu.format_extra_hosts({"b": "1", "a": "2"}) == du.format_extra_hosts({"b": "1", "a": "2"})
    assert uu.format_extra_hosts({"b": "1"}, task=True) == du.format_extra_hosts({"b": "1"}, task=True)
    assert uu.normalize_links({"b": "x", "a": None}) == du.normalize_links({"b": "x", "a": None})
    assert uu.convert_tmpfs_mounts(["/a:size=1", "/b"]) == du.convert_tmpfs_mounts(["/a:size=1", "/b"])
    assert uu.parse_devices(["/a", "/b:/c", "/d:/e:r", {"x": 1}]) == du.parse_devices(["/a", "/b:/c", "/d:/e:r", {"x": 1}])
    for spec in ("80", "8080:80", "127.0.0.1:8080:80/udp", "8000-8001:80-81", "127.0.0.1::80", "[::1]:80:80", "1-3"):
        assert uu.split_port(spec) == dports.split_port(spec), spec
    assert uu.build_port_bindings(["8080:80", "8081:80", "90"]) == dports.build_port_bindings(["8080:80", "8081:80", "90"])
    for a, b in (("1.41", "1.9"), ("1.9", "1.41"), ("1.41", "1.41"), ("1.41.0", "1.41")):
        assert uu.compare_version(a, b) == du.compare_version(a, b)
        assert uu.version_lt(a, b) == du.version_lt(a, b) and uu.version_gte(a, b) == du.version_gte(a, b)
    dt = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    assert uu.datetime_to_timestamp(dt) == du.datetime_to_timestamp(dt)
    assert uu.convert_service_networks(["a", {"Target": "b"}]) == du.convert_service_networks(["a", {"Target": "b"}])
    assert uu.labels_to_dict(["a", "b"]) == {"a": "", "b": ""} and uu.labels_to_dict({"a": "1"}) == {"a": "1"}
    assert uu.resource_id({"Id": "x"}) == "x" and uu.resource_id({"ID": "y"}) == "y" and uu.resource_id("z") == "z"
    for bad in (None, "", {}, {"Name": "x"}):
        with pytest.raises(uu.NullResource):
            uu.resource_id(bad)


def test_error_hierarchy_has_docker_pys_names_and_dockuis() -> None:
    import builtins

    import docker.errors as de

    from dockui.engine import errors as ue

    for name in ("DockerException", "APIError", "NotFound", "ImageNotFound", "InvalidVersion", "InvalidRepository",
                 "InvalidConfigFile", "InvalidArgument", "DeprecatedMethod", "TLSParameterError", "NullResource",
                 "ContainerError", "StreamParseError", "BuildError", "ImageLoadError", "MissingContextParameter",
                 "ContextAlreadyExists", "ContextException", "ContextNotFound"):
        ours, theirs = getattr(ue, name), getattr(de, name)
        for base in ("DockerException", "APIError", "NotFound", "ValueError", "RuntimeError"):
            b_theirs = getattr(de, base, None) or getattr(builtins, base)
            b_ours = getattr(ue, base, None) or getattr(builtins, base)
            assert issubclass(ours, b_ours) == issubclass(theirs, b_theirs), (name, base)
    assert ue.EngineError is ue.DockerException
    for cls in (ue.EngineUnreachable, ue.ReadOnlyError, ue.StreamError, ue.Conflict, ue.NotModified, ue.Unauthorized, ue.ServerError):
        assert issubclass(cls, ue.DockerException)
    # dockui's constructor and attributes still work
    e = ue.APIError(409, "in use", "DELETE", "/containers/x")
    assert (e.status, e.status_code, e.explanation, e.method, e.path) == (409, 409, "in use", "DELETE", "/containers/x")
    assert e.is_client_error() and not e.is_server_error() and e.is_error()
    # docker-py's constructor and message
    class Resp:
        status_code = 500
        url = "http://x/v1.41/y"
        reason = "Internal Server Error"

    for mod in (de, ue):
        err = mod.APIError("boom", response=Resp(), explanation="it broke")
        assert str(err) == '500 Server Error for http://x/v1.41/y: Internal Server Error ("it broke")'
        assert err.is_server_error() and err.status_code == 500
        assert mod.APIError("plain").status_code is None and not mod.APIError("plain").is_error()
    assert str(ue.TLSParameterError("x")) == str(de.TLSParameterError("x"))
    assert str(ue.ContainerError("c", 1, "cmd", "img", "err")) == str(de.ContainerError("c", 1, "cmd", "img", "err"))
    assert str(ue.create_unexpected_kwargs_error("f", {"b": 1, "a": 2})) == str(de.create_unexpected_kwargs_error("f", {"b": 1, "a": 2}))
    assert isinstance(ue.error_for(404, b'{"message": "No such image: x"}'), ue.ImageNotFound)
    assert type(ue.error_for(404, b'{"message": "No such container: x"}')) is ue.NotFound


def test_wait_timeout_raises_what_docker_py_raises() -> None:
    """A read timeout on the requests path: docker-py raises requests' ConnectionError; dockui too,
    and the same exception is its own EngineUnreachable."""
    import requests

    from dockui.engine.errors import EngineUnreachable

    oracle = make_api("docker-py", engine_host())
    with _cleanup("dkapi-wait-timeout"):
        c = oracle.create_container(IMAGE, ["sleep", "60"], name="dkapi-wait-timeout")
        oracle.start(c)
        for kind in CLIENTS:
            with pytest.raises(requests.exceptions.ConnectionError) as info:
                make_api(kind, engine_host()).wait(c, timeout=1)
            if kind == "dockui":
                assert isinstance(info.value, EngineUnreachable) and "timed out" in info.value.cause
