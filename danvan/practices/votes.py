"""Public voting (bình chọn): a campaign over chosen practices, exemplars and
good deeds; a person votes for an entry at most once per window; the counts
are frozen when the campaign is closed, then announced.

**Who votes.** A person is known, as in the contests, by their CCCD checked for
its form (province code, century and sex digit, birth year) with their phone
number; what is kept is the CCCD's keyed hash (`voter_key`), never the number,
and the phone counts only in a rate limit (by its keyed hash). The session
remembers the key, so the next votes are one tap.

**What cannot stuff the count.** One row per (entry, person, window), under a
unique constraint: a replayed request, a new address, two requests racing all
meet it, and the entry's counter rises in the same transaction as the row, so
the live count is exact. Identifications are limited per address and per
phone, votes per address (`LIMITS`; a limit of 0 is off).

**With one-time codes** (a gateway set: `core.phone_codes.enabled()`), a
person proves they hold the phone with a code sent to it, and the phone, not
a CCCD, stands for them (`phone_voter_key`): made-up numbers no longer make
new voters, each one needs a phone that receives the code. Switch it on
before a campaign opens: a person who voted by CCCD before would count again.

**Freezing.** A vote is accepted only while the campaign is published and
`starts_at <= now < ends_at`, and keeps that `now` as its time. Closing is
allowed from `ends_at` + CLOSE_GRACE; it takes the campaign's row lock (which
waits for the votes still being written: their foreign key holds a share lock
on the same row), recounts every entry from its votes before `ends_at`, and
ranks them (1, 1, 3 for a tie).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from danvan.core.crypto import keyed_hash
from danvan.core.locking import lock_in_status
from danvan.core.ratelimit import RateLimits
from danvan.core.text import format_datetime
from danvan.core.validators import parse_cccd
from danvan.practices.models import (
    Campaign,
    CampaignStatus,
    DeedStatus,
    Entry,
    GoodDeed,
    Practice,
    Status,
    Vote,
)

LIMITS = RateLimits(
    "practices:vote",
    {"vote_ip": (600, 3600), "voter_ip": (30, 3600), "voter_phone": (5, 86400)},
    setting="PRACTICES_VOTE_RATE_LIMITS",
)
VOTER_PURPOSE = b"practices:voter"
PHONE_PURPOSE = b"practices:voter-phone"
SESSION_KEY = "practices_voter"
CLOSE_GRACE = timedelta(minutes=1)
ENTRY_STATUSES = (Status.RECOGNISED, Status.REPLICATED)


def voter_key(cccd: str) -> str:
    """The keyed hash that stands for a person (their CCCD, checked first)."""
    info = parse_cccd(cccd)
    return keyed_hash(VOTER_PURPOSE, info.number.encode())


def phone_voter_key(phone: str) -> str:
    """The key that stands for a person whose phone a one-time code confirmed
    (`core.phone_codes`): one voter a phone."""
    return keyed_hash(VOTER_PURPOSE, f"phone:{phone}".encode())


def phone_key(phone: str) -> str:
    return keyed_hash(PHONE_PURPOSE, phone.encode())


# --- Voting -------------------------------------------------------------------------


def phase(campaign: Campaign, now: datetime | None = None) -> str:
    """ "soon", "open", "ended" (published, past its end), "closed", "announced" or "draft"."""
    now = now or timezone.now()
    if campaign.status != CampaignStatus.PUBLISHED:
        return str(campaign.status)
    if now < campaign.starts_at:
        return "soon"
    if now >= campaign.ends_at:
        return "ended"
    return "open"


def cast_vote(campaign: Campaign, entry_id: int, voter: str, now: datetime | None = None) -> bool:
    """Count `voter`'s vote for the entry: True when counted, False when they
    have voted for it already in this window. Refused (ValidationError) when
    the campaign is not open or the entry is not one of its own."""
    now = now or timezone.now()
    if phase(campaign, now) != "open":
        raise ValidationError("Đợt bình chọn này không mở vào lúc này.", code="closed")
    try:
        with transaction.atomic():
            # The entry's row lock: counted once, whatever races.
            updated = Entry.objects.filter(pk=entry_id, campaign=campaign).update(
                votes=F("votes") + 1
            )
            if not updated:
                raise ValidationError("Mục bình chọn không thuộc đợt này.", code="entry")
            Vote.objects.create(
                campaign=campaign,
                entry_id=entry_id,
                voter=voter,
                window=campaign.window_of(now),
                at=now,
            )
    except IntegrityError:
        return False
    return True


def voted_entries(campaign: Campaign, voter: str, now: datetime | None = None) -> set[int]:
    """The entries `voter` has voted for in the current window."""
    if not voter:
        return set()
    window = campaign.window_of(now or timezone.now())
    return set(
        Vote.objects.filter(campaign=campaign, voter=voter, window=window).values_list(
            "entry_id", flat=True
        )
    )


def next_window_at(campaign: Campaign, now: datetime | None = None) -> datetime | None:
    """When the person may vote again for the same entry (None: not in this campaign)."""
    if not campaign.window_hours:
        return None
    now = now or timezone.now()
    following = campaign.starts_at + timedelta(
        hours=campaign.window_hours * (campaign.window_of(now) + 1)
    )
    return following if following < campaign.ends_at else None


# --- Staff: a campaign's lifecycle ----------------------------------------------------

_NOT_EDITED = {"id", "status", "closed_at", "created_by", "created_at"}


def create_campaign(campaign: Campaign, *, user: Any = None) -> Campaign:
    """Save a new campaign (a draft, built by the staff form)."""
    with transaction.atomic():
        campaign.status = CampaignStatus.DRAFT
        if getattr(user, "is_authenticated", False):
            campaign.created_by = user
        campaign.save()
    return campaign


def update_campaign(campaign: Campaign) -> Campaign:
    """Save the edited fields: while a draft, or published before any vote."""
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status not in (CampaignStatus.DRAFT, CampaignStatus.PUBLISHED) or (
            Vote.objects.filter(campaign=locked).exists()
        ):
            raise ValidationError(
                "Đợt bình chọn đã có phiếu hoặc đã khóa kết quả nên không sửa được.",
                code="status",
            )
        campaign.status = locked.status
        fields = [f.name for f in Campaign._meta.concrete_fields if f.name not in _NOT_EDITED]
        campaign.save(update_fields=fields)
    return campaign


def entry_candidates(user: Any) -> tuple[Any, Any]:
    """What `user` may put in a campaign: recognised practices and published good
    deeds in their scope."""
    practices = (
        Practice.objects.visible_to(user).filter(status__in=ENTRY_STATUSES).select_related("area")
    )
    deeds = (
        GoodDeed.objects.visible_to(user).filter(status=DeedStatus.PUBLISHED).select_related("area")
    )
    return practices.order_by("-year", "title_folded"), deeds.order_by("-published_at")


def set_entries(
    campaign: Campaign, practices: Iterable[Practice], deeds: Iterable[GoodDeed]
) -> None:
    """The campaign's entries, in the order given (practices first), while it is a draft."""
    practices, deeds = list(practices), list(deeds)
    with transaction.atomic():
        locked = lock_in_status(
            campaign, [CampaignStatus.DRAFT], "Chỉ sửa danh sách bình chọn khi đợt còn là nháp."
        )
        wrong = [p.title for p in practices if p.status not in ENTRY_STATUSES] + [
            d.nominee_name for d in deeds if d.status != DeedStatus.PUBLISHED
        ]
        if wrong:
            raise ValidationError(
                "Chỉ đưa vào bình chọn mô hình đã công nhận và việc tốt đã công bố: "
                + ", ".join(wrong),
                code="entry_status",
            )
        Entry.objects.filter(campaign=locked).delete()
        rows = [Entry(campaign=locked, practice=p, position=n) for n, p in enumerate(practices)]
        rows += [
            Entry(campaign=locked, deed=d, position=len(practices) + n) for n, d in enumerate(deeds)
        ]
        Entry.objects.bulk_create(rows)


def publish_problems(campaign: Campaign) -> list[str]:
    problems = []
    if campaign.entries.count() < 2:
        problems.append("Cần ít nhất 2 mục để bình chọn.")
    if campaign.ends_at <= timezone.now():
        problems.append("Thời gian kết thúc đã qua; hãy sửa thời gian.")
    return problems


def publish_campaign(campaign: Campaign) -> Campaign:
    with transaction.atomic():
        locked = lock_in_status(campaign, [CampaignStatus.DRAFT], "Đợt bình chọn đã được công bố.")
        problems = publish_problems(locked)
        if problems:
            raise ValidationError(problems[0], code="problems")
        locked.status = CampaignStatus.PUBLISHED
        locked.save(update_fields=["status"])
    return locked


def close_problems(campaign: Campaign, now: datetime | None = None) -> list[str]:
    now = now or timezone.now()
    if now < campaign.ends_at + CLOSE_GRACE:
        return [
            "Chỉ khóa kết quả sau khi đợt bình chọn kết thúc "
            f"({format_datetime(campaign.ends_at)})."
        ]
    return []


def close_campaign(campaign: Campaign, now: datetime | None = None) -> Campaign:
    """Freeze the results: every entry recounted from its votes, then ranked."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_in_status(
            campaign, [CampaignStatus.PUBLISHED], "Đợt bình chọn không ở trạng thái đang công bố."
        )
        problems = close_problems(locked, now)
        if problems:
            raise ValidationError(problems[0], code="too_early")
        counts = dict(
            Entry.objects.filter(campaign=locked)
            .annotate(
                n=Count("ballots", filter=Q(ballots__at__lt=locked.ends_at)),
            )
            .values_list("pk", "n")
        )
        entries = list(Entry.objects.filter(campaign=locked))
        ordered = sorted(counts.values(), reverse=True)
        for entry in entries:
            entry.final_votes = counts.get(entry.pk, 0)
            entry.rank = ordered.index(entry.final_votes) + 1
        Entry.objects.bulk_update(entries, ["final_votes", "rank"])
        locked.status = CampaignStatus.CLOSED
        locked.closed_at = now
        locked.save(update_fields=["status", "closed_at"])
    return locked


def announce_campaign(campaign: Campaign) -> Campaign:
    with transaction.atomic():
        locked = lock_in_status(
            campaign, [CampaignStatus.CLOSED], "Cần khóa kết quả trước khi công bố."
        )
        locked.status = CampaignStatus.ANNOUNCED
        locked.save(update_fields=["status"])
    return locked
