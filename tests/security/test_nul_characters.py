"""NUL never reaches the database: PostgreSQL refuses it in text (and SQLite's lower() stops at it).

Query arguments and forms holding NUL were refused already (tests/security/test_abuse_search.py);
these are the two other ways in: a cell of an import file, and a JSON body.
"""
import pytest

from abuse_helpers import bearer, overdue_case, row_counts
from platform.enterprises.importer import import_enterprises
from platform.enterprises.uscc import make
from platform.core.errors import ValidationError
from platform.core.access import SYSTEM


@pytest.mark.parametrize("cell", ["南宁\x00有限公司", "\x00"])
def test_an_import_file_with_nul_in_a_cell_is_refused_as_damaged_and_writes_nothing(app, cell):
    data = ("企业名称,统一社会信用代码,行政区划代码,行业代码\n"
            f"南宁正常有限公司,{make('450100', 701)},450102,3130\n"
            f"{cell},{make('450100', 702)},450102,3130\n").encode()
    before = row_counts()
    with pytest.raises(ValidationError, match="第 3 行含有空字符"):
        import_enterprises(SYSTEM, data, "名录.csv")
    assert row_counts() == before


def test_a_json_body_with_nul_is_a_400_before_anything_runs(app, world):
    case = overdue_case(world, world.ent_a)
    response = app.test_client().post(f"/api/v1/cases/{case.id}/rectification", headers=bearer(world.regulator_a),
                                      data='{"deadline": "2027-01-31", "note": "a\\u0000b"}',
                                      content_type="application/json")
    assert response.status_code == 400
    nested = app.test_client().post(f"/api/v1/cases/{case.id}/rectification", headers=bearer(world.regulator_a),
                                    json={"deadline": "2027-01-31", "x": [{"\x00": 1}]})
    assert nested.status_code == 400
    fine = app.test_client().post(f"/api/v1/cases/{case.id}/rectification", headers=bearer(world.regulator_a),
                                  json={"deadline": "2027-01-31"})
    assert fine.status_code == 200, fine.get_data(as_text=True)
