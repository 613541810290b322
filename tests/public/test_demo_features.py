"""The demo (`make run`) shows the map with figures, a pending account request on 南宁's workbench,
and a subscription whose weekly digest has the week's events."""
import pytest

from platform.core.extensions import db
from platform.demo import load_demo
from platform.public.citymap import city_figures
from platform.subscriptions import jobs


@pytest.mark.config(MAIL_SERVER="smtp.test:25", MAIL_CAPTURE=True)
def test_the_demo_has_a_map_a_request_and_a_digest(app, client, outbox):
    created = load_demo()
    db.session.commit()
    assert (created["account_requests"], created["subscriptions"]) == (1, 1)
    nanning = {r["code"]: r for r in city_figures()}["450100"]
    assert nanning["listed"] > 0
    assert jobs.digest_job() == "订阅 1 项，发送周报 1 封"
    assert "南宁" in outbox[0].get_content() and "/audit-status/" in outbox[0].get_content()
    assert load_demo()["account_requests"] == 0  # idempotent
