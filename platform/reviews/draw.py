"""The random draw of a review panel, as pure functions over plain facts.

Nothing here touches the database, so a draw can be replayed by anyone from its published
record: the seed, the candidates in canonical order (by expert id) and who was excluded. The one
random step is `random.Random(seed).sample(eligible_sorted, n)` (Python 3's Mersenne Twister).

Sealed, then revealed. Anyone who knew the seed and the lists while the panel is still scoring
could recompute its members (the pool and the enterprise's industry are public), so at draw time
only a commitment is published: the SHA-256 of the draw's record. When the panel has concluded or
was cancelled the record itself is revealed, and anyone can check that it hashes to the commitment
published beforehand and that it replays to the members. The record, as bytes (UTF-8; every
line ends with one LF, the last one too; numbers in decimal without leading zeros or spaces):

    gxcp-panel-draw/1
    seed=<the seed, 0 … 2^64-1>
    nonce=<32 lowercase hex digits: 128 random bits>
    requested=<how many experts were drawn>
    candidates=<every candidate's expert id, ascending, comma-separated>
    excluded=<expert id>:<reason code>,… (ascending by id; reason codes of rules.EXCLUSION_REASONS)

An empty list leaves nothing after its `=`. The nonce is there because the seed alone has only 64
bits and the candidate list can be guessed from the public directory: without it, a patient
person could try every seed against the commitment.
"""
import hashlib
import random
import secrets
from dataclasses import dataclass, field

from ..core.errors import ValidationError
from .rules import EXCLUSION_REASONS

SEED_BITS = 64
NONCE_BYTES = 16
RECORD_FORMAT = "gxcp-panel-draw/1"


@dataclass(frozen=True)
class Candidate:
    """An expert as the draw sees them."""

    id: int
    status: str
    employer_uscc: str
    industry_codes: frozenset[str]
    declared_usccs: frozenset[str] = frozenset()
    short_of_training: bool = False  # lacks the training hours the draw's date requires (training/rules.py)


@dataclass(frozen=True)
class Review:
    """The round under review, as the draw sees it."""

    enterprise_uscc: str
    industry_code: str
    service_org_uscc: str | None = None
    on_panel: frozenset[int] = frozenset()  # members already sitting (a replacement draw)
    declined: frozenset[int] = frozenset()  # members who declined this panel


@dataclass(frozen=True)
class Outcome:
    seed: int
    size: int
    candidate_ids: list[int]
    exclusions: dict[int, str] = field(default_factory=dict)  # expert id -> reason code
    eligible_ids: list[int] = field(default_factory=list)
    chosen_ids: list[int] = field(default_factory=list)


def new_seed() -> int:
    return secrets.randbits(SEED_BITS)


def new_nonce() -> str:
    return secrets.token_hex(NONCE_BYTES)


def canonical_record(seed: int, nonce: str, requested: int, candidate_ids, exclusions: dict[int, str]) -> bytes:
    """The bytes the commitment is taken over (the format is in the module's docstring)."""
    lines = [RECORD_FORMAT, f"seed={int(seed)}", f"nonce={nonce}", f"requested={int(requested)}",
             "candidates=" + ",".join(str(int(i)) for i in sorted(candidate_ids)),
             "excluded=" + ",".join(f"{int(i)}:{reason}" for i, reason in sorted(exclusions.items()))]
    return ("\n".join(lines) + "\n").encode("utf-8")


def commitment(seed: int, nonce: str, requested: int, candidate_ids, exclusions: dict[int, str]) -> str:
    """SHA-256 (lowercase hex) of the canonical record: published at draw time, checked after the reveal."""
    return hashlib.sha256(canonical_record(seed, nonce, requested, candidate_ids, exclusions)).hexdigest()


def exclusion_reason(candidate: Candidate, review: Review) -> str | None:
    """The first reason (in rules.EXCLUSION_REASONS order) the expert may not sit, or None."""
    if candidate.id in review.on_panel:
        return "on_panel"
    if candidate.id in review.declined:
        return "declined"
    if candidate.status != "approved":
        return candidate.status  # pending, suspended or retired
    if review.industry_code not in candidate.industry_codes:
        return "specialty"
    if candidate.employer_uscc == review.enterprise_uscc:
        return "same_employer"
    if review.service_org_uscc and candidate.employer_uscc == review.service_org_uscc:
        return "service_org"
    if review.enterprise_uscc in candidate.declared_usccs or (
            review.service_org_uscc and review.service_org_uscc in candidate.declared_usccs):
        return "declared"
    if candidate.short_of_training:
        return "training"
    return None


def choose(eligible_ids, seed: int, size: int) -> list[int]:
    """The one random step: the same seed and eligible list always give the same members, in order."""
    return random.Random(seed).sample(sorted(eligible_ids), size)


def run(candidates, review: Review, seed: int, size: int, *, stage_label: str = "评审") -> Outcome:
    """Exclude, then choose `size` of the rest. Raises ValidationError when too few remain."""
    ordered = sorted(candidates, key=lambda c: c.id)
    exclusions = {}
    for candidate in ordered:
        reason = exclusion_reason(candidate, review)
        if reason is not None:
            exclusions[candidate.id] = reason
    eligible = [c.id for c in ordered if c.id not in exclusions]
    if len(eligible) < size:
        raise ValidationError(_too_small_message(len(eligible), size, exclusions, stage_label), "size")
    return Outcome(seed=seed, size=size, candidate_ids=[c.id for c in ordered], exclusions=exclusions,
                   eligible_ids=eligible, chosen_ids=choose(eligible, seed, size))


def replay(candidate_ids, excluded_ids, seed: int, size: int) -> list[int]:
    """Recompute a draw from its record."""
    excluded = set(excluded_ids)
    return choose([i for i in candidate_ids if i not in excluded], seed, size)


def reason_counts(exclusions: dict[int, str]) -> list[tuple[str, str, int]]:
    """(code, label, count) for every reason that excluded someone, in the rules' order."""
    counts: dict[str, int] = {}
    for reason in exclusions.values():
        counts[reason] = counts.get(reason, 0) + 1
    return [(code, label, counts[code]) for code, label in EXCLUSION_REASONS.items() if code in counts]


def _too_small_message(eligible: int, size: int, exclusions: dict[int, str], stage_label: str) -> str:
    detail = "；".join(f"{label} {count} 名" for _, label, count in reason_counts(exclusions)) or "专家库为空"
    if size == 1:
        return (f"专家库中已没有可替补的专家（已排除：{detail}）。"
                "请扩充该行业的专家库后再抽取替补专家。")
    return (f"符合条件的专家只有 {eligible} 名，不足以组成 {size} 人的{stage_label}专家组（已排除：{detail}）。"
            "未抽取任何专家；请扩充该行业的专家库或减少专家组人数后重新抽取。")
