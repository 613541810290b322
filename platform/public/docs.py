"""Pages for people about the data: the API (drawn from the OpenAPI document, no CDN) and the data
dictionary of every public download."""
from flask import Blueprint, render_template

from ..core.api import openapi
from . import dictionary

bp = Blueprint("api_docs", __name__)


@bp.get("/api/docs")
def page():
    return render_template("public/api_docs.html", spec=openapi.document())


@bp.get("/data-dictionary")
def dictionary_page():
    return render_template("public/data_dictionary.html", downloads=dictionary.downloads(), meaning=dictionary.meaning)
