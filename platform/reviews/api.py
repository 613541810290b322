"""Public API of the review panels: a panel's draw record, sealed while it scores (services.sealed)."""
from flask import jsonify

from ..core.api.views import bp
from ..core.dates import iso
from . import draw
from . import services as panels


@bp.get("/reviews/<int:panel_id>/draw")
def draw_record(panel_id: int):
    """A panel's draw record: while it scores, each draw's commitment only; once it has concluded or
    was cancelled, the seed, nonce and lists that anyone can hash and replay (see reviews/draw.py)."""
    panel = panels.get_panel(panel_id)
    draws = []
    for summary in (panels.draw_summary(d) for d in panel.draws):
        item = {"seq": summary["seq"], "requested": summary["requested"], "commitment": summary["commitment"],
                "drawn_at": iso(summary["drawn_at"])}
        if not summary["sealed"]:
            item.update(seed=str(summary["seed"]), nonce=summary["nonce"], candidate_ids=summary["candidate_ids"],
                        exclusions=[{"expert_id": i, "reason": reason} for i, reason in summary["exclusions"]],
                        candidates=summary["candidates"], excluded=summary["excluded"],
                        eligible=summary["eligible"], eligible_ids=summary["eligible_ids"],
                        excluded_by_reason=[{"reason": code, "label": label, "count": n}
                                            for code, label, n in summary["reasons"]],
                        chosen_ids=summary["chosen_ids"], commitment_matches=summary["commitment_matches"])
        draws.append(item)
    body = {"id": panel.id, "stage": panel.stage, "state": panel.state, "size": panel.size,
            "drawn_on": panel.drawn_on.isoformat(), "enterprise": panel.round.enterprise.name,
            "sealed": panels.sealed(panel),
            "commitment_format": draw.RECORD_FORMAT,
            "commitment_recipe": "sha256(canonical record, UTF-8) — see the panel's public page",
            "algorithm": "random.Random(seed).sample(eligible_ids, requested)  # Python 3",
            "draws": draws}
    if not panels.sealed(panel):
        body["replay_matches"] = panels.verify(panel)
    if panel.state == "concluded":
        body.update(passed=panel.passed, outcome=panel.outcome_label, mean_total=float(panel.mean_total),
                    concluded_on=panel.concluded_on.isoformat())
    return jsonify(body)
