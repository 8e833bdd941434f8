"""A keystroke in a list costs a density sample, one window of row ids and one page of values: no count,
no second pass. The sample (a thousand rows of each searched table) picks the window's plan: walk the
list in its order when the search matches many rows, find the matches first when it matches few."""

import pytest
from sqlalchemy import event

from gridapp.core import list_specs
from gridapp.core.store import Store


@pytest.fixture
def demo_store(demo_db):
    s = Store(demo_db)
    yield s
    s.close()


def test_a_keystroke_is_a_sample_one_window_query_and_one_page_of_values(demo_store, qtbot):
    from gridapp.ui.table_model import SqlTableModel

    model = SqlTableModel(demo_store, list_specs.MEMBERS, load=False)
    model.refresh()
    model.wait_count()
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        if statement != "BEGIN":
            statements.append(statement)

    event.listen(demo_store.engine, "before_cursor_execute", seen)
    try:
        model.set_search("w")
        for row in range(min(30, model.rowCount())):
            model.data(model.index(row, 0))
    finally:
        event.remove(demo_store.engine, "before_cursor_execute", seen)
    assert model.rowCount() > 0
    # the sample, the window of row ids (LIMIT), then the values of the first page; no count, no second pass
    assert len(statements) == 3, statements
    sample, window, _values = statements
    assert "FROM person LIMIT 1000" in sample and "member_registration" not in sample.split("UNION ALL", 1)[1]
    assert " LIMIT 1000 " in window + " " and "count(" not in window
