"""Networks and volumes: each documented call run through docker-py's ``APIClient`` and dockui's
``EngineClient`` on the sandbox engine, with the answers and the engine's resulting state compared
(see ``tests/apiclient_compare.py``). Every object made carries the run's unique name and is removed."""

from __future__ import annotations

import contextlib
from typing import Any

from .apiclient_compare import Scenarios, Side, make_api, raises
from .conftest import IMAGE, engine_host

scenario = Scenarios()


def _ipam(side: Side, subnet: str, gateway: str) -> dict:
    types = side.types
    if hasattr(types, "IPAMConfig") and hasattr(types, "IPAMPool"):
        return types.IPAMConfig(pool_configs=[types.IPAMPool(subnet=subnet, gateway=gateway)])
    return {"Driver": "default", "Config": [{"Subnet": subnet, "Gateway": gateway}], "Options": None}


def _net_state(doc: dict) -> dict:
    keep = ("Name", "Driver", "Scope", "EnableIPv6", "Internal", "Attachable", "Ingress", "Options", "Labels")
    out = {k: doc.get(k) for k in keep}
    out["IPAM"] = {"Driver": doc["IPAM"]["Driver"], "Config": doc["IPAM"]["Config"]}
    out["Containers"] = sorted((c["Name"], c["IPv4Address"]) for c in (doc.get("Containers") or {}).values())
    return out


@contextlib.contextmanager
def _cleanup(api: Any, networks: list[str] = (), volumes: list[str] = (), containers: list[str] = ()):
    try:
        yield
    finally:
        oracle = make_api("docker-py", engine_host())
        for c in containers:
            with contextlib.suppress(Exception):
                oracle.remove_container(c, force=True)
        for n in networks:
            with contextlib.suppress(Exception):
                oracle.remove_network(n)
        for v in volumes:
            with contextlib.suppress(Exception):
                oracle.remove_volume(v, force=True)


def _container(name: str) -> str:
    """A sleeping busybox container made by the oracle (setup, not under test)."""
    oracle = make_api("docker-py", engine_host())
    cid = oracle.create_container(IMAGE, ["sleep", "600"], name=name, labels={"dockui.test": "1"})["Id"]
    oracle.start(cid)
    return cid


# ------------------------------------------------------------------------------------ networks
@scenario
def create_inspect_remove_network(side: Side, name: str) -> dict:
    api = side.api
    with _cleanup(api, networks=[name]):
        made = api.create_network(name, driver="bridge", options={"com.docker.network.bridge.enable_icc": "true"},
                                  ipam=_ipam(side, "10.241.7.0/24", "10.241.7.1"), check_duplicate=True,
                                  internal=True, labels={"dockui.test": "1", "k": "v"}, attachable=True)
        by_id = api.inspect_network(made["Id"])
        by_name = api.inspect_network(name)
        by_dict = api.inspect_network(made)
        verbose = api.inspect_network(name, verbose=True, scope="local")
        removed = api.remove_network(made)
        gone = raises(lambda: api.inspect_network(name))
    return {"created": sorted(made), "warning": made.get("Warning"), "same": by_id == by_name == by_dict,
            "state": _net_state(by_id), "verbose": _net_state(verbose), "removed": removed, "gone": gone}


@scenario
def list_networks_by_names_ids_filters(side: Side, name: str) -> dict:
    api = side.api
    with _cleanup(api, networks=[name + "-a", name + "-b"]):
        a = api.create_network(name + "-a", labels={"dkapi": name, "which": "a"})
        b = api.create_network(name + "-b", labels={"dkapi": name, "which": "b"})

        def names(nets: list[dict]) -> list[str]:
            return sorted(n["Name"] for n in nets)

        out = {
            "names": names(api.networks(names=[name + "-a"])),
            "ids": names(api.networks(ids=[b["Id"]])),
            "both": names(api.networks(names=[name + "-a", name + "-b"])),
            "label": names(api.networks(filters={"label": f"dkapi={name}"})),
            "label_list": names(api.networks(filters={"label": [f"dkapi={name}", "which=b"]})),
            "custom": name + "-a" in names(api.networks(filters={"type": "custom"})),
            "builtin": name + "-a" in names(api.networks(filters={"type": "builtin"})),
            "names_and_filters": names(api.networks(names=[name + "-a", name + "-b"], filters={"label": "which=a"})),
            "all": {name + "-a", name + "-b"} <= set(names(api.networks())),
        }
        api.remove_network(a["Id"])
        api.remove_network(name + "-b")
    return out


@scenario
def connect_and_disconnect_a_container(side: Side, name: str) -> dict:
    api = side.api
    cname = name + "-c"
    peer = name + "-p"
    with _cleanup(api, networks=[name], containers=[cname, peer]):
        cid = _container(cname)
        _container(peer)
        net = api.create_network(name, ipam=_ipam(side, "10.241.8.0/24", "10.241.8.1"))
        api.connect_container_to_network(peer, name)
        ret = api.connect_container_to_network({"Id": cid}, net["Id"], ipv4_address="10.241.8.50",
                                               aliases=["alpha", "beta"], links=[(peer, "friend")],
                                               mac_address="02:42:0a:f1:08:32")
        oracle = make_api("docker-py", side.host)
        ep = oracle.inspect_container(cid)["NetworkSettings"]["Networks"][name]
        state = {k: ep.get(k) for k in ("IPAddress", "MacAddress", "Links", "IPAMConfig")}
        state["Aliases"] = sorted(a for a in ep.get("Aliases") or [] if a in ("alpha", "beta"))
        inspected = _net_state(api.inspect_network(name))
        off = api.disconnect_container_from_network(cid, name, force=True)
        after = name in oracle.inspect_container(cid)["NetworkSettings"]["Networks"]
        again = raises(lambda: api.disconnect_container_from_network(cname, name))
        null = raises(lambda: api.connect_container_to_network(None, name))
    return {"ret": ret, "endpoint": state, "network": inspected, "off": off, "still_there": after,
            "again": again, "null": null}


@scenario
def ipv6_scope_ingress_and_endpoint_options(side: Side, name: str) -> dict:
    api, t = side.api, side.types
    cname = name + "-c"
    with _cleanup(api, networks=[name], containers=[cname]):
        ipam = t.IPAMConfig(pool_configs=[t.IPAMPool(subnet="10.241.9.0/24"), t.IPAMPool(subnet="fd00:dead:beef::/64")])
        net = api.create_network(name, enable_ipv6=True, scope="local", ipam=ipam, labels={"dockui.test": "1"})
        doc = api.inspect_network(net["Id"], scope="local")
        cid = _container(cname)
        api.connect_container_to_network(cid, name, ipv6_address="fd00:dead:beef::99", link_local_ips=["169.254.10.10"],
                                         driver_opt={"com.example.opt": "1"})
        ep = make_api("docker-py", side.host).inspect_container(cid)["NetworkSettings"]["Networks"][name]
        second_ingress = raises(lambda: api.create_network(name + "-ing", driver="overlay", ingress=True))
        wrong_scope = raises(lambda: api.inspect_network(name, scope="swarm"))
        api.disconnect_container_from_network(cid, name)
        api.remove_network(name)
    return {"ipv6": doc["EnableIPv6"], "scope": doc["Scope"], "ipam": doc["IPAM"]["Config"],
            "endpoint": {"IPAMConfig": ep.get("IPAMConfig"), "DriverOpts": ep.get("DriverOpts"),
                         "GlobalIPv6Address": ep.get("GlobalIPv6Address")},
            "second_ingress": second_ingress, "wrong_scope": wrong_scope}


@scenario
def prune_networks_by_label(side: Side, name: str) -> dict:
    api = side.api
    with _cleanup(api, networks=[name + "-x", name + "-y"]):
        api.create_network(name + "-x", labels={"dkapi": name})
        api.create_network(name + "-y", labels={"dkapi": name})
        pruned = api.prune_networks(filters={"label": f"dkapi={name}"})
    return {"pruned": sorted(pruned["NetworksDeleted"] or []), "keys": sorted(pruned)}


@scenario
def network_errors_and_version_checks(side: Side, name: str) -> dict:
    api = side.api
    old = side.other_version("1.24")
    with _cleanup(api, networks=[name]):  # nothing should be made; a wrong client could make it
        return _network_errors(api, old, name)


def _network_errors(api: Any, old: Any, name: str) -> dict:
    return {
        "missing": raises(lambda: api.inspect_network(name)),
        "remove_missing": raises(lambda: api.remove_network(name)),
        "null": raises(lambda: api.inspect_network(None)),
        "null_remove": raises(lambda: api.remove_network("")),
        "options_type": raises(lambda: api.create_network(name, options=["a=b"])),
        "labels_type": raises(lambda: api.create_network(name, labels=["a=b"])),
        "prune_old": raises(lambda: old.prune_networks()),
        "ingress_old": raises(lambda: old.create_network(name, ingress=True)),
        "scope_old": raises(lambda: old.create_network(name, scope="local")),
        "verbose_old": raises(lambda: old.inspect_network("bridge", verbose=True)),
        "duplicate_builtin": raises(lambda: api.create_network("bridge", check_duplicate=True)),
        "no_left_over": api.networks(names=[name]) == [],
    }


# ------------------------------------------------------------------------------------ volumes
def _vol_state(doc: dict) -> dict:
    return {k: doc.get(k) for k in ("Name", "Driver", "Labels", "Options", "Scope")}


@scenario
def create_inspect_remove_volume(side: Side, name: str) -> dict:
    api = side.api
    with _cleanup(api, volumes=[name]):
        made = api.create_volume(name, driver="local", driver_opts={"type": "tmpfs", "device": "tmpfs", "o": "size=1m"},
                                 labels={"dockui.test": "1", "k": "v"})
        seen = api.inspect_volume(name)
        removed = api.remove_volume(name)
        gone = raises(lambda: api.inspect_volume(name))
    return {"made": _vol_state(made), "seen": _vol_state(seen), "mountpoint": bool(seen.get("Mountpoint")),
            "removed": removed, "gone": gone}


@scenario
def anonymous_volume_and_forced_removal(side: Side, name: str) -> dict:
    api = side.api
    made = api.create_volume(labels={"dkapi": name})
    vname = made["Name"]
    with _cleanup(api, volumes=[vname]):
        forced = api.remove_volume(vname, force=True)
        missing = raises(lambda: api.remove_volume(name))
    # (``remove_volume(missing, force=True)`` is not compared: docker-py 7 builds the query but never
    # sends it, so the engine answers 404; dockui sends ``force`` as documented and gets no error)
    return {"name_is_id": len(vname) == 64, "driver": made["Driver"], "labels": made["Labels"], "forced": forced,
            "missing": missing}


@scenario
def list_volumes_with_filters(side: Side, name: str) -> dict:
    api = side.api
    with _cleanup(api, volumes=[name + "-a", name + "-b"]):
        api.create_volume(name + "-a", labels={"dkapi": name, "which": "a"})
        api.create_volume(name + "-b", labels={"dkapi": name, "which": "b"})

        def names(doc: dict) -> list[str]:
            return sorted(v["Name"] for v in doc.get("Volumes") or [])

        out = {
            "keys": sorted(api.volumes()),
            "label": names(api.volumes(filters={"label": f"dkapi={name}"})),
            "label_list": names(api.volumes(filters={"label": [f"dkapi={name}", "which=a"]})),
            "name": names(api.volumes(filters={"name": name + "-b"})),
            "dangling": sorted(n for n in names(api.volumes(filters={"dangling": True})) if n.startswith(name)),
            "not_dangling": [n for n in names(api.volumes(filters={"dangling": False})) if n.startswith(name)],
            "driver": sorted(n for n in names(api.volumes(filters={"driver": "local"})) if n.startswith(name)),
        }
        api.remove_volume(name + "-a")
        api.remove_volume(name + "-b")
    return out


@scenario
def prune_volumes_by_label(side: Side, name: str) -> dict:
    api = side.api
    with _cleanup(api, volumes=[name + "-x", name + "-y", name + "-keep"]):
        api.create_volume(name + "-x", labels={"dkapi": name})
        api.create_volume(name + "-y", labels={"dkapi": name})
        api.create_volume(name + "-keep", labels={"other": name})
        pruned = api.prune_volumes(filters={"label": f"dkapi={name}"})
        kept = api.inspect_volume(name + "-keep")["Name"]
    return {"pruned": sorted(pruned["VolumesDeleted"] or []), "space": pruned["SpaceReclaimed"], "kept": kept}


@scenario
def volume_errors_and_version_checks(side: Side, name: str) -> dict:
    api = side.api
    old = side.other_version("1.24")
    with _cleanup(api, volumes=[name]):
        return _volume_errors(api, old, name)


def _volume_errors(api: Any, old: Any, name: str) -> dict:
    return {
        "missing": raises(lambda: api.inspect_volume(name)),
        "driver_opts_type": raises(lambda: api.create_volume(name, driver_opts=["a=b"])),
        "labels_type": raises(lambda: api.create_volume(name, labels=["a=b"])),
        "prune_old": raises(lambda: old.prune_volumes()),
        "force_old": raises(lambda: old.remove_volume(name, force=True)),
        "bad_driver": raises(lambda: api.create_volume(name, driver="dockui-no-such-driver")),
        "no_left_over": not any(v["Name"] == name for v in api.volumes().get("Volumes") or []),
    }


# ------------------------------------------------------------------------------------ the tests
test_scenario, test_same_answers = scenario.tests()


def test_expected_answers_of_dockui() -> None:
    """A few answers pinned down, so that the comparison cannot pass by both clients being wrong alike."""
    got = scenario.run("create_inspect_remove_network", "dockui")
    assert got["same"] is True and got["removed"] is None
    assert got["state"]["Internal"] is True and got["state"]["Attachable"] is True
    assert got["state"]["IPAM"]["Config"] == [{"Subnet": "10.241.7.0/24", "Gateway": "10.241.7.1"}]
    assert got["gone"] == {"error": "NotFound", "status": 404}
    got = scenario.run("connect_and_disconnect_a_container", "dockui")
    assert got["endpoint"]["Aliases"] == ["alpha", "beta"]
    assert got["endpoint"]["IPAMConfig"] == {"IPv4Address": "10.241.8.50"}
    assert got["still_there"] is False and got["null"]["error"] == "NullResource"
    got = scenario.run("network_errors_and_version_checks", "dockui")
    assert got["prune_old"] == {"error": "InvalidVersion"} and got["options_type"] == {"error": "TypeError"}
    dockui = make_api("dockui", engine_host())
    assert dockui.remove_volume("dockui-t-no-such-volume", force=True) is None  # force reaches the engine
    vol = dockui.create_volume(labels={"dockui.test": "1"})  # dockui also takes a volume's dict
    assert dockui.inspect_volume(vol)["Name"] == vol["Name"] and dockui.remove_volume(vol) is None
    got = scenario.run("list_networks_by_names_ids_filters", "dockui")
    assert got["names"] == ["<name>-a"] and got["ids"] == ["<name>-b"] and got["names_and_filters"] == ["<name>-a"]
