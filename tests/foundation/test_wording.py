"""Words a reader meets: no doubled 已, no engineering terms on a person's page."""
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ENGINEERING_WORDS = ("幂等", "idempotency")


def test_no_template_shows_an_engineering_word():
    for path in TEMPLATES.rglob("*.html"):
        page = path.read_text()
        for word in ENGINEERING_WORDS:
            assert word not in page.replace("idempotency_key", ""), f"{path.name} says {word}"
