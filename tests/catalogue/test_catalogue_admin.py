"""Catalogue curation and import (no search engine needed)."""
from platform.core.access import SYSTEM
from platform.catalogue import services
from platform.catalogue.models import Technology
from platform.core.extensions import db


def test_only_admins_curate(world, client_for):
    for user in (world.regulator_a, world.province, world.enterprise_a, world.expert):
        assert client_for(user).get("/admin/technologies").status_code == 403
    response = client_for(world.admin).post("/admin/technologies/new", data={
        "name": "", "category": "过程控制", "industry_codes": "99", "source_year": "二〇二二"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请填写技术名称" in page and "不在国民经济行业分类" in page and "四位年份" in page
    assert db.session.query(Technology).count() == 0


def test_publish_and_withdraw_follow_the_states_and_are_logged(world, client_for):
    from platform.core.auditlog.models import AuditLog

    technology = services.create(world.admin, {"name": "高效膜分离技术", "industry_codes": "26", "category": "过程控制"})
    db.session.commit()
    admin = client_for(world.admin)
    admin.post(f"/admin/technologies/{technology.id}/withdraw")
    assert db.session.get(Technology, technology.id).status == "draft"  # a draft cannot be withdrawn
    admin.post(f"/admin/technologies/{technology.id}/publish")
    db.session.expire_all()
    assert db.session.get(Technology, technology.id).status == "published"
    assert db.session.query(AuditLog).filter_by(action="technology.publish").count() == 1


def test_import_reports_bad_rows_and_reimport_changes_nothing(app, tmp_path):
    path = tmp_path / "catalogue.csv"
    path.write_text(
        "技术名称,行业代码,类别,适用范围,技术原理,关键指标,典型案例,来源\n"
        "余热高效回收利用技术,,过程控制,中低温余热,,,,重点推广技术装备\n"
        "全废钢电弧炉短流程炼钢技术,31,源头减量,,,,,重点推广技术装备\n"
        "坏类别技术,31,节能减排,,,,,重点推广技术装备\n"
        ",31,过程控制,,,,,重点推广技术装备\n", encoding="utf-8")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["catalogue", "import", str(path), "--publish"])
    assert first.exit_code == 1
    assert "第 4 行 [类别]" in first.output and "第 5 行 [技术名称]" in first.output
    assert db.session.query(Technology).filter_by(status="published").count() == 2
    second = runner.invoke(args=["catalogue", "import", str(path), "--publish"])
    assert "新增 0，更新 0，未变化 2" in second.output


def test_withdrawing_a_technology_asks_first_and_the_message_says_it_once(world, client_for):
    from platform.catalogue import services

    technology = services.create(SYSTEM, {"name": "余热回收技术", "industry_codes": "31", "category": "过程控制"},
                                 status="published")
    db.session.commit()
    admin = client_for(world.admin)
    page = admin.get("/admin/technologies").get_data(as_text=True)
    assert 'data-confirm="撤回后，“余热回收技术”将不再出现在公开的技术目录中。确定撤回？"' in page
    done = admin.post(f"/admin/technologies/{technology.id}/withdraw", follow_redirects=True).get_data(as_text=True)
    assert "“余热回收技术”已撤回。" in done and "已已" not in done
    done = admin.post(f"/admin/technologies/{technology.id}/publish", follow_redirects=True).get_data(as_text=True)
    assert "“余热回收技术”已发布。" in done and "已已" not in done
