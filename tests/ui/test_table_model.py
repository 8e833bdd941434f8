"""The shared table model: a count and windows of row ids, showing what the whole list would."""

import pytest
from PySide6.QtCore import Qt

from gridapp.core import list_specs, lists
from gridapp.core.pinyin import initials
from gridapp.core.store import Store
from gridapp.ui.table_model import SqlTableModel


@pytest.fixture
def store(demo_db):
    s = Store(demo_db)
    yield s
    s.close()


def _model(store, spec) -> SqlTableModel:
    model = SqlTableModel(store, spec, load=False)
    model.WINDOW, model.PAGE = 70, 10  # many windows even over the small demo
    model.refresh()
    model.wait_count()
    return model


def _shown(model: SqlTableModel, column: int) -> list[str]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


def _listed(store, spec, q: lists.Query, column: int) -> list[str]:
    with store.engine.connect() as conn:
        ids = lists.query_rowids(conn, spec, q)
        rows = lists.fetch_rows(conn, spec, ids)
    return [spec.columns[column].display(rows[i][column]) for i in ids]


def test_windows_show_the_whole_list_in_order(qtbot, store):
    spec = list_specs.PARTICIPATIONS
    model = _model(store, spec)
    name = spec.index_of("name")
    assert model.rowCount() > 3 * model.WINDOW
    assert _shown(model, name) == _listed(store, spec, lists.Query(), name)
    last = model.rowCount() - 1  # the far end comes from a window read backwards
    with store.engine.connect() as conn:
        assert model.record_id(last) == lists.record_id(conn, spec, lists.query_rowids(conn, spec, lists.Query())[-1])


def test_sorting_keeps_the_count_and_orders_every_window(qtbot, store):
    spec = list_specs.PARTICIPATIONS
    model = _model(store, spec)
    total = model.rowCount()
    hours = spec.index_of("hours")
    with qtbot.assertNotEmitted(model.counted):
        model.sort(hours, Qt.SortOrder.DescendingOrder)
    assert model.rowCount() == total
    shown = [float(v) for v in _shown(model, hours)]
    assert shown == sorted(shown, reverse=True) and len(set(shown)) > 1


def test_a_search_counts_its_rows_and_shows_them(qtbot, store):
    spec = list_specs.MEMBERS
    model = _model(store, spec)
    with store.engine.connect() as conn:
        expected, term = max((lists.count(conn, spec, lists.Query(search=t)), t) for t in "wzlcyh")
    assert expected >= 4
    model.WINDOW = expected // 2  # the first window shows at once, the count comes from its thread
    model.set_search(term)
    assert model.rowCount() == model.WINDOW and not model.count_known
    with qtbot.waitSignal(model.counted) as counted:
        pass
    assert counted.args == [expected] and model.rowCount() == expected and model.count_known
    assert all(initials(n).startswith(term) or n.startswith(term) for n in _shown(model, spec.index_of("name")))
    model.sort(spec.index_of("phone"))
    assert _shown(model, spec.index_of("phone")) == _listed(store, spec, model.query, spec.index_of("phone"))


def test_rows_gone_since_the_count_do_no_harm_until_the_refresh(qtbot, store):
    spec = list_specs.MEMBERS
    model = _model(store, spec)
    total = model.rowCount()
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE member_registration SET deleted_at = '2026-01-01' WHERE rowid IN "
                             "(SELECT rowid FROM member_registration ORDER BY rowid LIMIT 5)")
    model._windows.clear()  # as if no window had been looked at before the change
    shown = _shown(model, 0)  # every row still answers: a name, or blank past what is left
    assert len(shown) == total and shown.count("") <= 5
    model.refresh()
    assert model.wait_count() == total - 5 and model.rowCount() == total - 5 and "" not in _shown(model, 0)
