"""The map page in Chromium: the province outline is loaded from the site itself, the chart is drawn
with one area a city, and choosing another measure redraws it; the table stays the accessible twin."""
import pytest

pytestmark = pytest.mark.browser


def test_the_map_draws_guangxis_fourteen_cities_from_local_files(page, live_server):
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server) else None)
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto("/map")
    page.wait_for_function("() => window.echarts && echarts.getMap('guangxi') && document.querySelector('#city-map canvas')")
    regions = page.evaluate("() => echarts.getMap('guangxi').geoJSON.features.map(f => f.properties.name)")
    assert len(regions) == 14 and "南宁市" in regions
    series = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('city-map')).getOption().series[0].data.length")
    assert series == 14
    page.get_by_role("radio", name="公示中的信用记录").check()
    chosen = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('city-map')).getOption().tooltip[0].formatter({name: '南宁市', value: 0})")
    assert "公示中的信用记录" in chosen
    assert page.get_by_role("table").get_by_role("row").count() == 14 + 2  # header, 14 cities, the total
    assert outside == [], f"requests to other hosts: {outside}"


def test_at_a_phones_width_the_map_fits(page):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/map")
    page.wait_for_function("() => document.querySelector('#city-map canvas')")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
