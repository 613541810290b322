"""An upgrade that brings a new mapping version: the index built by the previous release keeps
answering, changes wait in the queue instead of being written into a mapping they do not fit, and
the scheduled drain rebuilds the index and then sends them. On both backends."""
import dataclasses
import json

import pytest

from platform.core.extensions import db
from platform.core.indexing import services as indexing
from platform.core.indexing.models import IndexQueue
from platform.core.indexing.services import drain_job
from search import indexes, mapping_version

CURRENT = indexes.INDEXES["technologies"]


def _as_released_in_v1(mapping: dict) -> dict:
    """The v1 mapping: the same, with the terms as keyword arrays (what v1 indexed)."""
    mapping = json.loads(json.dumps(mapping))
    for tier in mapping["mappings"]["properties"]["terms"]["properties"]:
        mapping["mappings"]["properties"]["terms"]["properties"][tier] = {"type": "keyword", "doc_values": False}
    return mapping


class _SentAsArrays(indexes.IndexDefinition):
    """v1's Elasticsearch documents carried the terms as arrays (the embedded layout is unchanged)."""

    def analyse(self, document):
        return {tier: terms.split() for tier, terms in super().analyse(document).items()}


@pytest.fixture
def previous_release(search_app, monkeypatch, tmp_path):
    """Index the catalogue as the previous release did (mapping v1), then return to this release."""
    for definition in indexes.INDEXES.values():
        (tmp_path / definition.mapping_file.name.replace(f"-v{definition.version}", "-v1")).write_text(
            json.dumps(_as_released_in_v1(definition.mapping)), encoding="utf-8")
    fields = {field.name: getattr(CURRENT, field.name) for field in dataclasses.fields(CURRENT)}
    kind = _SentAsArrays if search_app.config["SEARCH_BACKEND"] == "elasticsearch" else indexes.IndexDefinition
    with monkeypatch.context() as old:
        old.setattr(indexes, "MAPPINGS_DIR", tmp_path)
        old.setitem(indexes.INDEXES, "technologies", kind(**{**fields, "version": 1}))
        yield old


def _names(client, q: str) -> set[str]:
    return {item["name"] for item in client.get("/api/v1/technologies", query_string={"q": q}).get_json()["items"]}


def test_changes_wait_for_the_rebuild_that_the_scheduled_drain_makes(search_app, previous_release, make_technology,
                                                                     client):
    make_technology("余热高效回收利用技术", industry="", category="过程控制")
    assert indexing.drain()["sent"] == 1
    old_physical = indexing.backend().ensure_index("technologies")
    assert mapping_version(old_physical) == 1
    previous_release.undo()  # the new release starts

    assert indexing.outdated_indexes() == ["technologies"]
    assert [row["outdated"] for row in indexing.status() if row["index"] == "technologies"] == [True]
    make_technology("全废钢电弧炉短流程炼钢技术", industry="31", category="源头减量")
    result = indexing.drain()
    assert result["outdated"] == ["technologies"] and result["sent"] == 0
    assert db.session.query(IndexQueue).filter_by(index_name="technologies").count() == 1  # kept, not lost
    assert indexing.backend().ensure_index("technologies") == old_physical  # nothing written into it
    assert _names(client, "余热回收") == {"余热高效回收利用技术"}  # the old index still answers

    summary = drain_job(None)
    assert "已按新映射重建索引 technologies" in summary
    assert mapping_version(indexing.backend().ensure_index("technologies")) == CURRENT.version
    assert db.session.query(IndexQueue).count() == 0
    assert indexing.outdated_indexes() == []
    assert _names(client, "余热回收") == {"余热高效回收利用技术"}
    assert _names(client, "电炉炼钢") == {"全废钢电弧炉短流程炼钢技术"}


def test_a_current_index_is_not_outdated(search_app, make_technology):
    make_technology("余热高效回收利用技术")
    assert indexing.drain() == {"sent": 1, "failed": 0, "queued": 0, "unavailable": False, "outdated": []}
    assert indexing.outdated_indexes() == []
