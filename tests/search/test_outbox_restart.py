"""Done-when of the search issue: Elasticsearch stopped mid-run loses no write, and the queue
drains once it is back."""
import uuid

import pytest

from platform.catalogue import services
from platform.catalogue.models import Technology
from platform.core.extensions import db
from platform.core.indexing import services as indexing
from platform.core.indexing.models import IndexQueue

pytestmark = pytest.mark.es_restart


def test_writes_succeed_while_elasticsearch_is_down_and_reach_it_when_it_returns(app, es_server_control, world, client):
    app.config.update(SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_URL=es_server_control.url,
                      SEARCH_INDEX_PREFIX=f"outage{uuid.uuid4().hex[:8]}_")
    app.extensions.pop("search_backend", None)
    try:
        services.create(world.admin, {"name": "余热高效回收利用技术", "industry_codes": "", "category": "过程控制"},
                        status="published")
        db.session.commit()
        assert indexing.drain()["sent"] == 1

        es_server_control.stop()
        for name in ("全废钢电弧炉短流程炼钢技术", "高效膜分离技术"):
            services.create(world.admin, {"name": name, "industry_codes": "31", "category": "源头减量"},
                            status="published")
            db.session.commit()  # the write succeeds: it only adds to the queue
        edited = db.session.query(Technology).filter_by(name="余热高效回收利用技术").one()
        services.update(world.admin, edited, {"scope": "中低温烟气余热"})
        db.session.commit()
        outage = indexing.drain()
        assert outage["unavailable"] and outage["queued"] == 3
        response = client.get("/api/v1/technologies?q=余热回收")
        assert response.status_code == 503 and response.get_json()["error"]["code"] == "search_unavailable"
        assert client.get("/").status_code == 200  # the rest of the platform works
        assert "暂时不可用" in client.get("/technologies?q=余热").get_data(as_text=True)

        es_server_control.start()
        assert indexing.drain()["sent"] == 3
        assert db.session.query(IndexQueue).count() == 0
        names = {i["name"] for i in client.get("/api/v1/technologies?per_page=10").get_json()["items"]}
        assert names == {"余热高效回收利用技术", "全废钢电弧炉短流程炼钢技术", "高效膜分离技术"}
        assert client.get("/api/v1/technologies?q=烟气余热").get_json()["total"] == 1
    finally:
        if not es_server_control.stopped:
            indexing.backend().delete_all()
