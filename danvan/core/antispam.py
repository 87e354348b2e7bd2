"""Anti-spam for the public forms (a nomination, a citizen's petition), without
third-party services: a honeypot field people never see and robots fill
(`HONEYPOT`, rendered by "public/_honeypot.html"), a signed time put in the form
when it is shown (`form_stamp`) and checked when it comes back (`check_stamp`:
not too fast for a person, not stale), and rate limits per address and per
phone (`core.ratelimit.RateLimits`, configured by each form's app).

    form = MyPublicForm(request.POST or None)          # has `trang_web` and `t`
    if form.is_valid():
        if form.cleaned_data[HONEYPOT]:                # a robot: thanked, nothing kept
            return redirect(done)
        check_stamp(form.cleaned_data["t"])            # ValidationError in Vietnamese
"""

from __future__ import annotations

import time

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError

MIN_SECONDS = 4  # a person takes longer than this to fill a form
MAX_SECONDS = 2 * 3600
HONEYPOT = "trang_web"
_SALT = "practices.deed-form"  # kept: stamps already shown stay valid


def form_stamp(*, at: float | None = None) -> str:
    """A signed time, put in the form when it is shown (`at`: another time, for tests)."""
    return signing.dumps(time.time() if at is None else at, salt=_SALT)


def check_stamp(stamp: str, *, now: float | None = None) -> None:
    """Refuse a form sent back too fast (a script) or long after it was shown."""
    now = time.time() if now is None else now
    try:
        shown = float(signing.loads(stamp, salt=_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        raise ValidationError(
            "Biểu mẫu không hợp lệ hoặc đã cũ; hãy tải lại trang và gửi lại.", code="stamp"
        ) from None
    if now - shown < MIN_SECONDS:
        raise ValidationError(
            "Biểu mẫu được gửi quá nhanh; hãy kiểm tra lại nội dung rồi gửi lại.", code="fast"
        )
    if now - shown > MAX_SECONDS:
        raise ValidationError("Biểu mẫu đã mở quá lâu; hãy tải lại trang và gửi lại.", code="stale")


class GuardedForm(forms.Form):
    """A public form with the honeypot (`trang_web`, left empty by people) and
    the signed time (`t`, filled from `form_stamp()` by the template)."""

    trang_web = forms.CharField(required=False, label="Trang web (để trống)")
    t = forms.CharField(required=False, widget=forms.HiddenInput)
