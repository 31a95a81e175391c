"""The resource screen: any kind, drawn from the kinds registry; filter, sort, command mode and actions.

It renders store snapshots only (handed over by the app's ``store_signal``); it reads the app's
state (store, stats, config, client) and asks the app for what changes the engine with typed
messages (``RunAction``, ``RunCommand``, ``Handover``). Prompts and confirm dialogs are its own.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from .. import kinds as registry
from ..ansi import one_line
from ..filters import split_terms, unquote
from ..fleet.kinds import with_engine
from ..kinds import Action, Column, Kind
from ..messages import Handover, RunAction, RunCommand, Touched
from ..widgets.detail import DetailPane
from ..widgets.prompt import PromptInput
from ..widgets.quiet import QuietStatic
from ..widgets.table import ResourceTable

if TYPE_CHECKING:  # panes import pyte and the session code: loaded with the first pane, not at start
    from ..widgets.sessionpane import SessionEnded, SessionPane

SORT_KEYS = {"N": "name", "S": "state", "C": "cpu", "M": "mem", "A": "age", "I": "image", "E": "engine", "W": "reason", "O": "restarts", "X": "exit"}


def sort_for(kind: Kind, key: str) -> str:
    """The column key ``key`` sorts ``kind`` by, or "" when the kind has no such column: the key
    then goes on to the kind's actions (nodes' ``A`` activates; nodes have no AGE column)."""
    letter = key[-1].upper() if key.startswith("shift+") and len(key) == 7 else key
    name = SORT_KEYS.get(letter, "")
    return name if any(c.key == name for c in kind.columns) else ""


def _any_match(got: Any, want: str, exact: bool) -> bool:
    """A kind's filter field against a typed value: exactly (quoted) or as a case-blind prefix;
    a field with several values (tuple, list, set) matches when one of them does."""
    values = got if isinstance(got, (tuple, list, set, frozenset)) else (got,)
    w = want if exact else want.lower()
    return any((str(g) == w) if exact else str(g).lower().startswith(w) for g in values)


def _haystack(cells: tuple, stats: set[int]) -> str:
    """What the filter searches in a row: its cells' text, lower case. Stats cells are left
    out, so the rows a filter shows do not change with every stats tick."""
    return " ".join(c.plain if isinstance(c, Text) else c for i, c in enumerate(cells) if i not in stats).lower()


class _CellCache(dict):
    """Per row id: (row, cells, filter text or None, sort key). ``epoch`` counts its clears, so
    what was worked out from the cached cells (``_pairs_for``) knows when it went stale."""

    epoch = 0

    def clear(self) -> None:
        self.epoch += 1
        super().clear()


class ResourcesScreen(Screen):
    """The main screen: one kind at a time, k9s style."""

    BINDINGS = [
        Binding("colon", "command", "command", id="command"),
        Binding("slash", "filter", "filter", id="filter"),
        Binding("question_mark", "help", "help", id="help"),
        Binding("escape", "clear", "clear filter / back", id="clear", show=False),
        Binding("q", "back", "back / quit", id="back"),
        Binding("enter", "drill", "open", id="drill", show=False),
        Binding("ctrl+r", "reload", "reload", id="reload", show=False),
        Binding("minus,left_square_bracket", "history_back", "previous view", id="history_back", show=False),
        Binding("right_square_bracket", "history_forward", "next view", id="history_forward", show=False),
        Binding("ctrl+z", "faults", "faults only", id="faults", show=False),
        Binding("space", "mark", "mark row", id="mark", show=False),
        Binding("c", "copy", "copy id", id="copy", show=False),
        Binding("i", "details", "details pane", id="details", show=False),
        Binding("ctrl+right_square_bracket", "leave_pane", "leave pane", id="leave_pane", show=False),
        Binding("ctrl+t", "next_pane", "pane / next session", id="next_pane", show=False),
        Binding("z", "zoom", "zoom pane", id="zoom", show=False),
        Binding("ctrl+w", "close_pane", "close session", id="close_pane", show=False),
    ]
    DEFAULT_CSS = """
    ResourcesScreen #crumbs { height: 1; background: $boost; text-wrap: nowrap; text-overflow: clip; }
    ResourcesScreen #hints { dock: bottom; height: 1; color: $text-muted; text-wrap: nowrap; text-overflow: clip; }
    ResourcesScreen.-prompting #hints { offset-y: -1; color: $foreground; }
    ResourcesScreen #message { height: auto; display: none; }
    ResourcesScreen #message.-visible { display: block; }
    ResourcesScreen #panes { height: 55%; display: none; }
    ResourcesScreen #panes.-open { display: block; }
    ResourcesScreen.-zoomed #panes.-open { height: 1fr; }
    ResourcesScreen.-zoomed ResourceTable, ResourcesScreen.-zoomed #crumbs { display: none; }
    """

    def __init__(self, kind: str = "containers") -> None:
        super().__init__()
        self.kind = registry.ALIASES.get(kind, "containers")
        self.filter = ""
        self.sort_key = registry.KINDS[self.kind].default_sort
        self.sort_reverse = registry.KINDS[self.kind].default_reverse
        self.history: list[tuple[str, str]] = []
        self.forward: list[tuple[str, str]] = []
        self.faults_only = False
        self.marks: set[str] = set()
        self._shown_columns: tuple[Column, ...] = ()
        self._stats_live: set[str] = set()
        self._stats_behind: set[str] = set()  # rows off screen whose stats cells are older than their figures
        self._restat = False
        self.prompt_mode = ""
        self._cells: _CellCache = _CellCache()
        self._pairs: dict[int, tuple[list[str], int, list[tuple[str, str]]]] = {}  # see _pairs_for
        self._last_paint = 0.0
        self._paint_timer = None

    # --- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield QuietStatic(id="crumbs")
        yield Static(id="message")
        yield ResourceTable(id="table")
        yield DetailPane(id="detail")
        yield Vertical(id="panes")
        yield QuietStatic(id="hints")
        yield PromptInput(id="prompt")

    def on_mount(self) -> None:
        self.app.store_signal.subscribe(self, self._on_touched, immediate=True)
        self.app.ctx.now = time.time()  # the clock every AGE and STATUS cell counts from (see _clock_tick)
        self.show_kind(self.kind, self.filter)
        self.call_after_refresh(self.repaint, True)  # the first paint says "connecting" before any data
        self.set_interval(0.5, self._update_interest)
        self.set_interval(self.CLOCK_TICK, self._clock_tick)

    @property
    def table(self) -> ResourceTable:
        return self.query_one("#table", ResourceTable)

    @property
    def kind_(self) -> Kind:
        """The registry's record of the kind shown: how it is drawn, filtered and acted on."""
        kind = registry.KINDS[self.kind]
        return with_engine(kind) if getattr(self.app.store, "fleet", False) else kind  # a fleet: ENGINE, /engine=

    spec = kind_

    # --- switching kinds ------------------------------------------------------------------------
    def show_kind(self, kind: str, filt: str = "", remember: bool = True) -> None:
        if remember and (kind, filt) != (self.kind, self.filter) and self.is_mounted:
            self.history.append((self.kind, self.filter))
            del self.history[:-20]
            self.forward.clear()
        if kind != self.kind:
            self.marks.clear()
        was_tasks = self.kind_.wants_poll
        self.kind, self.filter = kind, filt
        self.sort_key, self.sort_reverse = self.spec.default_sort, self.spec.default_reverse
        self._cells.clear()
        is_tasks = registry.KINDS[kind].wants_poll
        if was_tasks != is_tasks or not hasattr(self, "_tasks_on"):
            store = self.app.store
            if getattr(self, "_tasks_on", False):
                store.want_tasks(False)
            self._tasks_on = is_tasks
            if is_tasks:
                store.want_tasks(True)
        self._fit_columns()
        self.repaint(force=True)
        self.table.focus()

    def _fit_columns(self) -> bool:
        """Drop columns by priority until the rest fit the terminal's width; True if the table was reset."""
        width = max(20, self.size.width or self.app.size.width)
        cols = [c for c in self.spec.columns if self.faults_only or not c.faults]  # REASON: faults-only
        chosen = self.app.config.columns.get(self.kind)
        if chosen:
            by_key = {c.key: c for c in cols}
            cols = [by_key[k] for k in chosen if k in by_key] or cols
        while len(cols) > 2 and sum(c.width + 2 for c in cols) > width:
            worst = max(range(len(cols)), key=lambda i: (cols[i].priority, i))  # lowest priority, rightmost first
            if cols[worst].priority <= 1:
                break
            del cols[worst]
        cols = tuple(cols)
        spare = width - sum(c.width + 2 for c in cols if c.key != "name") - 4
        name_width = max(16, min(60, spare))
        if cols != self._shown_columns or name_width != self.app.ctx.name_width:
            self._shown_columns = cols
            self.app.ctx.name_width = name_width
            self._cells.clear()
            self.table.set_columns([(c.key, c.label) for c in cols], force=True)
            return True
        return False

    def on_resize(self, event) -> None:
        if self.is_mounted and self._fit_columns():
            self.repaint(force=True)  # the table was reset for the new widths: fill it again

    # --- painting -------------------------------------------------------------------------------
    def _on_touched(self, touched: Touched) -> None:
        """The app's store signal (on the UI thread, coalesced): the store, the stats or the engine changed."""
        if not self.is_mounted or self._closing or not self.query("#table"):
            return
        kind = self.kind_
        if touched.engine_switched:  # another engine: forget cached cells, ask for task polling again
            if getattr(self, "_tasks_on", False):
                self.app.store.want_tasks(True)
            self._cells.clear()
            self._fit_columns()  # a fleet adds the ENGINE column
            self.repaint(force=True)
            return
        if touched.stats_only:
            if kind.stats and self.is_current:
                self._restat = True
                self.repaint()  # stats ticks are throttled
            return
        kinds = touched.kinds
        if self.kind not in kinds and not kinds.intersection(kind.repaint_on):
            self.repaint_header_only()
            self._update_message()
            return
        if kinds.intersection(kind.repaint_on):
            self._cells.clear()  # its cells read those kinds (a secret's USED BY): rows unchanged themselves are stale
        elif self._patch_changed(touched) or self._patch_membership(touched):
            return
        self.repaint(force=True)  # engine changes show at once (the store already batches them)

    def _patch_changed(self, touched: Touched) -> bool:
        """The store's per-id diff, applied to the rows it names only: when the change only
        replaced rows of this kind (none came or went), the view is unfiltered and each row keeps
        its sort key, their new cells are patched into the table in place (O(rows named), not a
        pass over every row). False when a full pass is needed."""
        ch, name = touched.change, self.kind
        ids = ch.changed.get(name)
        if not ids or ch.added.get(name) or ch.removed.get(name) or self.filter.strip() or self.faults_only:
            return False
        if not self.table.row_count:
            return False  # the first paint has not happened
        # a stats tick's throttled paint may be pending (the only paint put off): it still runs
        # after this patch, and then finds the rows in step (a full pass here took 20-300 ms at
        # 10,000 containers, between a container's create event and its row on screen)
        view = getattr(self, "_rows_key", None)
        now = self._view_key()
        if view is None or view[:2] != now[:2] or view[3:] != now[3:]:
            return False  # something besides these rows changed since the last full pass
        snap, ctx, cache = self.app.store.snapshot(name), self.app.ctx, self._cells
        columns = self._shown_columns or self.spec.columns
        _, keyf, tie = self._sorting()
        new: dict[str, tuple] = {}
        for rid in ids:
            row, hit = snap.get(rid), cache.get(rid)
            if row is None or hit is None:
                return False
            if hit[0] is row:
                continue
            key = (keyf(row, ctx), tie(row, ctx), rid)
            if key != hit[3]:
                return False  # its place in the order may change
            new[rid] = (row, self._styled(rid, row, tuple(c.cell(row, ctx) for c in columns)), None, key)
        cache.update(new)
        self.table.update_rows({rid: hit[1] for rid, hit in new.items()})
        self._rows_key = now
        self._last_paint = time.monotonic()
        self.repaint_header_only(self.table.row_count)
        self._paint_hints()
        self._update_message()
        self._paint_detail()
        return True

    def _patch_membership(self, touched: Touched) -> bool:
        """Rows of this kind came, went or moved (a container created or removed): with the view
        unfiltered and sorted by something other than a live figure, each new or moved row is put
        in its place in the order shown by a binary search, instead of a full pass that builds and
        sorts every row (~100 ms at 10,000 containers for one new row). False when a full pass is
        needed; the result must hold every row of the snapshot, else it is not used."""
        ch, name = touched.change, self.kind
        added, removed, changed = ch.added.get(name, frozenset()), ch.removed.get(name, frozenset()), ch.changed.get(name, frozenset())
        if not (added or removed) or self.filter.strip() or self.faults_only or removed & self.marks:
            return False
        if not self.table.row_count:
            return False  # the first paint has not happened (a pending stats paint: see _patch_changed)
        view = getattr(self, "_rows_key", None)
        now = self._view_key()
        if view is None or view[:2] != now[:2] or view[3:] != now[3:]:
            return False
        sort_col, keyf, tie = self._sorting()
        if sort_col.stats or getattr(self, "_str_sorted", True):
            return False  # the order follows the figures (every row takes part), or keys of mixed types
        snap, ctx, cache = self.app.store.snapshot(name), self.app.ctx, self._cells
        columns = self._shown_columns or self.spec.columns
        order = self.table._order
        gone = set(removed)
        placed: list[tuple[tuple, str]] = []
        fresh: dict[str, tuple] = {}  # the rows whose cells were built here: new, moved or changed in place
        for rid in (*added, *changed):
            row = snap.get(rid)
            if row is None:
                return False
            hit = cache.get(rid)
            if hit is not None and hit[0] is row:
                continue
            key = (keyf(row, ctx), tie(row, ctx), rid)
            if hit is not None and key != hit[3]:
                gone.add(rid)  # moves: out, then in at its new place
            elif hit is None and rid not in added:
                return False  # a changed row this view never built: something was missed
            if hit is None or key != hit[3]:
                placed.append((key, rid))
            cells = fresh[rid] = self._styled(rid, row, tuple(c.cell(row, ctx) for c in columns))
            cache[rid] = (row, cells, None, key)
        new_order = [rid for rid in order if rid not in gone] if gone else list(order)
        rev = self.sort_reverse
        try:
            for key, rid in sorted(placed, reverse=rev):
                lo, hi = 0, len(new_order)
                while lo < hi:  # the first row that sorts after the new one
                    mid = (lo + hi) // 2
                    other = cache[new_order[mid]][3]
                    if (other < key) if rev else (key < other):
                        hi = mid
                    else:
                        lo = mid + 1
                new_order.insert(lo, rid)
        except (TypeError, KeyError):
            return False
        if len(new_order) != len(snap):
            return False  # not every row of the snapshot: something was missed; a full pass will say
        for rid in removed:
            cache.pop(rid, None)
        shown_before = set(self.table.visible_ids())
        self.table.splice(new_order, fresh)
        base_key = self._base_key()
        self._base = (base_key, new_order)
        self._last_text = (base_key, "", False, new_order)
        self._synced = new_order
        self._rows_key = now
        self._last_paint = time.monotonic()
        # only the rows that came on screen can show older ages (the others are kept current by the
        # clock tick; the new ones were just built): ~2 ms less per created container at 200x60
        self._refresh_clock_cells(only=set(self.table.visible_ids()) - shown_before - fresh.keys())
        self.repaint_header_only(self.table.row_count)
        self._paint_hints()
        self._update_message()
        self._paint_detail()
        return True

    def repaint(self, force: bool = False) -> None:
        """Repaint now if the last paint is old enough, else once, a little later."""
        now = time.monotonic()
        wait = self.app.MIN_REPAINT - (now - self._last_paint)
        if force or wait <= 0:
            if self._paint_timer is not None:
                self._paint_timer.stop()
                self._paint_timer = None
            self._paint()
        elif self._paint_timer is None:
            self._paint_timer = self.set_timer(wait, self._deferred_paint)

    def _deferred_paint(self) -> None:
        self._paint_timer = None
        self._paint()

    def rows(self, stats_only: bool = False, want_cells: bool = True) -> list[tuple[str, tuple]]:
        """The rows this screen shows now: filtered and sorted cells per id.

        Cells, the filter's haystack and the sort key are cached per row and rebuilt only when the
        store replaced that row (a new summary object); on a stats tick only the rows with live
        stats streams get new stats cells. Cost per paint is a pass over the ids, not a render.
        """
        spec, ctx = self.spec, self.app.ctx
        columns = self._shown_columns or spec.columns
        snap = self.app.store.snapshot(self.kind)
        field_filter, text_filter, negate = self._parse_filter()
        base_key = self._base_key()
        if not stats_only:
            fast = self._rows_by_text(base_key, text_filter, negate, want_cells)
            if fast is not None:
                return fast
        cache = self._cells
        stats_cols = [i for i, c in enumerate(columns) if c.stats]
        stats_set = set(stats_cols)
        sort_col, keyf, name = self._sorting()
        live = self.app.stats.active() if stats_cols else set()
        restat = (live | self._stats_live) if stats_only else set()
        self._stats_live = live
        if restat and not sort_col.stats:  # as in _restat_in_place: the rows on screen only
            restat = self._on_screen_now(restat)
        elif restat:  # sorted by a figure: every row's key is built again (they all take part)
            restat |= self._stats_behind
            self._stats_behind = set()
        out = []
        for rid, row in snap.items():
            if field_filter and not all(str(f(row)) == v if exact else str(f(row)).lower().startswith(v) for f, v, exact in field_filter):
                continue
            if self.faults_only and not spec.fault(row, ctx):
                continue
            hit = cache.get(rid)
            if hit is None or hit[0] is not row:
                cells = self._styled(rid, row, tuple(c.cell(row, ctx) for c in columns))
                hit = cache[rid] = (row, cells, None, (keyf(row, ctx), name(row, ctx), rid))
            elif rid in restat:
                key = (keyf(row, ctx), name(row, ctx), rid) if sort_col.stats else hit[3]
                hit = cache[rid] = (row, self._with_stats(row, hit[1], columns, stats_cols), hit[2], key)
            out.append(hit)
        if len(cache) > len(snap):
            for rid in [r for r in cache if r not in snap]:
                del cache[rid]
        self._str_sorted = False
        try:
            out.sort(key=lambda h: h[3], reverse=self.sort_reverse)
        except TypeError:
            self._str_sorted = True  # keys of mixed types: a binary search over them would not agree
            out.sort(key=lambda h: str(h[3]), reverse=self.sort_reverse)
        if self.marks:
            self.marks &= snap.keys()
            base_key = self._base_key()
        # every row the field terms let through, in order: a keystroke that only changes the
        # filter's text scans these (or fewer) again and never sorts (see _rows_by_text)
        self._base = (base_key, [h[3][2] for h in out])
        if text_filter:
            shown = []
            for hit in out:
                hay = hit[2]
                if hay is None:
                    hay = _haystack(hit[1], stats_set)
                    cache[hit[3][2]] = (hit[0], hit[1], hay, hit[3])
                if (text_filter in hay) != negate:
                    shown.append(hit)
            out = shown
        self._rows_key = self._view_key()
        result = [(h[3][2], h[1]) for h in out]
        # unfiltered, the rows shown are the base's: the same list, so what is worked out for one
        # (the filter texts of _pairs_for) serves the first keystroke
        ids = self._base[1] if not text_filter else [rid for rid, _ in result]
        self._last_text = (base_key, text_filter, negate, ids)
        return result

    def _base_key(self) -> tuple:
        """What decides the rows before the filter's text and their order: ``_view_key`` without
        the text words (the field terms stay)."""
        kinds = self.kind_.filters
        fields = tuple(t for t in split_terms(self.filter.strip().removeprefix("!"))
                       if t.partition("=")[0] in kinds or t.startswith("label="))
        store = self.app.store
        return (self.kind, id(store), store.version(self.kind), fields, self.sort_key, self.sort_reverse,
                self.faults_only, frozenset(self.marks), self._shown_columns, self.app.ctx.name_width)

    def _rows_by_text(self, base_key: tuple, text: str, negate: bool, want_cells: bool = True) -> list[tuple[str, tuple]] | None:
        """Only the filter's text changed since the last full pass (a keystroke in ``/``): the rows
        are the last pass's rows in their order, scanned for the new text, with no sort and no cells
        built. Text that extends the last one (``!text`` that shortens it) narrows, so only the rows
        it showed are scanned; otherwise every row. None when anything else changed. Without
        ``want_cells``, rows the table shows already come back as ``[]`` (``_same_rows`` says so)."""
        base = getattr(self, "_base", None)
        if base is None or base[0] != base_key:
            return None
        candidates = base[1]
        last = getattr(self, "_last_text", None)
        if last is not None and last[0] == base_key and last[2] == negate:
            if (last[1] in text) if not negate else (text in last[1] and last[1]):
                candidates = last[3]
        pairs = self._pairs_for(candidates)
        if pairs is None:
            return None  # the cells were dropped meanwhile (another kind they read changed)
        if text:  # one comprehension over (id, filter text): ~1 ms at 10,000 rows, not a dict lookup a row
            pairs = [p for p in pairs if (text in p[1]) != negate]
        # the table shows these very rows already (a keystroke that hid none of them, as the
        # first letters typed at 10,000 rows do): _paint leaves it alone, it does not sync
        self._same_rows = len(pairs) == len(candidates) and candidates is getattr(self, "_synced", None)
        if self._same_rows:
            ids = candidates
        else:
            ids = [p[0] for p in pairs]
            self._remember_pairs(ids, pairs)  # the next keystroke narrows from these
        self._last_text = (base_key, text, negate, ids)
        self._rows_key = self._view_key()
        if self._same_rows and not want_cells:
            return []
        cache = self._cells
        try:
            return [(rid, cache[rid][1]) for rid in ids]
        except KeyError:
            return None

    def _pairs_for(self, ids: list[str]) -> list[tuple[str, str]] | None:
        """(id, filter text) for ``ids`` in their order, kept while ``ids`` is the same list and the
        cells were not cleared; None when a row's cells are gone."""
        cache = self._cells
        memo = self._pairs.get(id(ids))
        if memo is not None and memo[0] is ids and memo[1] == cache.epoch:
            return memo[2]
        stats: set[int] | None = None
        pairs = []
        for rid in ids:
            hit = cache.get(rid)
            if hit is None:
                return None
            hay = hit[2]
            if hay is None:
                if stats is None:
                    stats = {i for i, c in enumerate(self._shown_columns or self.spec.columns) if c.stats}
                hay = _haystack(hit[1], stats)
                cache[rid] = (hit[0], hit[1], hay, hit[3])
            pairs.append((rid, hay))
        self._remember_pairs(ids, pairs)
        return pairs

    def _remember_pairs(self, ids: list[str], pairs: list[tuple[str, str]]) -> None:
        base = getattr(self, "_base", None)
        keep = {id(base[1])} if base is not None else set()
        self._pairs = {k: v for k, v in self._pairs.items() if k in keep}  # the base's and the latest only
        self._pairs[id(ids)] = (ids, self._cells.epoch, pairs)

    def _first_screenful(self) -> list[tuple[str, tuple]] | None:
        """The rows on top of a big unfiltered view, sorted over every row but with cells built for
        the first screenful only (building cells costs ~50 us a row; a sort key, one call). None
        when the view is small, filtered, or the keys do not sort."""
        snap = self.app.store.snapshot(self.kind)
        limit = max(40, (self.table.size.height or self.app.size.height) + 10)
        if len(snap) <= 2 * limit or self.filter.strip() or self.faults_only:
            return None
        spec, ctx = self.spec, self.app.ctx
        columns = self._shown_columns or spec.columns
        sort_col, keyf, name = self._sorting()
        keys = [(keyf(row, ctx), name(row, ctx), rid) for rid, row in snap.items()]
        try:
            top = sorted(keys, reverse=self.sort_reverse)[:limit]
        except TypeError:
            return None
        out = []
        for key in top:
            rid = key[2]
            row = snap[rid]
            hit = self._cells.get(rid)
            if hit is None or hit[0] is not row:
                hit = self._cells[rid] = (row, self._styled(rid, row, tuple(c.cell(row, ctx) for c in columns)), None, key)
            out.append((rid, hit[1]))
        return out

    def _sorting(self) -> tuple[Column, Any, Any]:
        """The sort column, its key function and the name key that breaks ties."""
        spec = self.spec
        sort_col = next((c for c in spec.columns if c.key == self.sort_key), spec.columns[0])
        return sort_col, sort_col.sort or (lambda r, c: ""), spec.columns[0].sort or (lambda r, c: "")

    def _view_key(self) -> tuple:
        """Everything but stats that decides which rows show, in what order, with what cells."""
        return (self.kind, id(self.app.store), self.app.store.version(self.kind), self.filter, self.sort_key,
                self.sort_reverse, self.faults_only, frozenset(self.marks), self._shown_columns, self.app.ctx.name_width)

    def _restat_in_place(self) -> bool:
        """A stats tick and nothing else changed since the last full pass: new stats cells for the
        rows with live streams only, patched into the table in place (O(live rows), not O(rows)).
        False when a full pass is needed (the order may depend on stats, or something else moved)."""
        spec = self.spec
        columns = self._shown_columns or spec.columns
        sort_col = self._sorting()[0]
        if sort_col.stats or getattr(self, "_rows_key", None) != self._view_key():
            return False
        stats_cols = [i for i, c in enumerate(columns) if c.stats]
        if not stats_cols:
            return True
        live = self.app.stats.active()
        restat = live | self._stats_live
        self._stats_live = live
        # the rows on screen only: the sampler reads every running container (~140 a second at
        # 1,000 running), and rebuilding the stats cells of the off-screen ones each tick was a cost
        # that grew with the count; they are rebuilt when they come on screen (a scroll, a paint)
        restat = self._on_screen_now(restat)
        cache = self._cells
        changes: dict[str, tuple] = {}
        for rid in restat:
            hit = cache.get(rid)
            if hit is None:
                continue
            cells = self._with_stats(hit[0], hit[1], columns, stats_cols)
            cache[rid] = (hit[0], cells, hit[2], hit[3])  # the haystack holds no stats cells
            changes[rid] = cells
        self.table.update_rows(changes)
        return True

    # --- the clock: AGE and STATUS follow it on screen -----------------------------------------------
    CLOCK_TICK = 1.0

    def _clock_tick(self) -> None:
        """Every second: one new ``now`` for every time-derived cell (so rows made in the same
        second agree), and those cells built again for the rows on screen only."""
        self.app.ctx.now = time.time()
        if self.is_current:
            self._refresh_clock_cells()
            self._paint_detail()  # its status line ("Exited (0) 5 minutes ago") follows the clock too

    def on_screen_resume(self) -> None:
        self._clock_tick()  # back from describe, logs, help: ages moved on meanwhile

    def on_resource_table_scrolled(self, event: ResourceTable.Scrolled) -> None:
        self._refresh_clock_cells()  # rows scrolled in were built at an older ``now``

    def _on_screen_now(self, restat: set[str]) -> set[str]:
        """Of the rows whose stats moved (``restat``), those on screen, with the ones left behind
        earlier that are on screen again; the rest wait in ``_stats_behind`` until they come on screen."""
        shown = set(self.table.visible_ids())
        behind = self._stats_behind
        behind |= restat - shown
        due = shown.intersection(restat) | shown.intersection(behind)
        behind -= due
        return due

    def _refresh_clock_cells(self, only: set[str] | None = None) -> int:
        """The clock columns (AGE, STATUS) of the rows on screen built again at ``ctx.now`` and
        patched into the table in place; rows off screen keep theirs until they come on screen
        (a scroll, a filter, the next paint). ``only``: just these of the rows on screen.
        Cost: O(rows on screen). Returns the rows changed."""
        if self._closing or not self.is_attached or not self.query("#table") or only is not None and not only:
            return 0
        columns = self._shown_columns or self.spec.columns
        clock_cols = [i for i, c in enumerate(columns) if c.clock]
        if not clock_cols:
            return 0
        table = self.table
        cache = self._cells
        changes: dict[str, tuple] = {}
        behind = self._stats_behind  # rows that come on screen with stats cells older than their figures
        both = clock_cols + [i for i, c in enumerate(columns) if c.stats] if behind else clock_cols
        for rid in table.visible_ids():
            if only is not None and rid not in only:
                continue
            hit = cache.get(rid)
            if hit is None:
                continue
            late = rid in behind
            if late:
                behind.discard(rid)
            cells = self._with_stats(hit[0], hit[1], columns, both if late else clock_cols)
            if cells != hit[1]:
                cache[rid] = (hit[0], cells, hit[2], hit[3])  # the filter's text keeps the older words
                changes[rid] = cells
        if changes:
            table.update_rows(changes)
        return len(changes)

    def _with_stats(self, row: Mapping[str, Any], cells: tuple, columns: tuple, stats_cols: list[int]) -> tuple:
        """``cells`` with the stats (or clock) columns built again, in the row's style."""
        out = list(cells)
        style = self.spec.style(row)
        for i in stats_cols:
            cell = columns[i].cell(row, self.app.ctx)
            out[i] = Text(cell, style=style) if style and isinstance(cell, str) else cell
        return tuple(out)

    def _styled(self, rid: str, row: Mapping[str, Any], cells: tuple) -> tuple:
        style = self.spec.style(row)
        if rid in self.marks:
            first = cells[0].plain if isinstance(cells[0], Text) else cells[0]
            cells = (Text("+ " + first, style="bold yellow"), *cells[1:])
        if not style:
            return cells
        return tuple(Text(c, style=style) if isinstance(c, str) else c for c in cells)

    def _parse_filter(self):
        f = self.filter.strip()
        negate = f.startswith("!")
        if negate:
            f = f[1:]
        fields, words = [], []
        kind_filters = self.kind_.filters
        for part in split_terms(f):  # a drill-down's quoted value is one term, matched exactly
            k, eq, v = part.partition("=")
            if eq and k == "label":  # label=KEY=VALUE, label=KEY (dockui.labels)
                from ..labels import matcher

                fields.append((lambda r, m=matcher(v): "1" if m(r) else "0", "1", True))
            elif eq and k in kind_filters:  # a kind's own field: one value or several (a container's networks)
                want, exact = unquote(v)
                fields.append((lambda r, f=kind_filters[k], w=want, x=exact: "1" if _any_match(f(r), w, x) else "0", "1", True))
            else:
                words.append(part)
        return fields, " ".join(words).lower(), negate

    def _paint(self) -> None:
        # attached, not yet mounted: the paint from on_mount puts rows in the very first frame
        if self._closing or not self.is_attached or not self.query("#table"):
            return  # torn down (quitting): a late store or stats notice has nothing to paint
        self._last_paint = time.monotonic()
        restat, self._restat = self._restat, False
        first = self._first_screenful() if not self.table.row_count and not restat else None
        if first is not None:
            # a big table's first paint: the screenful on top now, every row right after it is drawn
            self.table.sync(first)
            self._synced = None
            # the rest after this frame *and* the layout it asks for (the "connecting" line goes,
            # the table moves up) are on screen: one refresh later, the header's [10000] and the
            # rows came ~0.35 s apart at 10,000, behind the full pass (cells for every row)
            self.call_after_refresh(self.call_after_refresh, self.repaint, True)
        elif not (restat and self._restat_in_place()):
            self._same_rows = False
            rows = self.rows(stats_only=restat, want_cells=False)
            if not self._same_rows:  # else the table shows these rows, with these cells, already
                self.table.sync(rows)
            last = getattr(self, "_last_text", None)
            self._synced = last[3] if last is not None else None  # the ids the table shows now
            self._refresh_clock_cells()  # rows that came on screen show the clock's ``now``
        self.repaint_header_only(self.table.row_count)
        self._paint_hints()
        self._update_message()
        self._paint_detail()

    def repaint_header_only(self, shown: int | None = None) -> None:
        spec = self.spec
        total = len(self.app.store.snapshot(self.kind))
        shown = self.table.row_count if shown is None else shown
        t = Text()
        t.append(f" {spec.title}", style="bold")
        t.append(f" [{shown}/{total}]" if self.filter or self.faults_only else f" [{total}]")
        if self.filter:
            t.append("  filter: ", style="dim")
            t.append(one_line(self.filter, 40), style="bold yellow")
        if self.faults_only:
            t.append("  FAULTS ONLY", style="bold red")
        if self.marks:
            t.append(f"  {len(self.marks)} marked", style="bold yellow")
        col = next((c for c in spec.columns if c.key == self.sort_key), None)
        words = col.order if col is not None and col.order else ("asc", "desc")
        t.append(f"  sort: {self.sort_key} {words[1] if self.sort_reverse else words[0]}", style="dim")
        if self.app.readonly:
            t.append("  READ-ONLY", style="bold magenta")
        self.query_one("#crumbs", QuietStatic).show(t)

    def _paint_hints(self) -> None:
        if self.prompt_mode:  # an open prompt says what it asks, right above it
            self.query_one("#hints", QuietStatic).show(self._prompt_hint())
            return
        row = self.app.store.get(self.kind, self.table.current_id or "")
        acts = [a for a in self.kind_.actions_for(row, self.app.readonly) if a.footer]
        acts.sort(key=lambda a: not getattr(a, "source", ""))  # the user's [[commands]] first: a narrow footer cuts the right
        t = Text()
        keys = [(a.key, a.label) for a in acts]
        keys += [("enter", "open"), ("slash", "filter"), ("colon", "command"), ("question_mark", "help"), ("q", "back")]
        for key, label in keys:
            click = Style(meta={"@click": f"screen.press({key!r})"})  # a click on a hint presses its key
            t.append(f" {self.app.key_display(key)}", style=Style(color="cyan", bold=True) + click)
            t.append(f" {label} ", style=click)
        self.query_one("#hints", QuietStatic).show(t)

    async def action_press(self, key: str) -> None:
        """A footer hint was clicked: behave as if its key was pressed."""
        if key == "enter":
            self.action_drill()
            return
        for b in self.BINDINGS:
            if isinstance(b, Binding) and key in b.key.split(","):
                await self.run_action(b.action)
                return
        self.table.focus()
        self.on_key(events.Key(key, key if len(key) == 1 else None))

    def _update_message(self) -> None:
        msg = self.query_one("#message", Static)
        store = self.app.store
        text = None
        if not store.connection.ok:
            text = Text(store.connection.describe(), style="yellow" if store.connection.status == "connecting" else "bold red")
        elif self.kind_.swarm and store.facts.swarm != "manager":
            text = Text(f"{self.spec.title}: this engine is not a swarm manager (swarm: {store.facts.swarm}).", style="yellow")
        elif not store.loaded:
            text = Text("loading...", style="dim")
        if text is None:
            msg.remove_class("-visible")
        else:
            msg.update(text)
            msg.add_class("-visible")

    def _update_interest(self) -> None:
        """Stats stream only for the rows on screen and the focused one."""
        if not self.kind_.stats or not self.is_current:
            self.app.stats.want([])
            return
        store = self.app.store
        key = (id(store), self.kind, store.version(self.kind))
        if getattr(self, "_running_ids", (None, None))[0] != key:
            self._running_ids = (key, {cid for cid, c in store.snapshot(self.kind).items() if c.get("State") == "running"})
        running = self._running_ids[1]
        ids = [self.table.current_id or "", *self.table.visible_ids()]
        self.app.stats.want([i for i in ids if i], running=running)

    def on_resource_table_row_highlighted(self, event: ResourceTable.RowHighlighted) -> None:
        self._paint_hints()
        self._paint_detail()

    def action_details(self) -> None:
        self.query_one("#detail", DetailPane).toggle_class("-open")
        self._paint_detail()

    def _paint_detail(self) -> None:
        pane = self.query_one("#detail", DetailPane)
        if not pane.has_class("-open"):
            return
        if not self.kind_.stats:
            pane.update(Text("details: containers only", style="dim"))
            return
        rid = self.table.current_id or ""
        pane.show(self.app.store.get(self.kind, rid), self.app.stats.history(rid))

    def on_resource_table_row_selected(self, event: ResourceTable.RowSelected) -> None:
        event.stop()
        self.action_drill()

    # --- keys -----------------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        if self.prompt_mode or getattr(self.focused, "is_terminal", False):
            return
        key = event.key
        name = sort_for(self.spec, key)  # "" for a letter this kind has no column for: its action's key
        if name:
            event.stop()
            if self.sort_key == name:
                self.sort_reverse = not self.sort_reverse
            else:
                self.sort_key, self.sort_reverse = name, False
                self._cells.clear()  # the cached sort keys were made by the previous column
            self.repaint(force=True)
            return
        kind = self.kind_
        act = kind.action_by_key(key)
        if act is None:
            return
        event.stop()
        if self.app.readonly and act.mutating:
            self.notify(f"read-only mode: {act.label} is disabled", severity="warning", markup=False)
            return
        snap = self.app.store.snapshot(self.kind)
        marked = [(m, snap[m]) for m in sorted(self.marks) if m in snap]
        if marked and act.bulk:
            targets = [(rid, row) for rid, row in marked if kind.applies(act, row, self.app.readonly)]
            if not targets:
                self.notify(f"{act.label} applies to none of the {len(marked)} marked rows", severity="warning", markup=False)
                return
            self.perform(act, targets)
            return
        rid = self.table.current_id
        row = self.app.store.get(self.kind, rid or "")
        if row is None or rid is None:
            self.notify("nothing selected", severity="warning", markup=False)
            return
        if not kind.applies(act, row, self.app.readonly):
            st = kind.state(row)
            self.notify(f"{act.label} does not apply to a {st or kind.singular} {kind.singular}", severity="warning", markup=False)
            return
        self.perform(act, [(rid, row)])

    # --- actions: verbs the screen does itself, engine actions the app runs ----------------------
    def perform(self, act: Action, targets: list[tuple[str, Mapping[str, Any]]]) -> None:
        """Run ``act`` on ``targets``: a verb (describe, logs, a pane) here; an engine action is asked
        about first when it needs a text or is destructive, then posted to the app (``RunAction``)."""
        if not targets:
            return
        rid, row = targets[0]
        if act.verb == "custom":  # a [[commands]] entry of config.toml: every target (dockui/custom.py)
            from ..custom import perform

            perform(self, act, targets)
        elif act.verb:
            getattr(self, f"_verb_{act.verb}")(act, rid, row)
        elif act.prompt:
            self._ask(act, rid, row)
        elif act.destructive:
            self._confirm(act, targets)
        else:
            self.post_message(RunAction(self.kind_, act, targets))

    def _confirm(self, act: Action, targets: list[tuple[str, Mapping[str, Any]]], arg: str = "") -> None:
        from .dialogs import ConfirmScreen

        kind = self.kind_
        names = [kind.label(row, rid) for rid, row in targets]
        if len(names) == 1:
            question = f"{act.label} {kind.singular} {names[0]}?"
            if act.ask is not None:  # what the kind wants said first (the services using a secret)
                question += " " + act.ask(targets[0][1], targets[0][0], self.app.ctx)
        else:
            question = f"{act.label} {len(names)} {kind.name}: " + ", ".join(names[:5]) + (" ..." if len(names) > 5 else "") + "?"

        def answered(choice: str | None) -> None:
            if choice:
                self.post_message(RunAction(kind, act, targets, arg or choice))

        self.app.push_screen(ConfirmScreen(question, dict(act.options or {"y": "yes"})), answered)

    def _verb_describe(self, act: Action, rid: str, row: Mapping[str, Any]) -> None:
        from .dialogs import DescribeScreen

        kind, client = self.kind_, self.app.client
        inspect = kind.inspect
        fetch = (lambda: inspect(client, rid)) if inspect is not None else (lambda: dict(row))
        self.app.push_screen(DescribeScreen(f"{kind.singular} {kind.label(row, rid)}", fetch))

    def _verb_logs(self, act: Action, rid: str, row: Mapping[str, Any]) -> None:
        from .logs import LogsScreen

        kind = self.kind_
        if kind.logs is None:
            return
        title, targets = kind.logs(row, rid, self.app.ctx)
        cfg = self.app.config
        self.app.push_screen(LogsScreen(title, targets, tail=cfg.log_tail, max_lines=cfg.log_lines))

    def _verb_view(self, act: Action, rid: str, row: Mapping[str, Any]) -> None:
        if act.view is not None:  # a view the kind names (a container's processes)
            self.app.push_screen(act.view(rid, row))

    def _verb_shell(self, act: Action, rid: str, row: Mapping[str, Any]) -> None:
        self.open_pane(act.verb, rid, self.kind_.label(row, rid))

    _verb_attach = _verb_shell

    def _verb_exec(self, act: Action, rid: str, row: Mapping[str, Any]) -> None:
        self._ask(act, rid, row)

    def _verb_handover(self, act: Action, rid: str, row: Mapping[str, Any]) -> None:
        self.post_message(Handover(rid, self.kind_.label(row, rid)))

    def _answered(self, act: Action, rid: str, value: str) -> None:
        """The prompt ``_ask`` opened for ``act`` was answered with ``value``."""
        row = self.app.store.get(self.kind, rid) or {}
        if act.verb == "exec":
            import shlex

            try:
                argv = shlex.split(value)
            except ValueError as exc:
                self.notify(f"cannot parse the command: {exc}", severity="error", markup=False)
                return
            self.open_pane("exec", rid, self.kind_.label(row, rid), argv)
        elif act.destructive:
            self._confirm(act, [(rid, row)], value)
        else:
            self.post_message(RunAction(self.kind_, act, [(rid, row)], value))

    def action_drill(self) -> None:
        rid = self.table.current_id
        row = self.app.store.get(self.kind, rid or "")
        if row is None:
            return
        why = self.kind_.fault_enter and self.faults_only and next((a for a in self.kind_.actions if a.id == self.kind_.fault_enter), None)
        if why:  # faults-only: enter opens the post-mortem
            self.perform(why, [(rid or "", row)])
            return
        target = self.kind_.drill(row, rid or "", self.app.ctx)
        if target and not isinstance(target, tuple):  # a view the kind opens (an image's layers)
            self.app.push_screen(target)
        elif target:
            self.show_kind(*target)
        else:
            describe = self.kind_.action_by_key("d")
            if describe is not None:
                self._verb_describe(describe, rid or "", row)

    def action_back(self) -> None:
        if self.history:
            self.action_history_back()
        else:
            self.app.exit()

    def action_history_back(self) -> None:
        if self.history:
            self.forward.append((self.kind, self.filter))
            kind, filt = self.history.pop()
            self.show_kind(kind, filt, remember=False)

    def action_history_forward(self) -> None:
        if self.forward:
            self.history.append((self.kind, self.filter))
            kind, filt = self.forward.pop()
            self.show_kind(kind, filt, remember=False)

    def action_faults(self) -> None:
        self.faults_only = not self.faults_only
        self._fit_columns()  # the faults-only columns (REASON) come and go
        self.repaint(force=True)

    def action_mark(self) -> None:
        rid = self.table.current_id
        if rid is None:
            return
        self.marks ^= {rid}
        self._cells.pop(rid, None)
        self.repaint(force=True)
        if self.table.cursor_row < self.table.row_count - 1:
            self.table.move_cursor(row=self.table.cursor_row + 1)

    def action_copy(self) -> None:
        rid = self.table.current_id
        if rid is None:
            return
        self.app.copy_to_clipboard(rid)
        self.notify(f"copied {one_line(rid, 80)} (OSC 52)", markup=False, timeout=2)

    def action_clear(self) -> None:
        if self.prompt_mode:
            if self.prompt_mode == "/":
                self.filter = ""
                self.repaint(force=True)
            self._close_prompt()
        elif self.marks:
            self.marks.clear()
            self.repaint(force=True)
        elif self.filter:
            self.filter = ""
            self.repaint(force=True)
        elif self.history:
            self.action_back()

    def action_help(self) -> None:
        from .dialogs import HelpScreen

        keys = [(":", "command mode (:containers, :img, :svc, :ctx, :df)"), ("/", "filter (text, !text, project=NAME)"),
                ("enter", "open / drill down"), ("esc", "clear filter, back"), ("q", "back, quit at the top"),
                ("ctrl+q", "quit")]
        sorts = [(letter, name) for letter, name in SORT_KEYS.items() if sort_for(self.spec, letter)]  # this kind's own
        if sorts:
            keys.insert(-1, (" ".join(k for k, _ in sorts), f"sort by {', '.join(n for _, n in sorts)} (again: reverse)"))
        self.app.push_screen(HelpScreen(keys))

    def action_reload(self) -> None:
        self._cells.clear()
        self.repaint(force=True)

    # --- session panes (shell, exec, attach) ---------------------------------------------------
    @property
    def panes(self) -> list[SessionPane]:
        return list(self.query("SessionPane"))

    def open_pane(self, mode: str, container: str, name: str, command: list[str] | None = None) -> None:
        box = self.query_one("#panes", Vertical)
        from ..widgets.sessionpane import SessionPane

        pane = SessionPane(self.app, mode, container, name, command)
        for p in self.panes:
            p.display = False
        box.add_class("-open")
        box.mount(pane)
        pane.term.focus()

    def _active_pane(self) -> SessionPane | None:
        return next((p for p in self.panes if p.display), None)

    def action_leave_pane(self) -> None:
        self.table.focus()

    def action_next_pane(self) -> None:
        panes = self.panes
        if not panes:
            return
        cur = self._active_pane()
        i = (panes.index(cur) + 1) % len(panes) if cur in panes else 0
        for p in panes:
            p.display = p is panes[i]
        panes[i].term.focus()

    def action_zoom(self) -> None:
        if self.panes:
            self.toggle_class("-zoomed")

    def action_close_pane(self) -> None:
        pane = self._active_pane()
        if pane is not None:
            pane.close()

    def on_session_ended(self, event: SessionEnded) -> None:
        pane = event.pane
        self.app.notify(f"{pane.mode} {pane.label}: {event.reason}", markup=False,
                        severity="information" if event.reason.startswith(("exited with code 0", "closed", "detached")) else "warning")
        was_focused = pane.term.has_focus
        pane.remove()
        rest = [p for p in self.panes if p is not pane]
        if rest:
            rest[-1].display = True
            if was_focused:
                rest[-1].term.focus()
        else:
            self.query_one("#panes", Vertical).remove_class("-open")
            self.remove_class("-zoomed")
            self.table.focus()

    def prompt_key(self, key: str) -> str:
        """':' or '/' when ``key`` opens the command or filter prompt (honouring the user's keymap)."""
        keymap = self.app.config.keymap
        if key in keymap.get("command", "colon").split(","):
            return ":"
        if key in keymap.get("filter", "slash").split(","):
            return "/"
        return ""

    def action_command(self) -> None:
        self._open_prompt(":", "")

    def action_filter(self) -> None:
        self._open_prompt("/", self.filter)
        self.call_after_refresh(self._warm_haystacks)

    def _warm_haystacks(self) -> None:
        """Build each row's filter text while the prompt opens, not in the first keystroke's paint."""
        columns = self._shown_columns or self.spec.columns
        stats = {i for i, c in enumerate(columns) if c.stats}
        cache = self._cells
        for rid, hit in list(cache.items()):
            if hit[2] is None:
                cache[rid] = (hit[0], hit[1], _haystack(hit[1], stats), hit[3])
        base = getattr(self, "_base", None)
        if base is not None:
            self._pairs_for(base[1])  # the first keystroke scans these

    def _ask(self, act: Action, rid: str, row: Mapping[str, Any]) -> None:
        """Open the prompt for ``act``'s text (a new name, a command); ``_answered`` takes it."""
        self._asking = (act, rid)
        self._open_prompt("ask", act.prompt_value(row) if act.prompt_value else "")

    def _prompt_hint(self) -> Text:
        """What the open prompt asks, and about which row: the line above the prompt."""
        mode = self.prompt_mode
        t = Text(no_wrap=True, overflow="ellipsis")
        if mode == "/":
            t.append(" filter:", style="bold")
            t.append("  text, !text, project=NAME, state=running · enter keeps it", style="dim")
        elif mode == ":":
            t.append(" command:", style="bold")
            t.append("  a kind (containers, images, ...), ctx, df, pull IMAGE, prune WHAT, q · enter runs it", style="dim")
        else:  # a question about one row: rename it, run a command in it
            asking = getattr(self, "_asking", None)
            rid = asking[1] if asking else getattr(self, "_exec_target", "")
            label = asking[0].label if asking else "rename" if mode == "rename" else "exec command"
            row = self.app.store.get(self.kind, rid) or {}
            name = row.get("Name") or (row.get("Spec") or {}).get("Name") or rid[:12]
            t.append(f" {label}: {self.kind[:-1]} ", style="bold")
            t.append(one_line(str(name), 60), style="bold yellow")
            t.append("  enter answers", style="dim")
        t.append(" · esc cancels", style="dim")
        return t

    def _open_prompt(self, mode: str, value: str) -> None:
        p = self.query_one("#prompt", PromptInput)
        self.prompt_mode = mode
        self.add_class("-prompting")  # the hints line moves up above the prompt and says what it asks
        self._paint_hints()
        p.value = value
        if mode == "ask":
            act = self._asking[0]
            p.placeholder = f"{act.label}: {act.prompt}"
        elif mode == ":":
            p.placeholder = " | ".join([*registry.KINDS, "ctx", "q"])
        else:
            p.placeholder = "filter (text, !text, project=NAME, state=running)"
        p.suggester = self._command_suggester() if mode == ":" else None  # filter keystrokes stay as fast as they were
        p.add_class("-visible")
        p.can_focus = True
        # focus at once, not later: keys typed right after ':' (a fast typist, a paste) belong to
        # the prompt; it is always displayed (height 0 when idle) so it can take focus at once
        self.set_focus(p)

    def _command_suggester(self):
        """``:`` completion from the registry: every kind's name and aliases and the ``:`` commands
        kinds add, then the app's own commands; shown as you type, taken with the right arrow."""
        from textual.suggester import SuggestFromList

        words = [*registry.KINDS, *sorted(a for a in registry.ALIASES if a not in registry.KINDS)]
        words += [c.words for k in registry.KINDS.values() for c in k.commands]
        words += ["ctx", "df", "pull ", "prune images", "prune containers", "prune volumes", "prune networks", "theme ", "q"]
        words += [f"theme {name}" for name in sorted(self.app.available_themes)]  # ':theme ' completes every theme
        return SuggestFromList(words, case_sensitive=False)

    def _close_prompt(self) -> None:
        p = self.query_one("#prompt", PromptInput)
        p.remove_class("-visible")
        p.can_focus = False
        self.prompt_mode = ""
        self.remove_class("-prompting")
        self._paint_hints()
        self.set_focus(self.table)

    def on_input_changed(self, event: Input.Changed) -> None:
        # the prompt's value now, not the message's: a message queued behind later keys is stale
        self.prompt_typed(event.input.value)

    def prompt_typed(self, value: str) -> None:
        """The prompt's text changed (a keystroke, a paste): a filter applies at once."""
        if self.prompt_mode == "/" and value != self.filter:
            self.filter = value
            self.repaint(force=True)  # at once: a paint costs what is on screen, not the row count

    def on_input_submitted(self, event: Input.Submitted) -> None:
        mode, value = self.prompt_mode, event.value.strip()
        self._close_prompt()
        if mode == "/" and self.filter != event.value:
            self.filter = event.value  # typed faster than the Changed messages arrived
            self.repaint(force=True)
        elif mode == ":":
            self.run_command(value)
        elif mode == "ask" and value:
            act, rid = self._asking
            self._answered(act, rid, value)

    def run_command(self, text: str) -> None:
        """A ``:`` command: a kind (its name, an alias, or the user's alias for it) shows here,
        with what follows as its filter; anything else goes to the app."""
        word, _, rest = text.strip().partition(" ")
        kind = registry.lookup(word) or registry.lookup(self.app.config.aliases.get(word.lower(), ""))
        if kind is not None:
            self.show_kind(kind.name, rest.strip())
        elif word:
            self.post_message(RunCommand(text))

    def on_descendant_blur(self, event) -> None:
        if self.prompt_mode and isinstance(event.widget, PromptInput):
            self._close_prompt()
