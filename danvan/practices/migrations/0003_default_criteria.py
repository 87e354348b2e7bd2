"""The default criteria of the evaluation council (their weights add up to 100)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

DEFAULT = [
    ("Tính mới, sáng tạo trong cách làm", 20),
    ("Hiệu quả kinh tế - xã hội, có số liệu cụ thể", 30),
    ("Sự tham gia, đồng thuận của Nhân dân", 25),
    ("Khả năng nhân rộng ở đơn vị khác", 15),
    ("Tính bền vững, duy trì lâu dài", 10),
]


def load(apps: Any, schema_editor: Any) -> None:
    Criterion = apps.get_model("practices", "Criterion")
    if not Criterion.objects.exists():
        for position, (name, weight) in enumerate(DEFAULT, start=1):
            Criterion.objects.create(name=name, weight=weight, position=position)


class Migration(migrations.Migration):
    dependencies = [("practices", "0002_evaluation")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
