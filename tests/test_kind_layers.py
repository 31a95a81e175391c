"""Image layers and who uses what (issue 18 section 2), driven by Textual's pilot against the
sandbox engine: enter on an image shows its history (layer, size, age, created by) and the
containers that use it, and enter on one of them shows it in the containers view; enter on a
network or a volume shows the containers that use it."""

from __future__ import annotations

from dockui.screens.layers import created_by

from .conftest import IMAGE
from .kindview import make_app, run, unique, wait_text


def test_created_by_drops_the_nop_prefix():
    assert created_by("/bin/sh -c #(nop)  CMD [\"sh\"]") == 'CMD ["sh"]'


def test_image_layers_and_users_network_and_volume_users(client, make_container):
    name, net, vol, other = unique(), unique("dockui-t-net"), unique("dockui-t-vol"), unique()
    client.create_network(net)
    client.create_volume(vol)
    try:
        cid = make_container(name=name, host_config={"NetworkMode": net, "Binds": [f"{vol}:/data"]})
        make_container(name=other)  # same image, no network or volume of the test

        async def main():
            app = make_app("images")
            async with app.run_test(size=(160, 45), notifications=True) as pilot:
                await pilot.press("slash", *IMAGE.split(":")[0], "enter")
                await wait_text(pilot, app, [IMAGE, "[1/"])
                await pilot.press("enter")
                await wait_text(pilot, app, [f"layers of {IMAGE}", "LAYER", "SIZE", "AGE", "CREATED BY", "containers using it",
                                             name, other])
                await pilot.press("tab")
                for _ in range(200):  # to the test's container among every busybox container
                    table = app.screen.query_one("#users-table")
                    if table.cursor_row >= 0 and str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value) == cid:
                        break
                    await pilot.press("down")
                await pilot.press("enter")
                text = await wait_text(pilot, app, ["Containers", f"filter: id={cid[:12]}", name])
                assert other not in text
                await pilot.press("colon", *f"networks {net}", "enter")
                await wait_text(pilot, app, ["Networks", net])
                await pilot.press("enter")
                text = await wait_text(pilot, app, ["Containers", "filter: network=", name])
                assert other not in text
                await pilot.press("colon", *f"volumes {vol}", "enter")
                await wait_text(pilot, app, ["Volumes", vol])
                await pilot.press("enter")
                text = await wait_text(pilot, app, ["Containers", "filter: volume=", name])
                assert other not in text

        run(main())
    finally:
        client.remove_container(cid, force=True)
        client.remove_network(net)
        client.remove_volume(vol)
