"""Search in Elasticsearch 8 through the official client, using core features only.

Documents are sent with their text fields as given plus ``terms.boostN``:
keyword arrays of the terms ``search.text`` computes for the fields of each
boost tier. A query is a ``bool`` whose filter requires every query term in
some tier (and the keyword filters) and whose ``should`` scores each clause
with a ``dis_max`` of ``constant_score`` per tier, the tier's boost: exactly
the score the embedded backend computes in SQL. Every request has a short
timeout; a connection problem, a timeout or a 5xx/429 becomes SearchUnavailable.
"""

from __future__ import annotations

import json
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Mapping, NamedTuple

from elasticsearch import (
    ApiError,
    Elasticsearch,
    NotFoundError,
    TransportError,
    UnsupportedProductError,
)

from search import indexes
from search.backends.base import (
    FACET_SIZE,
    MAX_RESULT_WINDOW,
    IndexAction,
    RebuildFailed,
    ResolvedQuery,
    SearchBackend,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    sort_key,
)
from search.indexes import IndexDefinition
from search.parallel import chunked, default_workers, map_chunks

BULK_CHUNK = 500
REBUILD_CHUNK = 1000
#: bulk requests a rebuild keeps in flight
REBUILD_CONCURRENCY = 2
REBUILDING_SUFFIX = "-rebuilding"


class Prepared(NamedTuple):
    """An action ready to send: ``body`` is the JSON document, None for a delete."""

    id: str
    version: int
    body: str | None
    failed: bool = False


def _prepare_chunk(name: str, actions: list[IndexAction]) -> list[Prepared]:
    definition = indexes.get(name)
    prepared = []
    for action in actions:
        if action.document is None:
            prepared.append(Prepared(action.id, action.version, None))
            continue
        try:
            body = dict(action.document)
            body["id"] = action.id
            definition.keyword_values(body)  # refuses what the embedded backend refuses
            body["terms"] = definition.analyse(body)
            body["id_sort"] = sort_key(action.id)
            prepared.append(Prepared(action.id, action.version, json.dumps(body, ensure_ascii=False)))
        except (TypeError, ValueError):
            prepared.append(Prepared(action.id, action.version, None, failed=True))
    return prepared


def _term_in_any_tier(definition: IndexDefinition, term: str) -> dict:
    return {"bool": {"should": [{"term": {f"terms.{tier}": term}} for tier in definition.tiers], "minimum_should_match": 1}}


class ElasticsearchBackend(SearchBackend):
    kind = "elasticsearch"

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "",
        timeout: float = 2.0,
        bulk_timeout: float = 60.0,
        replicas: int | None = None,
        swap_grace: float = 0.5,
        workers: int | None = None,
    ):
        """``replicas`` is set on indexes once built (None = the cluster's default);
        ``swap_grace`` is how long the old index survives a rebuild's alias swap,
        so searches already running on it can finish; ``workers`` is how many
        processes a big rebuild prepares documents in (default: one less than
        the CPUs, at most 4; 0 = none)."""
        super().__init__(prefix=prefix)
        self.url = url
        self.timeout = timeout
        self.bulk_timeout = bulk_timeout
        self.replicas = replicas
        self.swap_grace = swap_grace
        self.workers = default_workers() if workers is None else workers
        self._es = Elasticsearch(url, request_timeout=timeout, max_retries=0, retry_on_timeout=False)

    def close(self) -> None:
        self._es.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except (TransportError, UnsupportedProductError) as error:
            raise SearchUnavailable(f"{type(error).__name__}: {error}") from error
        except ApiError as error:
            if error.meta.status == 429 or error.meta.status >= 500:
                raise SearchUnavailable(f"HTTP {error.meta.status}: {error.message}") from error
            raise

    @property
    def _slow(self) -> Elasticsearch:
        return self._es.options(request_timeout=self.bulk_timeout)

    # --- index management ---------------------------------------------------------

    def _aliases(self, alias: str) -> tuple[list[str], list[str]]:
        """Physical indexes behind ``alias`` and behind its rebuilding marker."""
        found = self._es.indices.get_alias(name=f"{alias}*", ignore_unavailable=True).body
        live = sorted(index for index, info in found.items() if alias in info.get("aliases", {}))
        rebuilding = sorted(
            index for index, info in found.items() if alias + REBUILDING_SUFFIX in info.get("aliases", {})
        )
        return live, rebuilding

    def _index_body(self, definition: IndexDefinition, **settings: Any) -> dict:
        mapping = definition.mapping
        index_settings = dict(mapping.get("settings", {}).get("index", {}))
        index_settings.update(settings)
        return {"settings": {"index": index_settings}, "mappings": mapping["mappings"]}

    def _exists(self, physical: str) -> bool:
        return bool(self._es.indices.exists(index=physical))

    def ping(self) -> bool:
        # The integ-test distribution has no `GET /`, so ask for cluster health.
        try:
            self._es.cluster.health()
            return True
        except Exception:
            return False

    def ensure_index(self, name: str) -> str:
        definition, alias = indexes.get(name), self.alias(name)
        with self._guard():
            for _ in range(3):
                live, _rebuilding = self._aliases(alias)
                if live:
                    return live[0]
                physical = self._new_physical_name(name, self._exists)
                body = self._index_body(definition)
                try:
                    self._slow.indices.create(index=physical, aliases={alias: {}}, **body)
                    return physical
                except ApiError as error:
                    if error.error != "resource_already_exists_exception":
                        raise
            raise SearchUnavailable(f"could not create an index for {alias}")

    # --- writing -----------------------------------------------------------------

    @staticmethod
    def _operations(prepared: list[Prepared], targets: list[str], alias: str | None):
        """Bulk request lines for ``prepared`` written to each target, and (id, target) per item."""
        operations, meta = [], []
        for item in prepared:
            if item.failed:
                continue
            for target in targets:
                header = {"_index": target, "_id": item.id, "version": item.version, "version_type": "external"}
                if item.body is None:
                    operations.append(json.dumps({"delete": header}))
                else:
                    if target == alias:
                        header["require_alias"] = True  # never let a write auto-create an index
                    operations.append(json.dumps({"index": header}))
                    operations.append(item.body)
                meta.append((item.id, target))
        return operations, meta

    def _send(self, operations, meta, *, refresh: bool = False, alias: str | None = None) -> tuple[set[str], bool]:
        """Send one bulk request; return the failed ids and whether the alias was missing."""
        if not operations:
            return set(), False
        response = self._slow.bulk(operations=operations, refresh=refresh)
        failed, alias_missing = set(), False
        for item, (doc_id, target) in zip(response["items"], meta):
            operation, result = next(iter(item.items()))
            status = result.get("status", 500)
            if status < 300 or status == 409:
                continue  # 409: the stored version is newer or equal, so this write is obsolete
            if operation == "delete" and status == 404 and "error" not in result:
                continue  # deleting what is not there
            if target == alias and result.get("error", {}).get("type") == "index_not_found_exception":
                alias_missing = True
            failed.add(doc_id)
        return failed, alias_missing

    def bulk(self, name: str, actions: Iterable[IndexAction], *, refresh: bool = False) -> list[str]:
        alias = self.alias(name)
        failed: list[str] = []
        with self._guard():
            _live, rebuilding = self._aliases(alias)
            targets = [alias, *rebuilding]
            for chunk in chunked(actions, BULK_CHUNK):
                prepared = _prepare_chunk(name, chunk)
                operations, meta = self._operations(prepared, targets, alias)
                chunk_failed, alias_missing = self._send(operations, meta, refresh=refresh, alias=alias)
                if alias_missing:
                    self.ensure_index(name)
                    chunk_failed, _ = self._send(operations, meta, refresh=refresh, alias=alias)
                failed.extend(item.id for item in prepared if item.failed or item.id in chunk_failed)
        return list(dict.fromkeys(failed))

    def rebuild(self, name: str, documents: Iterable[tuple[str, int, Mapping[str, Any]]]) -> str:
        definition, alias = indexes.get(name), self.alias(name)
        marker = alias + REBUILDING_SUFFIX
        with self._guard():
            live, rebuilding = self._aliases(alias)
            for stale in rebuilding:
                if stale not in live:
                    self._slow.indices.delete(index=stale, ignore_unavailable=True)
            physical = self._new_physical_name(name, self._exists)
            body = self._index_body(definition, number_of_replicas=0, refresh_interval="-1")
            self._slow.indices.create(index=physical, aliases={marker: {}}, **body)
            try:
                failed = self._load(name, physical, documents)
                if failed:
                    raise RebuildFailed(failed)
                self._slow.indices.put_settings(
                    index=physical,
                    settings={"index": {"refresh_interval": None, "number_of_replicas": self.replicas}},
                )
                self._slow.indices.refresh(index=physical)
                live, _ = self._aliases(alias)
                swap = [{"add": {"index": physical, "alias": alias}}]
                swap += [{"remove": {"index": old, "alias": alias}} for old in live]
                swap.append({"remove": {"index": physical, "alias": marker}})
                self._slow.indices.update_aliases(actions=swap)
            except BaseException:
                self._slow.indices.delete(index=physical, ignore_unavailable=True)
                raise
            if live:
                time.sleep(self.swap_grace)
                self._slow.indices.delete(index=",".join(live), ignore_unavailable=True)
        return physical

    def _load(self, name: str, physical: str, documents) -> list[str]:
        """Bulk-load documents into ``physical``, a few requests in flight; return the failed ids."""
        actions = (IndexAction(doc_id, version, document) for doc_id, version, document in documents)
        failed: list[str] = []
        with ThreadPoolExecutor(REBUILD_CONCURRENCY) as senders:
            in_flight: deque = deque()
            for prepared in map_chunks(_prepare_chunk, name, chunked(actions, REBUILD_CHUNK), self.workers):
                failed += [item.id for item in prepared if item.failed]
                operations, meta = self._operations(prepared, [physical], None)
                in_flight.append(senders.submit(self._send, operations, meta))
                while len(in_flight) >= REBUILD_CONCURRENCY:
                    failed += sorted(in_flight.popleft().result()[0])
            while in_flight:
                failed += sorted(in_flight.popleft().result()[0])
        return failed

    def delete_all(self) -> None:
        with self._guard():
            names = []
            for name in indexes.INDEXES:
                found = self._es.indices.get(index=f"{self.alias(name)}-v*", ignore_unavailable=True, allow_no_indices=True)
                names.extend(found.body)
            if names:
                self._slow.indices.delete(index=",".join(sorted(names)), ignore_unavailable=True)

    # --- reading -----------------------------------------------------------------

    def count(self, name: str) -> int:
        with self._guard():
            try:
                return self._es.count(index=self.alias(name))["count"]
            except NotFoundError:
                return 0

    def search(self, name: str, query: SearchQuery) -> SearchResult:
        resolved = self.resolve(name, query)
        if query.offset >= MAX_RESULT_WINDOW:
            size, offset = 0, 0
        else:
            size, offset = min(query.per_page, MAX_RESULT_WINDOW - query.offset), query.offset
        request: dict[str, Any] = {
            "query": self._query(resolved),
            "sort": self._sort(resolved),
            "from_": offset,
            "size": size,
            "track_total_hits": True,
            "track_scores": not resolved.parsed.is_empty,
        }
        if resolved.facets:
            request["aggregations"] = {
                field: {"terms": {"field": field, "size": FACET_SIZE, "order": [{"_count": "desc"}, {"_key": "asc"}]}}
                for field in resolved.facets
            }
        with self._guard():
            try:
                # The shard request cache keeps a repeated public search (same words, filters and
                # page) until the next refresh that changed the index; by default it only keeps
                # searches without hits.
                response = self._es.search(index=self.alias(name), request_cache=True, **request)
            except NotFoundError:
                return self.empty_result(resolved)
        hits = [] if size == 0 else [
            self.make_hit(resolved, hit["_id"], hit.get("_score") or 0.0, hit["_source"])
            for hit in response["hits"]["hits"]
        ]
        facets = {
            field: [(str(bucket["key"]), bucket["doc_count"]) for bucket in response["aggregations"][field]["buckets"]]
            for field in resolved.facets
        }
        return SearchResult(response["hits"]["total"]["value"], hits, facets, query.page, query.per_page)

    @staticmethod
    def _query(resolved: ResolvedQuery) -> dict:
        definition = resolved.definition
        must_hold = [{"terms": {field: values}} for field, values in resolved.filters.items()]
        must_hold += [_term_in_any_tier(definition, term) for term in sorted(resolved.parsed.terms)]
        should = [
            {
                "dis_max": {
                    "queries": [
                        {
                            "constant_score": {
                                "filter": {"bool": {"filter": [{"term": {f"terms.{tier}": term}} for term in clause]}},
                                "boost": definition.tier_boost(tier),
                            }
                        }
                        for tier in definition.tiers
                    ]
                }
            }
            for clause in resolved.parsed.clauses
        ]
        if not must_hold:
            return {"match_all": {}}
        query: dict[str, Any] = {"filter": must_hold}
        if should:
            query["should"] = should
        return {"bool": query}

    @staticmethod
    def _sort(resolved: ResolvedQuery) -> list:
        if resolved.sort is None:
            rank = resolved.definition.rank_field
            first = [{rank: {"order": "asc", "missing": "_last", "unmapped_type": "keyword"}}] if rank else []
            if resolved.parsed.is_empty:
                return first + [{"id_sort": "asc"}]
            return first + [{"_score": "desc"}, {"id_sort": "asc"}]
        key, descending = resolved.sort
        order = "desc" if descending else "asc"
        if key == "id":
            return [{"id_sort": order}]
        field = resolved.definition.sort_fields[key]
        return [{field: {"order": order, "missing": "_last", "unmapped_type": "keyword"}}, {"id_sort": "asc"}]
