"""The register import with its 名单公布日期 column: the enterprise rows are the enterprises
feature's (enterprises.importer); listing a row's enterprise for a mandatory round on that date is
this feature's (services.list_from_import). Both run in the row's one savepoint."""
from ..enterprises.importer import import_enterprises
from .services import list_from_import


def import_register(actor, data: bytes, filename: str, progress=None):
    return import_enterprises(actor, data, filename, progress=progress, list_enterprise=list_from_import)
