def test_home_page_is_chinese(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "广西清洁生产信息平台" in response.get_data(as_text=True)


def test_city_regulator_sees_only_own_city(world, client_for):
    page = client_for(world.regulator_a).get("/enterprises/").get_data(as_text=True)
    assert world.ent_a.name in page
    assert world.ent_b.name not in page
    assert client_for(world.regulator_a).get(f"/enterprises/{world.ent_b.id}").status_code == 404
