"""The label filter (issue 18 section 2): ``/label=KEY=VALUE`` and ``/label=KEY`` on any kind with
labels, read on the rendered table: containers (``Labels``) and volumes; a quoted value is
matched exactly, a kind without the label shows nothing."""

from __future__ import annotations

from dockui.labels import labels_of, matcher

from .kindview import make_app, run, unique, wait_text


def test_matcher_and_where_labels_live():
    row = {"Spec": {"Labels": {"tier": "web", "x y": "a b"}}}
    assert labels_of(row)["tier"] == "web" and labels_of({"Labels": None}) == {}
    assert matcher("tier=web")(row) and matcher("tier")(row) and not matcher("tier=we")(row)
    assert matcher('"x y"="a b"')(row) and not matcher("missing")(row)


def test_label_filter_on_containers_and_volumes(client, make_container):
    tag = unique("t")
    web, db, plain = unique(), unique(), unique()
    make_container(name=web, labels={"dockui.tier": f"web-{tag}"})
    make_container(name=db, labels={"dockui.tier": f"db-{tag}"})
    make_container(name=plain)
    vol = client.create_volume(unique("dockui-t-vol"), labels={"dockui.tier": f"web-{tag}"})["Name"]
    try:
        async def main():
            app = make_app("containers")
            async with app.run_test(size=(200, 40), notifications=True) as pilot:
                await pilot.press("slash", *f"label=dockui.tier=web-{tag}", "enter")
                await wait_text(pilot, app, [web, "[1/"], absent=[db, plain])
                await pilot.press("escape")
                await pilot.press("slash", *"label=dockui.tier", "enter")
                await wait_text(pilot, app, [web, db], absent=[plain])
                await pilot.press("escape")
                await pilot.press("colon", *f"volumes label=dockui.tier=web-{tag}", "enter")
                await wait_text(pilot, app, ["Volumes", vol, "[1/"])

        run(main())
    finally:
        client.remove_volume(vol)
