"""The contest's rate limits (the limiter is core's: danvan.core.ratelimit).

Limits come from settings.CONTEST_RATE_LIMITS ({name: (limit, window_seconds)}),
falling back to DEFAULT_LIMITS. The per-address limits are generous on purpose:
a commune meeting hall, a school lab or a mobile carrier's NAT puts many honest
people behind one address.
"""

from __future__ import annotations

from danvan.core.ratelimit import RateLimits

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    # Starting an attempt (writes a row, draws a paper).
    "start_ip": (60, 600),
    "start_participant": (10, 600),
    # Registering and signing in (guessing phone numbers or access codes).
    "register_ip": (60, 600),
    "signin_ip": (30, 600),
    # One-time sign-in codes sent (each one a paid message to a phone).
    "otp_phone": (3, 900),
    "otp_ip": (20, 900),
    # Autosave: one request per answer changed; far above any honest use.
    "save_attempt": (600, 600),
}

LIMITS = RateLimits("contests:rl", DEFAULT_LIMITS, setting="CONTEST_RATE_LIMITS")
