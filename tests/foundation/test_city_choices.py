"""A city regulator is not offered the other 13 cities to filter by; the province regulator is."""
import pytest

from foundation_helpers import text


@pytest.mark.parametrize("path", ["/enterprises/", "/audits/rounds", "/schemes/"])
def test_a_city_regulator_gets_no_city_dropdown_and_the_province_gets_all_fourteen(world, client_for, path):
    city = text(client_for(world.regulator_a).get(path))
    assert '<select name="city">' not in city and "柳州市</option>" not in city
    province = text(client_for(world.province).get(path))
    assert '<select name="city">' in province and province.count("</option>", province.index('<select name="city">'),
                                                                   province.index("</select>", province.index('<select name="city">'))) == 15
