"""Describe as YAML (issue 18 section 2): ``y`` in describe switches JSON/YAML. The emitter
(dockui/yamlout.py) is checked against PyYAML (the system's, in a subprocess: not a dependency
of dockui) on awkward strings and a real inspect document; the pilot test reads the rendered
YAML of a container whose labels hold markup, an escape sequence and several lines."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from dockui.yamlout import scalar, to_yaml

from .kindview import make_app, run, unique, wait_text

AWKWARD = ["", " x", "x ", "true", "no", "null", "~", "1.5", "0x1f", "1e3", "-", "- a", "a: b", "a #b", "#c", "@x", "*y",
           "&z", "!t", "%p", "|", ">", "[1]", "{a}", "'q'", '"d"', "a\nb", "a\nb\n", "a\n\nb\n\n", "\x1b]0;t\x07",
           "\u202e rtl", "tab\there", "ok-plain.value/1", "key=value", "x:", "C:\\path", "ünï", "[b]markup[/b]"]


def _pyyaml_loads(text: str):
    py = shutil.which("python3")
    if py is None:
        pytest.skip("no system python3 with PyYAML")
    done = subprocess.run([py, "-c", "import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))"],
                          input=text, capture_output=True, text=True)
    if done.returncode != 0 and "No module named 'yaml'" in done.stderr:
        pytest.skip("no PyYAML on the system")
    assert done.returncode == 0, done.stderr + "\n" + text
    return json.loads(done.stdout)


def test_yaml_reads_back_as_the_same_document(client, make_container):
    doc = {"strings": AWKWARD, "keys": {s: i for i, s in enumerate(AWKWARD) if s}, "nested": [[1, [2, {}]], {"a": [], "b": None}],
           "numbers": [0, -1, 2.5, True, False, None], "empty": {}, "list_of_maps": [{"x": 1, "y": {"z": "w"}}, {"q": [1]}]}
    assert _pyyaml_loads(to_yaml(doc)) == doc
    cid = make_container(labels={"multi": "line one\nline two\n", "hostile": "\x1b]0;pwned\x07[red]x[/red]"})
    real = client.inspect_container(cid)
    assert _pyyaml_loads(to_yaml(real)) == json.loads(json.dumps(real))


def test_scalars_are_plain_only_when_safe():
    assert scalar("web-1") == "web-1"
    assert scalar("true") == '"true"' and scalar("1.5") == '"1.5"' and scalar("a: b") == '"a: b"'
    assert "\x1b" not in to_yaml({"k": "\x1b[31m"}) and "\\u001b" in to_yaml({"k": "\x1b[31m"})


def test_describe_switches_to_yaml_and_back(make_container):
    name = unique()
    make_container("echo '[b]bold?[/b]'; sleep 600", name=name)

    async def main():
        app = make_app("containers")
        async with app.run_test(size=(160, 50), notifications=True) as pilot:
            await pilot.press("slash", *name, "enter")
            await wait_text(pilot, app, [f"filter: {name}", "[1/"])
            await pilot.press("d")
            await wait_text(pilot, app, ['"Path": "sh"', "y YAML"])
            await pilot.press("y")
            text = await wait_text(pilot, app, ["Path: sh", "Args:", '- "-c"', "[b]bold?[/b]", "State:", "  Status: running",
                                                "y JSON"])
            assert '"Path"' not in text
            await pilot.press("y")
            await wait_text(pilot, app, ['"Path": "sh"'])

    run(main())
