"""Swarm, nodes, services, tasks, secrets and configs: each documented call run through docker-py's
``APIClient`` and dockui's ``EngineClient``, answers and resulting state compared
(``tests/apiclient_compare.py``).

Read-only swarm calls and services/secrets/configs run on the sandbox swarm (everything made has
the run's unique name and is removed). ``init_swarm``, ``join_swarm``, ``leave_swarm``,
``update_swarm``, ``unlock_swarm``, ``update_node`` and ``remove_node`` run on two throwaway
private engines in their own network namespace: the sandbox swarm is never left, joined or changed.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Callable
from typing import Any

import pytest

from .apiclient_compare import CLIENTS, NetnsDockerd, PrivateNetns, Scenarios, Side, make_api, raises
from .conftest import IMAGE, engine_host

SEC = 1_000_000_000
scenario = Scenarios()
private = Scenarios()


def wait_for(what: str, fn: Callable[[], Any], timeout: float = 60, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            last = fn()
            if last:
                return last
        time.sleep(every)
    pytest.fail(f"timed out waiting for {what}; last: {last!r}")


@contextlib.contextmanager
def _cleanup(services: list[str] = (), secrets: list[str] = (), configs: list[str] = (), networks: list[str] = ()):
    try:
        yield
    finally:
        oracle = make_api("docker-py", engine_host())
        for s in services:
            with contextlib.suppress(Exception):
                oracle.remove_service(s)
        for s in secrets:
            with contextlib.suppress(Exception):
                oracle.remove_secret(s)
        for c in configs:
            with contextlib.suppress(Exception):
                oracle.remove_config(c)
        for n in networks:
            for _ in range(20):  # a removed service's network attachment goes a moment later
                try:
                    oracle.remove_network(n)
                    break
                except Exception as exc:  # noqa: BLE001
                    if "No such network" in str(exc) or "not found" in str(exc):
                        break
                    time.sleep(0.5)


# ------------------------------------------------------------------------------------ swarm and nodes (read)
@scenario
def swarm_inspect_and_specs(side: Side, name: str) -> dict:
    api, t = side.api, side.types
    sw = api.inspect_swarm()
    spec = api.create_swarm_spec(
        task_history_retention_limit=5, snapshot_interval=5000, keep_old_snapshots=1, log_entries_for_slow_followers=500,
        heartbeat_tick=1, election_tick=10, dispatcher_heartbeat_period=5 * SEC, node_cert_expiry=90 * 24 * 3600 * SEC,
        external_ca=t.SwarmExternalCA("https://ca.example:8443", protocol="cfssl", options={"a": "b"}, ca_cert="PEM"),
        name="default", labels={"k": "v"}, signing_ca_cert="CERT", signing_ca_key="KEY", ca_force_rotate=2,
        autolock_managers=False, log_driver={"Name": "json-file", "Options": {"max-size": "1m"}})
    old = side.other_version("1.24")
    return {
        "swarm": {"keys": sorted(sw), "spec": sw["Spec"], "tokens": sorted(sw["JoinTokens"])},
        "same_as_oracle": sw == make_api("docker-py", side.host).inspect_swarm(),
        "unlock_key": api.get_unlock_key(),
        "spec": dict(spec),
        "spec_type": type(spec).__name__,
        "empty_spec": dict(api.create_swarm_spec()),
        "external_cas": dict(t.SwarmSpec("1.41", external_cas=[t.SwarmExternalCA("https://a"), t.SwarmExternalCA("https://b")])),
        "one_ca_old": dict(t.SwarmSpec("1.24", external_cas=[t.SwarmExternalCA("https://a")])),
        "two_cas_old": raises(lambda: t.SwarmSpec("1.24", external_cas=[t.SwarmExternalCA("https://a"), t.SwarmExternalCA("https://b")])),
        "signing_old": raises(lambda: old.create_swarm_spec(signing_ca_key="KEY")),
        "autolock_old": raises(lambda: t.SwarmSpec("1.24", autolock_managers=True)),
        "pool_old": raises(lambda: old.init_swarm("127.0.0.1", default_addr_pool=["10.0.0.0/8"])),
        "init_bad_spec": raises(lambda: api.init_swarm("127.0.0.1", swarm_spec=["x"])),
        "unlock_bad": raises(lambda: api.unlock_swarm({"Key": "x"})),
    }


def _node_view(n: dict) -> dict:
    return {"hostname": n["Description"]["Hostname"], "role": n["Spec"]["Role"], "state": n["Status"]["State"],
            "availability": n["Spec"]["Availability"], "leader": (n.get("ManagerStatus") or {}).get("Leader")}


@scenario
def nodes_list_and_inspect(side: Side, name: str) -> dict:
    api = side.api
    nodes = api.nodes()
    managers = api.nodes(filters={"role": "manager"})
    workers = api.nodes(filters={"role": "worker"})
    one = managers[0]
    return {
        "all": sorted((_node_view(n)["role"], _node_view(n)["state"]) for n in nodes),
        "managers": [_node_view(n) for n in managers],
        "workers": len(workers),
        "by_id": _node_view(api.inspect_node(one["ID"])),
        "by_dict": api.inspect_node(one)["ID"] == one["ID"],
        "by_keyword": api.inspect_node(node_id=one["ID"])["ID"] == one["ID"],
        "by_hostname": api.inspect_node(one["Description"]["Hostname"])["ID"] in {n["ID"] for n in nodes},
        "missing": raises(lambda: api.inspect_node(name)),
        "null": raises(lambda: api.inspect_node(None)),
        "remove_missing": raises(lambda: api.remove_node(name)),
        "update_missing": raises(lambda: api.update_node(name, 1, {"Role": "worker", "Availability": "active"})),
    }


# ------------------------------------------------------------------------------------ services
@scenario
def service_create_inspect_update_remove(side: Side, name: str) -> dict:
    api, t = side.api, side.types
    net = name + "-net"
    with _cleanup(services=[name], networks=[net]):
        api.create_network(net, driver="overlay", attachable=True, labels={"dockui.test": "1"})
        cs = t.ContainerSpec(
            IMAGE, command="sh -c 'sleep 600'", args=None, hostname="h-{{.Task.Slot}}", env={"A": "1", "B": None},
            workdir="/tmp", user="0", labels={"c": "1"}, mounts=["/tmp:/hosttmp:ro", name + "-vol:/data",
                                                                 t.Mount("/scratch", None, type="tmpfs", tmpfs_size="1m")],
            stop_grace_period=2 * SEC, tty=False, groups=["wheel"], open_stdin=False, read_only=True,
            stop_signal="SIGTERM", healthcheck={"Test": ["CMD", "true"], "Interval": SEC * 5}, hosts={"db": "10.9.9.9"},
            dns_config=t.DNSConfig(nameservers=["10.9.9.53"], search=["example"], options=["ndots:2"]),
            init=True, cap_add=["CAP_NET_ADMIN"], cap_drop=["CAP_MKNOD"], sysctls={"net.ipv4.ip_forward": "1"})
        tt = t.TaskTemplate(cs, resources=t.Resources(cpu_limit=SEC // 2, mem_limit=64 * 2 ** 20, mem_reservation=8 * 2 ** 20),
                            restart_policy=t.RestartPolicy("on-failure", delay=SEC, max_attempts=2, window=10 * SEC),
                            placement=t.Placement(constraints=["node.role==manager"], preferences=[("spread", "node.id")],
                                                  maxreplicas=1),
                            log_driver={"Name": "json-file", "Options": {"max-size": "1m"}}, force_update=1)
        made = api.create_service(
            tt, name=name, labels={"dockui.test": "1", "k": "v"}, mode=t.ServiceMode("replicated", replicas=0),
            update_config=t.UpdateConfig(parallelism=1, delay=SEC, failure_action="rollback", monitor=SEC,
                                         max_failure_ratio=0.5, order="start-first"),
            rollback_config=t.RollbackConfig(parallelism=2, order="stop-first"),
            networks=[t.NetworkAttachmentConfig(net, aliases=["svc-alias"])],
            endpoint_spec=t.EndpointSpec(mode="dnsrr"))
        first = api.inspect_service(made["ID"])
        by_name = api.inspect_service(name)
        by_dict = api.inspect_service(made)
        defaults = api.inspect_service(name, insert_defaults=True)
        listed = api.services(filters={"name": name})
        with_status = api.services(filters={"id": made["ID"]}, status=True)
        # a partial update with the current spec fetched: only the replicas and labels change
        upd = api.update_service(made, first["Version"]["Index"], mode=t.ServiceMode("replicated", replicas=0),
                                 labels={"dockui.test": "1", "k": "w"}, fetch_current_spec=True)
        second = api.inspect_service(name)
        # an update without fetching: what is not given is not sent (docker-py's documented default)
        upd2 = api.update_service(name, second["Version"]["Index"], task_template=t.TaskTemplate(t.ContainerSpec(IMAGE, command=["sleep", "60"])),
                                  name=name, mode=t.ServiceMode("replicated", replicas=0),
                                  endpoint_spec=t.EndpointSpec(mode="vip", ports={38080: (80, "tcp", "host"), 38053: (53, "udp", "host")}))
        third = api.inspect_service(name)
        removed = api.remove_service({"ID": made["ID"]})
        gone = raises(lambda: api.inspect_service(name))
    return {"made": sorted(made), "first": first["Spec"], "same": first == by_name == by_dict,
            "defaults_added": sorted(set(defaults["Spec"]["TaskTemplate"]) - set(first["Spec"]["TaskTemplate"])),
            "listed": [s["Spec"]["Name"] for s in listed], "status": with_status[0].get("ServiceStatus"),
            "no_status": "ServiceStatus" in listed[0], "update": upd, "second": second["Spec"], "update2": upd2,
            "third": third["Spec"], "removed": removed, "gone": gone}


@scenario
def service_tasks_and_logs(side: Side, name: str) -> dict:
    api, t = side.api, side.types
    with _cleanup(services=[name]):
        cs = t.ContainerSpec(IMAGE, command=["sh", "-c", "echo out-1; echo err-1 >&2; echo out-2; exec sleep 600"])
        tt = t.TaskTemplate(cs, restart_policy=t.RestartPolicy("none"), placement=["node.role==manager"])
        sid = api.create_service(tt, name=name, labels={"dockui.test": "1"})["ID"]
        running = wait_for("a running task", lambda: [x for x in api.tasks(filters={"service": name})
                                                       if x["Status"]["State"] == "running"])

        def logs(**kw: Any) -> list[bytes]:
            out = b"".join(api.service_logs(sid, **kw))
            return sorted(line for line in out.split(b"\n") if line)

        both = wait_for("three log lines", lambda: (lambda ls: ls if len(ls) == 3 else None)(logs(stdout=True, stderr=True)))
        task = running[0]
        out = {
            "tasks": [(x["Slot"], x["DesiredState"], x["Status"]["State"]) for x in running],
            "by_service_id": len(api.tasks(filters={"service": sid})),
            "desired": len(api.tasks(filters={"service": sid, "desired-state": "running"})),
            "inspect": api.inspect_task(task["ID"])["ServiceID"] == sid,
            "inspect_dict": api.inspect_task(task)["ID"] == task["ID"],
            "inspect_missing": raises(lambda: api.inspect_task(name)),
            "logs": both,
            # (the engine's swarm logs sometimes come short: wait for the whole answer)
            "stdout": wait_for("stdout", lambda: (lambda ls: ls if len(ls) == 2 else None)(logs(stdout=True))),
            "stderr": wait_for("stderr", lambda: logs(stderr=True)),
            "tail": len(wait_for("tail", lambda: logs(stdout=True, stderr=True, tail=1))),
            "timestamps": all(b" " in line and line[:4].isdigit() for line in logs(stdout=True, timestamps=True)),
            "details": wait_for("details", lambda: (lambda ls: ls if len(ls) == 2 else None)(
                logs(stdout=True, details=True, is_tty=False))),
            "no_stream": raises(lambda: b"".join(api.service_logs(sid))),
            "missing": raises(lambda: b"".join(api.service_logs(name + "-nope", stdout=True))),
            "removed": api.remove_service(sid),
        }
    return out


@scenario
def tty_service_logs_are_raw(side: Side, name: str) -> dict:
    api, t = side.api, side.types
    with _cleanup(services=[name]):
        cs = t.ContainerSpec(IMAGE, command=["sh", "-c", "echo tty-1; echo tty-2; exec sleep 600"], tty=True)
        sid = api.create_service(t.TaskTemplate(cs, placement=["node.role==manager"]), name=name)["ID"]

        def logs(**kw: Any) -> bytes:
            return b"".join(api.service_logs(sid, stdout=True, **kw))

        raw = wait_for("two lines", lambda: (lambda b: b if b.count(b"tty-") == 2 else None)(logs()))
        out = {"tty": api.inspect_service(sid)["Spec"]["TaskTemplate"]["ContainerSpec"]["TTY"], "raw": raw,
               "told": logs(is_tty=True), "removed": api.remove_service(sid)}
    return out


@scenario
def service_errors_and_version_checks(side: Side, name: str) -> dict:
    api, t = side.api, side.types
    spec = t.ContainerSpec(IMAGE)
    v = side.other_version

    def tt(**kw: Any) -> dict:
        return t.TaskTemplate(spec, **kw)

    with _cleanup(services=[name]):  # nothing should be made; a wrong client could make it
        return _service_errors(api, t, v, tt, name)


def _service_errors(api: Any, t: Any, v: Callable[[str], Any], tt: Callable[..., dict], name: str) -> dict:
    return {
        "no_image": raises(lambda: api.create_service({"ContainerSpec": {}}, name=name)),
        "missing": raises(lambda: api.inspect_service(name)),
        "null": raises(lambda: api.inspect_service(None)),
        "remove_missing": raises(lambda: api.remove_service(name)),
        "update_missing": raises(lambda: api.update_service(name, 1, task_template=tt())),
        "status_old": raises(lambda: v("1.40").services(status=True)),
        "defaults_old": raises(lambda: v("1.28").inspect_service(name, insert_defaults=True)),
        "logs_old": raises(lambda: v("1.24").service_logs(name, stdout=True)),
        "order_old": raises(lambda: v("1.28").create_service(tt(), update_config=t.UpdateConfig(order="start-first"))),
        "ratio_old": raises(lambda: v("1.24").create_service(tt(), update_config=t.UpdateConfig(max_failure_ratio=0.1))),
        "rollback_old": raises(lambda: v("1.27").create_service(tt(), rollback_config=t.RollbackConfig())),
        "force_old": raises(lambda: v("1.24").create_service(tt(force_update=1))),
        "platforms_old": raises(lambda: v("1.29").create_service(tt(placement=t.Placement(platforms=[("x86_64", "linux")])))),
        "prefs_old": raises(lambda: v("1.26").create_service(tt(placement=t.Placement(preferences=[("spread", "a")])))),
        "init_old": raises(lambda: v("1.37").create_service(t.TaskTemplate(t.ContainerSpec(IMAGE, init=True)))),
        "isolation_old": raises(lambda: v("1.34").create_service(t.TaskTemplate(t.ContainerSpec(IMAGE, isolation="default")))),
        "configs_old": raises(lambda: v("1.29").create_service(t.TaskTemplate(t.ContainerSpec(IMAGE, configs=[])))),
        "generic_old": raises(lambda: v("1.31").create_service(tt(resources=t.Resources(generic_resources={"gpu": 1})))),
        "publish_mode_old": raises(lambda: v("1.31").create_service(tt(), endpoint_spec=t.EndpointSpec(ports={8080: (80, "tcp", "host")}))),
        "nothing_left": api.services(filters={"name": name}) == [],
    }


# ------------------------------------------------------------------------------------ types
@scenario
def service_types_build_the_engine_shapes(side: Side, name: str) -> dict:
    t = side.types
    mp = t.Mount.parse_mount_string
    out: dict[str, Any] = {
        "mount_target_only": mp("/data"),
        "mount_volume": mp("vol:/data"),
        "mount_bind_ro": mp("/src:/dst:ro"),
        "mount_bind_rw": mp("/src:/dst:rw"),
        "mount_bad": raises(lambda: mp("a:b:c:d")),
        "mount_bind_opts": t.Mount("/dst", "/src", type="bind", propagation="rslave", read_only=True, consistency="cached"),
        "mount_bind_bad": raises(lambda: t.Mount("/dst", "/src", type="bind", no_copy=True)),
        "mount_volume_opts": t.Mount("/dst", "v", no_copy=True, labels={"a": "b"}, driver_config=t.DriverConfig("local", {"o": "x"})),
        "mount_volume_bad": raises(lambda: t.Mount("/dst", "v", propagation="shared")),
        "mount_tmpfs": t.Mount("/dst", None, type="tmpfs", tmpfs_size="64m", tmpfs_mode=0o1777),
        "mount_tmpfs_bad_mode": raises(lambda: t.Mount("/dst", None, type="tmpfs", tmpfs_mode="1777")),
        "mount_tmpfs_bad": raises(lambda: t.Mount("/dst", None, type="tmpfs", labels={"a": "b"})),
        "mount_type_bad": raises(lambda: t.Mount("/dst", "x", type="nfs")),
        "resources": t.Resources(cpu_limit=1, mem_limit=2, cpu_reservation=3, mem_reservation=4,
                                 generic_resources={"gpu": 2, "ssd": "fast"}),
        "resources_list": t.Resources(generic_resources=[{"DiscreteResourceSpec": {"Kind": "gpu", "Value": 1}}]),
        "resources_bad": raises(lambda: t.Resources(generic_resources={"gpu": 1.5})),
        "resources_bad_type": raises(lambda: t.Resources(generic_resources="gpu")),
        "update": t.UpdateConfig(parallelism=2, delay=5, failure_action="pause", monitor=3, max_failure_ratio=0.25, order="stop-first"),
        "update_bad_action": raises(lambda: t.UpdateConfig(failure_action="explode")),
        "update_bad_ratio": raises(lambda: t.UpdateConfig(max_failure_ratio=2)),
        "update_bad_ratio_type": raises(lambda: t.UpdateConfig(max_failure_ratio="x")),
        "update_bad_monitor": raises(lambda: t.UpdateConfig(monitor=1.5)),
        "update_bad_order": raises(lambda: t.UpdateConfig(order="sideways")),
        "rollback": t.RollbackConfig(parallelism=1),
        "restart": t.RestartPolicy(),
        "restart_any": t.RestartPolicy(t.RestartPolicy.condition_types.ANY, delay=1, max_attempts=2, window=3),
        "restart_bad": raises(lambda: t.RestartPolicy("sometimes")),
        "mode_replicated": t.ServiceMode("replicated", replicas=3),
        "mode_replicas": t.ServiceMode("replicated", replicas=3).replicas,
        "mode_global": t.ServiceMode("global"),
        "mode_global_replicas": t.ServiceMode("global").replicas,
        "mode_job": t.ServiceMode("replicated-job", replicas=4, concurrency=2),
        "mode_job_replicas": t.ServiceMode("replicated-job", replicas=4).replicas,
        "mode_global_job": t.ServiceMode("global-job"),
        "mode_bad": raises(lambda: t.ServiceMode("sometimes")),
        "mode_global_with_replicas": raises(lambda: t.ServiceMode("global", replicas=2)),
        "mode_concurrency": raises(lambda: t.ServiceMode("global-job", concurrency=2)),
        "endpoint": t.EndpointSpec(mode="vip", ports={8080: 80, 8443: (443, "tcp"), 5353: (53, "udp", "host")}),
        "endpoint_list": t.EndpointSpec(ports=[{"PublishedPort": 1, "TargetPort": 2}]),
        "endpoint_bad": raises(lambda: t.EndpointSpec(ports="80:80")),
        "endpoint_too_long": raises(lambda: t.EndpointSpec(ports={1: (1, "tcp", "host", "x")})),
        "placement": t.Placement(constraints=["a==b"], preferences=[("spread", "node.labels.z"), t.PlacementPreference("spread", "y")],
                                 platforms=[("x86_64", "linux")], maxreplicas=2),
        "preference_bad": raises(lambda: t.PlacementPreference("pack", "x")),
        "dns": t.DNSConfig(nameservers=["1.1.1.1"]),
        "privileges": t.Privileges(credentialspec_file="spec.json", selinux_disable=True, selinux_user="u",
                                   selinux_role="r", selinux_type="t", selinux_level="l"),
        "privileges_bad": raises(lambda: t.Privileges(credentialspec_file="a", credentialspec_registry="b")),
        "attachment": t.NetworkAttachmentConfig("net", aliases=["a"], options={"o": "1"}),
        "secret_ref": t.SecretReference("sid", "sname"),
        "secret_ref_dict": t.SecretReference({"ID": "sid"}, "sname", filename="f", uid="1", gid="2", mode=0o400),
        "secret_ref_null": raises(lambda: t.SecretReference(None, "sname")),
        "config_ref": t.ConfigReference({"ID": "cid"}, "cname", filename="/etc/c.conf"),
        "task_template": t.TaskTemplate(t.ContainerSpec(IMAGE), placement=["a==b"], networks=["n1", {"Target": "n2"}],
                                        force_update=3),
        "task_template_props": [t.TaskTemplate({"Image": "x"}, resources={"r": 1}).resources,
                                t.TaskTemplate({"Image": "x"}).container_spec, t.TaskTemplate({"Image": "x"}).placement],
        "task_template_bad_force": raises(lambda: t.TaskTemplate({}, force_update="1")),
        "task_template_bad_networks": raises(lambda: t.TaskTemplate({}, networks="n1")),
        "container_spec_min": t.ContainerSpec(IMAGE),
        "container_spec_env_list": t.ContainerSpec(IMAGE, env=["A=1"], command=["a", "b c"], args=["x"]),
        "container_spec_split": t.ContainerSpec(IMAGE, command="echo 'a b' c"),
        "container_spec_secrets_bad": raises(lambda: t.ContainerSpec(IMAGE, secrets="s")),
        "container_spec_configs_bad": raises(lambda: t.ContainerSpec(IMAGE, configs="c")),
        "container_spec_cap_bad": raises(lambda: t.ContainerSpec(IMAGE, cap_add="NET_ADMIN")),
        "container_spec_sysctls_bad": raises(lambda: t.ContainerSpec(IMAGE, sysctls=["a=b"])),
        "swarm_external_ca": t.SwarmExternalCA("https://x"),
    }
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in out.items()}


# ------------------------------------------------------------------------------------ secrets and configs
@scenario
def secrets_create_inspect_list_remove(side: Side, name: str) -> dict:
    api = side.api
    with _cleanup(secrets=[name, name + "-b"]):
        made = api.create_secret(name, "s3cret text", labels={"dockui.test": "1", "k": "v"})
        made_b = api.create_secret(name + "-b", b"\x00\x01binary", labels={"dockui.test": "1"})
        doc = api.inspect_secret(made["ID"])
        out = {
            "made": sorted(made),
            "spec": doc["Spec"],
            "by_name": api.inspect_secret(name)["ID"] == made["ID"],
            "by_dict": api.inspect_secret(made)["ID"] == made["ID"],
            "by_keyword": api.inspect_secret(id=made["ID"])["ID"] == made["ID"],
            "listed": sorted(s["Spec"]["Name"] for s in api.secrets(filters={"label": "dockui.test"}) if s["Spec"]["Name"].startswith(name)),
            "by_name_filter": [s["Spec"]["Name"] for s in api.secrets(filters={"name": name + "-b"})],
            "all": {name, name + "-b"} <= {s["Spec"]["Name"] for s in api.secrets()},
            "removed": api.remove_secret(made),
            "removed_b": api.remove_secret(made_b["ID"]),
            "gone": raises(lambda: api.inspect_secret(name)),
            "remove_missing": raises(lambda: api.remove_secret(name)),
            "null": raises(lambda: api.inspect_secret(None)),
            "driver_old": raises(lambda: side.other_version("1.30").create_secret(name, "x", driver={"Name": "d"})),
            "old": raises(lambda: side.other_version("1.24").secrets()),
        }
    return out


@scenario
def configs_create_inspect_list_remove(side: Side, name: str) -> dict:
    import base64

    api = side.api
    with _cleanup(configs=[name, name + "-t"]):
        made = api.create_config(name, "plain config\n", labels={"dockui.test": "1"})
        made_t = api.create_config(name + "-t", b"svc={{.Service.Name}}", templating={"Name": "golang"})
        doc = api.inspect_config(made["ID"])
        out = {
            "made": sorted(made),
            "spec": doc["Spec"],
            "data": base64.b64decode(doc["Spec"]["Data"]),
            "templated": api.inspect_config(made_t)["Spec"].get("Templating"),
            "by_name": api.inspect_config(name)["ID"] == made["ID"],
            "listed": sorted(c["Spec"]["Name"] for c in api.configs(filters={"name": name})),
            "by_label": [c["Spec"]["Name"] for c in api.configs(filters={"label": "dockui.test=1"}) if c["Spec"]["Name"].startswith(name)],
            "all": {name, name + "-t"} <= {c["Spec"]["Name"] for c in api.configs()},
            "removed": api.remove_config(made),
            "removed_t": api.remove_config(made_t["ID"]),
            "gone": raises(lambda: api.inspect_config(name)),
            "old": raises(lambda: side.other_version("1.29").configs()),
            "create_old": raises(lambda: side.other_version("1.29").create_config(name, "x")),
        }
    return out


@scenario
def service_with_secret_and_config_files(side: Side, name: str) -> dict:
    api, t = side.api, side.types
    with _cleanup(services=[name], secrets=[name + "-s"], configs=[name + "-c"]):
        sec = api.create_secret(name + "-s", "pw")
        cfg = api.create_config(name + "-c", "conf")
        cs = t.ContainerSpec(IMAGE, command=["sleep", "60"],
                             secrets=[t.SecretReference(sec["ID"], name + "-s", filename="pw.txt", mode=0o400)],
                             configs=[t.ConfigReference(cfg, name + "-c", filename="/etc/app.conf", uid="1", gid="2")])
        sid = api.create_service(t.TaskTemplate(cs), name=name, mode=t.ServiceMode("replicated", 0))["ID"]
        spec = api.inspect_service(sid)["Spec"]["TaskTemplate"]["ContainerSpec"]
        in_use = raises(lambda: api.remove_secret(sec["ID"]))
        api.remove_service(sid)
    return {"secrets": spec["Secrets"], "configs": spec["Configs"], "secret_in_use": in_use}


# ------------------------------------------------------------------------------------ private engines
@pytest.fixture(scope="module")
def engines():
    """Two throwaway private engines in a network namespace of their own (for init/join/leave)."""
    if not shutil.which("dockerd") or not shutil.which("nsenter"):
        pytest.skip("dockerd and nsenter are needed")
    with contextlib.ExitStack() as stack:
        ns = stack.enter_context(PrivateNetns())
        a = stack.enter_context(NetnsDockerd(stack.enter_context(tempfile.TemporaryDirectory()), ns))
        b = stack.enter_context(NetnsDockerd(stack.enter_context(tempfile.TemporaryDirectory()), ns))
        yield a, b


ENGINES: dict[str, Any] = {}


@private
def swarm_init_join_update_leave(side: Side, name: str) -> dict:
    from .apiclient_compare import make_side

    a_host, b_host = ENGINES["a"].unix_host, ENGINES["b"].unix_host
    a, b = side.api, make_side(side.kind, b_host).api
    out: dict[str, Any] = {}
    try:
        spec = a.create_swarm_spec(name="default", task_history_retention_limit=3, labels={"dkapi": "1"})
        node_id = a.init_swarm(advertise_addr="127.0.0.2", listen_addr="127.0.0.2:2377", swarm_spec=spec,
                               default_addr_pool=["10.250.0.0/16"], subnet_size=26, data_path_addr="127.0.0.2")
        out["init"] = (type(node_id).__name__, len(node_id))
        out["init_again"] = raises(lambda: a.init_swarm("127.0.0.2", listen_addr="127.0.0.2:2377"))
        sw = a.inspect_swarm()
        out["swarm"] = {"spec": sw["Spec"], "pool": sw.get("DefaultAddrPool"), "subnet": sw.get("SubnetSize")}
        out["join_bad_token"] = raises(lambda: b.join_swarm(["127.0.0.2:2377"], "SWMTKN-1-bad", listen_addr="127.0.0.3:2377"))
        out["join"] = b.join_swarm(["127.0.0.2:2377"], sw["JoinTokens"]["Worker"], listen_addr="127.0.0.3:2377",
                                   advertise_addr="127.0.0.3", data_path_addr="127.0.0.3")
        out["join_again"] = raises(lambda: b.join_swarm(["127.0.0.2:2377"], sw["JoinTokens"]["Worker"],
                                                        listen_addr="127.0.0.3:2377"))
        nodes = wait_for("two nodes", lambda: (lambda ns: ns if len(ns) == 2 else None)(a.nodes()))
        worker = next(n for n in nodes if n["ID"] != node_id)
        out["worker_role"] = worker["Spec"]["Role"]
        out["update_node"] = a.update_node(worker["ID"], worker["Version"]["Index"],
                                           {"Role": "worker", "Availability": "drain", "Labels": {"dkapi": "x"}})
        out["worker_spec"] = a.inspect_node(worker["ID"])["Spec"]
        out["update_node_stale"] = raises(lambda: a.update_node(worker["ID"], worker["Version"]["Index"], {"Role": "worker"}))
        tokens = sw["JoinTokens"]
        new_spec = a.create_swarm_spec(name="default", task_history_retention_limit=7, labels={"dkapi": "2"})
        out["update_swarm"] = a.update_swarm(sw["Version"]["Index"], new_spec, rotate_worker_token=True)
        sw2 = a.inspect_swarm()
        out["rotated"] = (sw2["JoinTokens"]["Worker"] != tokens["Worker"], sw2["JoinTokens"]["Manager"] == tokens["Manager"])
        out["spec2"] = sw2["Spec"]["Orchestration"], sw2["Spec"]["Labels"]
        out["update_swarm_stale"] = raises(lambda: a.update_swarm(sw["Version"]["Index"], new_spec))
        out["unlock_key_off"] = a.get_unlock_key()
        lock = dict(sw2["Spec"], EncryptionConfig={"AutoLockManagers": True})
        out["autolock"] = a.update_swarm(sw2["Version"]["Index"], lock)
        key = a.get_unlock_key()
        out["unlock_key_on"] = sorted(key), key["UnlockKey"].startswith("SWMKEY-")
        sw3 = a.inspect_swarm()
        out["rotate_key"] = a.update_swarm(sw3["Version"]["Index"], sw3["Spec"], rotate_manager_unlock_key=True)
        out["key_rotated"] = a.get_unlock_key()["UnlockKey"] != key["UnlockKey"]
        out["unlock_not_locked"] = raises(lambda: a.unlock_swarm(key["UnlockKey"]))
        out["unlock_dict_not_locked"] = raises(lambda: a.unlock_swarm({"UnlockKey": key["UnlockKey"]}))
        out["remove_active"] = raises(lambda: a.remove_node(worker["ID"]))
        out["worker_leave"] = b.leave_swarm()
        wait_for("the worker down", lambda: a.inspect_node(worker)["Status"]["State"] == "down")
        out["remove_node"] = a.remove_node(worker, force=True)
        out["nodes_after"] = len(a.nodes())
        out["manager_leave"] = raises(lambda: a.leave_swarm())
        out["manager_leave_force"] = a.leave_swarm(force=True)
        out["leave_again_force"] = a.leave_swarm(force=True)
        out["leave_again"] = raises(lambda: a.leave_swarm())
        out["inspect_outside"] = raises(lambda: a.inspect_swarm())
    finally:
        oracle_a, oracle_b = make_api("docker-py", a_host), make_api("docker-py", b_host)
        for o in (oracle_b, oracle_a):
            with contextlib.suppress(Exception):
                o.leave_swarm(force=True)
    return out


# ------------------------------------------------------------------------------------ the tests
test_scenario, test_same_answers = scenario.tests()


@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize("name", private.names())
def test_private_scenario(engines, name: str, kind: str) -> None:
    ENGINES["a"], ENGINES["b"] = engines
    private.host = lambda: engines[0].unix_host
    private.run(name, kind)


@pytest.mark.parametrize("name", private.names())
def test_private_same_answers(engines, name: str) -> None:
    ENGINES["a"], ENGINES["b"] = engines
    private.host = lambda: engines[0].unix_host
    private.compare(name)


def test_expected_answers_of_dockui(engines) -> None:
    """Some answers pinned down, so that the comparison cannot pass by both clients being wrong alike."""
    got = scenario.run("service_create_inspect_update_remove", "dockui")
    cs = got["first"]["TaskTemplate"]["ContainerSpec"]
    assert cs["Command"] == ["sh", "-c", "sleep 600"] and cs["Env"] == ["A=1", "B"] and cs["Hosts"] == ["10.9.9.9 db"]
    assert [m["Type"] for m in cs["Mounts"]] == ["bind", "volume", "tmpfs"] and cs["Mounts"][0]["ReadOnly"] is True
    assert got["second"]["Labels"]["k"] == "w" and got["second"]["TaskTemplate"]["ContainerSpec"]["Env"] == ["A=1", "B"]
    assert got["third"]["Mode"] == {"Replicated": {"Replicas": 0}} and not got["third"].get("Labels")
    assert got["third"]["TaskTemplate"]["ContainerSpec"]["Command"] == ["sleep", "60"]
    assert got["removed"] is True and got["gone"] == {"error": "NotFound", "status": 404}
    got = scenario.run("service_tasks_and_logs", "dockui")
    assert got["logs"] == [b"err-1", b"out-1", b"out-2"] and got["stdout"] == [b"out-1", b"out-2"]
    assert got["no_stream"]["error"] == "APIError"
    got = scenario.run("tty_service_logs_are_raw", "dockui")
    assert got["tty"] is True and b"tty-1\r\n" in got["raw"]  # a TTY's stream is raw: no frame headers
    got = scenario.run("secrets_create_inspect_list_remove", "dockui")
    assert "Data" not in got["spec"] and got["removed"] is True
    ENGINES["a"], ENGINES["b"] = engines
    private.host = lambda: engines[0].unix_host
    got = private.run("swarm_init_join_update_leave", "dockui")
    assert got["join"] is True and got["nodes_after"] == 1 and got["leave_again_force"] is True
    assert got["worker_spec"]["Availability"] == "drain" and got["rotated"] == [True, True]
