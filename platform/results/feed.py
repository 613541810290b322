"""An Atom feed (RFC 4287) of a result list, for other departments' systems to poll.

Each entry is one firm's result; its id names the round, so a reader sees a new entry when a firm is
accepted again, and an entry leaves the feed when its validity ends. `updated` is the acceptance
date (Beijing midnight), the feed's the newest entry's, so an unchanged list gives an unchanged feed.
"""
from datetime import date
from xml.etree import ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"


def _stamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00+08:00"


def atom(*, feed_id: str, title: str, subtitle: str, self_url: str, page_url: str, entries, as_of: date,
         entry_url) -> bytes:
    """`entries`: services.Entry items, in the list's order; `entry_url(entry)`: the firm's public page."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    entries = list(entries)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    sub(feed, "id", feed_id)
    sub(feed, "title", title)
    sub(feed, "subtitle", subtitle)
    sub(feed, "updated", _stamp(max((e.accepted_on for e in entries), default=as_of)))
    sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    sub(feed, "link", rel="alternate", href=page_url, type="text/html")
    author = sub(feed, "author")
    sub(author, "name", "广西清洁生产信息平台")
    for e in entries:
        item = sub(feed, "entry")
        sub(item, "id", f"{feed_id}:round:{e.round_id}")
        sub(item, "title", f"{e.name}：{e.level_label}")
        sub(item, "updated", _stamp(e.accepted_on))
        sub(item, "link", rel="alternate", href=entry_url(e), type="text/html")
        sub(item, "summary", f"统一社会信用代码 {e.uscc}；{e.city}；{e.industry}；验收合格 {e.accepted_on.isoformat()}；"
                             f"有效期至 {e.valid_until.isoformat()}")
        sub(item, "category", term=e.level, label=e.level_label)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
