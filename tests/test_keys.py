"""Every key a kind declares reaches what it declares: its sort keys (a column whose key is in
``SORT_KEYS``) and its actions, with no two bindings of one view on one key unless intended.

How a key travels on the resource screen (Textual 8): the app's priority bindings first, then
``ResourcesScreen.on_key`` (sort keys, then the kind's actions), and only a key it leaves alone
goes on to the table's, the screen's and the app's bindings. So a kind's action shadows a
binding of the same key, and a global sort letter shadowed the nodes' ``A`` (activate): nodes
have no AGE column, and on_key returned on ``A`` without looking at the kind's actions.
"""

from __future__ import annotations

import pytest

from dockui import kinds as registry
from dockui.app import DockuiApp
from dockui.engine import EngineClient
from dockui.screens.resources import SORT_KEYS, ResourcesScreen, sort_for
from dockui.widgets.table import ResourceTable

from .conftest import engine_host
from .kindview import run, wait_text

LETTER = {name: letter for letter, name in SORT_KEYS.items()}

# a kind's action that takes a key a binding of the view also has, on purpose: services' ``-``
# scales down (README: services ``+`` ``-`` scale); ``[`` still goes back there
INTENDED = {("services", "minus")}


def _binding_keys(bindings) -> set[str]:
    return {k.strip() for b in bindings for k in b.key.split(",")}


PRIORITY = {k.strip() for b in DockuiApp.BINDINGS if b.priority for k in b.key.split(",")}
BINDINGS = _binding_keys(ResourcesScreen.BINDINGS) | _binding_keys(ResourceTable.BINDINGS) | _binding_keys(
    b for b in DockuiApp.BINDINGS if not b.priority)


@pytest.mark.parametrize("name", list(registry.KINDS))
def test_every_sort_key_of_a_kind_sorts_it(name):
    kind = registry.KINDS[name]
    for col in kind.columns:
        if col.key in LETTER:
            letter = LETTER[col.key]
            assert sort_for(kind, letter) == col.key, (name, letter)
            assert sort_for(kind, f"shift+{letter.lower()}") == col.key, (name, letter)
            assert col.sort is not None, f"{name}: {letter} sorts by {col.key}, a column with no sort"
            assert letter not in PRIORITY


@pytest.mark.parametrize("name", list(registry.KINDS))
def test_every_action_key_of_a_kind_reaches_its_action(name):
    kind = registry.KINDS[name]
    for act in kind.actions:
        assert sort_for(kind, act.key) == "", f"{name}: {act.key} sorts instead of running {act.id}"
        assert kind.action_by_key(act.key) is act, f"{name}: {act.key} runs {kind.action_by_key(act.key).id}, not {act.id}"
        assert act.key not in PRIORITY, f"{name}: {act.key} is the app's"
        if act.key in BINDINGS:
            assert (name, act.key) in INTENDED, f"{name}: action {act.id} hides the view's binding of {act.key}"


def test_no_key_is_bound_twice_in_one_kind():
    for name, kind in registry.KINDS.items():
        sorts = [LETTER[c.key] for c in kind.columns if c.key in LETTER]
        keys = sorts + [a.key for a in kind.actions]
        twice = {k for k in keys if keys.count(k) > 1}
        assert not twice, f"{name}: {sorted(twice)} bound twice"


def test_nodes_a_reaches_activate_on_screen():
    """The nodes view's ``A``: read-only, so the activate action says it is refused (before the
    fix nothing at all happened: the key was taken for a sort by AGE, a column nodes lack)."""
    async def go():
        app = DockuiApp(EngineClient(engine_host(), timeout=30, readonly=True), first_screen="nodes")
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await wait_text(pilot, app, ["Nodes [", "ready"], timeout=30)
            await pilot.press("A")
            await wait_text(pilot, app, ["read-only mode: activate is disabled"], timeout=20)
            await pilot.press("S")  # a sort letter nodes have still sorts
            await wait_text(pilot, app, ["sort: state asc"], timeout=20)

    run(go())


def test_help_lists_the_sort_keys_of_the_kind_shown():
    """``?`` on nodes names the sorts nodes have (not AGE, whose letter is their activate)."""
    async def go():
        app = DockuiApp(EngineClient(engine_host(), timeout=30), first_screen="nodes")
        async with app.run_test(size=(160, 50)) as pilot:
            await wait_text(pilot, app, ["Nodes [", "ready"], timeout=30)
            await pilot.press("question_mark")
            text = await wait_text(pilot, app, ["sort by name, state, engine (again: reverse)", "activate"], timeout=20)
            assert "age" not in text.split("sort by", 1)[1].splitlines()[0], text

    run(go())
