"""In a real Chromium: every dashboard draws its charts (Apache ECharts, served locally) under the
platform's Content-Security-Policy, without a console error."""
import threading

import pytest
from werkzeug.serving import make_server

from platform import create_app
from platform.core.extensions import db
from platform.core.access import SYSTEM

pytestmark = pytest.mark.browser

PASSWORD = "Passw0rd-test"
DASHBOARDS = {
    None: [("/stats", {"chart-city", "chart-targets", "chart-industry", "chart-year"})],
    "stats-province": [("/stats/overview",
                        {"chart-city", "chart-targets", "chart-status", "chart-industry", "chart-year"}),
                       ("/stats/city/450100", {"chart-industry", "chart-status", "chart-park", "chart-reductions"})],
    "stats-enterprise": [("/stats/mine", {"chart-status", "chart-reductions"})],
}


@pytest.fixture(scope="module")
def stats_server(template_db, tmp_path_factory):
    """The platform on the statistics world (tests/schemes/builders), served in a thread, with the
    people who log in. The browser is the suite's (conftest.chromium)."""
    from tests.schemes.builders import stats_template

    if template_db is None:  # the suite runs on PostgreSQL: the browser keeps to its own SQLite
        template_db = tmp_path_factory.mktemp("stats-migrated") / "template.db"
        with create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{template_db}", "TESTING": True}, "test").app_context():
            from flask_migrate import upgrade

            upgrade()
    path, ids = stats_template(template_db, tmp_path_factory)
    tmp = path.parent
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True,
                      "PROPAGATE_UNEXPECTED": False, "SEARCH_INDEX_AFTER_COMMIT": False, "UPLOAD_DIR": str(tmp),
                      "SEARCH_EMBEDDED_PATH": str(tmp / "search.sqlite3"), "CREDIT_DROP_DIR": str(tmp / "drop"),
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}, "test")
    with app.app_context():
        from platform.accounts.services import create_user

        create_user(SYSTEM, username="stats-province", password=PASSWORD, role="regulator", division_code="450000")
        create_user(SYSTEM, username="stats-enterprise", password=PASSWORD, role="enterprise",
                    enterprise_id=ids["enterprises"]["a1"])
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.mark.parametrize("username", list(DASHBOARDS))
def test_the_dashboards_draw_their_charts(stats_server, chromium, username):
    context = chromium.new_context(base_url=stats_server, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = []
    page.on("console", lambda message: message.type == "error" and "Failed to load resource" not in message.text
            and problems.append(message.text))
    # A missing file is reported by its address (the browser asks for /favicon.ico, which is not ours).
    page.on("response", lambda response: response.status >= 400 and not response.url.endswith("/favicon.ico")
            and problems.append(f"{response.status} {response.url}"))
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        if username:
            page.goto("/login")
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_load_state()
        for url, chart_ids in DASHBOARDS[username]:
            page.goto(url)
            for chart_id in chart_ids:
                chart = page.locator(f"#{chart_id}")
                chart.and_(page.locator("[data-rendered=true]")).wait_for()
                assert chart.locator("svg").count() == 1, (url, chart_id)
                assert chart.locator("svg path").count() > 0, (url, chart_id)
            assert page.locator(".stat-table a.button", has_text="导出 Excel").count() >= 3
        if username is None:
            assert "南宁市" in page.locator("#chart-city svg").inner_html()
        assert problems == []
    finally:
        context.close()


def test_chart_labels_are_drawn_whole_inside_the_chart(stats_server, chromium):
    """No axis label is cut at the chart's edge (the grid makes room for its labels)."""
    context = chromium.new_context(base_url=stats_server, locale="zh-CN", viewport={"width": 390, "height": 900})
    page = context.new_page()
    try:
        page.goto("/stats")
        chart = page.locator("#chart-city")
        chart.and_(page.locator("[data-rendered=true]")).wait_for()
        outside = chart.evaluate("""box => {
          const frame = box.getBoundingClientRect();
          return [...box.querySelectorAll('svg text')].filter(t => {
            const r = t.getBoundingClientRect();
            return r.width && (r.left < frame.left - 1 || r.right > frame.right + 1 || r.bottom > frame.bottom + 1);
          }).map(t => t.textContent);
        }""")
        assert outside == []
    finally:
        context.close()
