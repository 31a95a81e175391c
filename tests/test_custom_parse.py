"""Custom commands (issue 21 section 1) without an engine: parsing ``[[commands]]`` entries (a
broken one is a warning naming the entry and the field), templates expanded per argument (a
hostile value stays one argument; ``shell = true`` quotes it, checked by running ``sh``),
templates that would run a value as code refused, key clashes, the documented examples."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from dockui import custom
from dockui import kinds as registry
from dockui.config import load

HOSTILE = "x; rm -rf ~"
ESCAPES = "\x1b]52;c;ZXZpbA==\x07\x1b]0;zaptitle\x07\x1b[2Jzap\x9b2J$(touch /tmp/pwned)`id`'\""


@pytest.fixture(autouse=True)
def _reset_registry():
    yield
    custom.install([])  # no custom actions left on the kinds for the next test


def test_broken_entries_warn_naming_the_entry_and_the_field():
    specs, warnings = custom.parse([
        {"label": "nokey", "command": "echo"},
        {"key": "g", "label": "typo", "command": "echo {nmae}"},
        {"key": "g", "label": "badkind", "command": "echo", "kinds": ["containres"]},
        {"key": "g", "label": "badin", "command": "echo", "in": "cloud"},
        {"key": "g", "label": "setting", "command": "echo", "confrim": True},
        {"key": "g", "label": "quote", "command": "echo 'open"},
        {"key": "g", "label": "nolabelkey", "command": "echo {label:}"},
        {"key": "g", "label": "boolish", "command": "echo", "confirm": "yes"},
        "not a table",
        {"key": "G", "label": "good", "command": "echo {name} {label:a.b} {env:HOME}"},
    ])
    assert [s.label for s in specs] == ["good"]
    text = "\n".join(warnings)
    for entry, what in [("#1 'nokey'", "missing key"), ("#2 'typo'", "unknown field {nmae}"),
                        ("#3 'badkind'", "unknown kind 'containres'"), ("#4 'badin'", "bad in = 'cloud'"),
                        ("#5 'setting'", "unknown setting 'confrim'"), ("#6 'quote'", "cannot be split"),
                        ("#7 'nolabelkey'", "{label:} needs a name"), ("#8 'boolish'", "confirm should be true or false"),
                        ("#9", "should be a table")]:
        assert any(entry in w and what in w for w in warnings), (entry, what, text)
    assert specs[0].fields == ("name", "label:a.b", "env:HOME") and specs[0].needs_inspect


def test_config_file_commands_reach_the_parser(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[[commands]]\nkey = "D"\nlabel = "dive"\ncommand = "dive {image}"\nin = "host"\nterminal = true\n'
                    '[[commands]]\nlabel = "broken"\ncommand = "x"\n')
    cfg = load(path)
    specs, warnings = custom.parse(cfg.commands)
    assert [(s.key, s.where, s.terminal, s.args) for s in specs] == [("D", "host", True, ("dive", "{image}"))]
    assert warnings and "'broken'" in warnings[0] and "missing key" in warnings[0]


def test_fields_stay_one_argument_and_shell_quotes_them(tmp_path):
    kind = registry.get("containers")
    row = {"Id": "c" * 64, "Name": HOSTILE, "Image": ESCAPES, "Labels": {"k": "a b"}, "Project": "p"}
    specs, warnings = custom.parse([
        {"key": "g", "command": "prog --name={name} {image} {label:k} {{literal}} {engine}", "in": "host"},
        {"key": "h", "command": f"printf '%s|%s|%s' {{name}} {{image}} {{label:k}} > {tmp_path}/out", "in": "host",
         "shell": True},
    ])
    assert not warnings
    argv = custom.expand(specs[0], kind, row["Id"], row, "ctx-a")
    assert argv == ["prog", f"--name={HOSTILE}", ESCAPES, "a b", "{literal}", "ctx-a"]
    assert custom.expand(specs[0], kind, row["Id"], {**row, "Engine": "prod-2"}, "ctx-a")[-1] == "prod-2"
    sh = custom.expand(specs[1], kind, row["Id"], row, "")
    assert sh[:2] == ["sh", "-c"] and shlex.quote(HOSTILE) in sh[2]
    subprocess.run(sh, check=True, timeout=10)  # the shell gets each value as one quoted word
    assert (tmp_path / "out").read_text() == f"{HOSTILE}|{ESCAPES}|a b"
    assert not Path("/tmp/pwned").exists()
    with pytest.raises(custom.CommandFailed, match="no label 'missing'"):
        custom.expand(custom.parse([{"key": "g", "command": "x {label:missing}", "in": "host"}])[0][0], kind, "c", row, "")


def test_templates_that_would_run_a_value_as_shell_code_are_refused():
    entries = [
        {"key": "a", "label": "in-script", "command": "sh -c 'echo {name}'"},
        {"key": "b", "label": "bash-lc", "command": "/bin/bash -lc \"ls {label:dir}\""},
        {"key": "c", "label": "single", "command": "echo '{name}'", "shell": True},
        {"key": "d", "label": "double", "command": 'echo "$(date) {name}"', "shell": True},
        {"key": "e", "label": "backslash", "command": "echo \\{name}", "shell": True},
        {"key": "f", "label": "as-arg", "command": "sh -c 'echo \"$0\"' {name}"},  # fine: the value is $0
        {"key": "g", "label": "bare", "command": "echo {name} | tr a-z A-Z > /tmp/x-{id}", "shell": True},  # fine
    ]
    specs, warnings = custom.parse(entries)
    assert [s.label for s in specs] == ["as-arg", "bare"]
    for label, what in [("in-script", "inside the sh -c script"), ("bash-lc", "inside the /bin/bash -c script"),
                        ("single", "inside single quotes"), ("double", "inside double quotes"),
                        ("backslash", "after a backslash")]:
        assert any(f"'{label}'" in w and what in w for w in warnings), (label, warnings)
    kind = registry.get("containers")
    row = {"Id": "c" * 64, "Name": "$(touch /tmp/pwned); `id`"}
    argv = custom.expand(custom.parse([{"key": "h", "command": "echo {name}", "shell": True, "in": "host"}])[0][0],
                         kind, row["Id"], row, "")
    assert subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout == row["Name"] + "\n"
    assert not Path("/tmp/pwned").exists()


def test_keys_clash_with_builtins_unless_override():
    specs, _ = custom.parse([
        {"key": "l", "label": "my logs", "command": "echo"},  # l is logs: needs override
        {"key": "x", "label": "my stop", "command": "echo", "override": True},
        {"key": "q", "label": "quit?", "command": "echo", "override": True},  # the screen's own key
        {"key": "X", "label": "exit sort", "command": "echo"},  # a sort key (EXIT), read from the screen
    ])
    warnings = custom.install(specs)
    kind = registry.get("containers")
    assert any("'my logs'" in w and "'l'" in w and "override = true" in w for w in warnings), warnings
    assert any("'quit?'" in w and "dockui's own" in w for w in warnings), warnings
    assert any("'exit sort'" in w and "dockui's own" in w for w in warnings), warnings
    assert kind.action_by_key("l").label == "logs"
    assert kind.action_by_key("x").label == "my stop" and all(a.id != "stop" for a in kind.actions)
    custom.install([])
    assert registry.get("containers").action_by_key("x").label == "stop"


def test_the_documented_examples_load_without_warnings():
    from dockui.config import _tomllib

    tomllib = _tomllib()  # tomli on Python 3.10
    text = (Path(__file__).parent.parent / "config.example.toml").read_text()
    block = text[re.search(r"^# \[\[commands\]\]\s+#", text, re.M).start():]
    doc = tomllib.loads("\n".join(line[2:] if line.startswith("# ") else "" for line in block.splitlines()))
    specs, warnings = custom.parse(doc["commands"])
    assert not warnings and [s.label for s in specs] == ["psql", "health", "dive", "snapshot logs"]
    assert not custom.install(specs)
    assert registry.get("images").action_by_key("D").label == "dive"
