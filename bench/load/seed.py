"""The instance the load test runs against: the demo (a victim's log shared with a police
unit's case), more officers of that unit, and more victims with logs of their own.

Run once, with Django set up on the load test's data directory and database:
``python -m bench.load.seed VICTIMS OFFICERS``. Everyone's password is the demo's; officer
``loadNN`` has the two-factor key ``totp_key("loadNN")`` of cairn/demo/police.py.
"""

from __future__ import annotations

import io
import os
import sys

VICTIM_PASSWORD = "load-test-victim-2026"
INCIDENTS_PER_VICTIM = 40


def seed(victims: int, officers: int) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bench.seed import seed_incidents
    from cairn.accounts import services as accounts
    from cairn.accounts.models import Membership, Role, User
    from cairn.demo import load_demo, load_demo_case
    from cairn.demo.police import DEMO_POLICE_PASSWORD, totp_key
    from cairn.vault import services
    from cairn.vault.models import Incident

    vault = load_demo()
    case = load_demo_case(vault)
    unit = Membership.objects.filter(user__username="demo.investigator").get().unit
    operator = User.objects.get(is_superuser=True)
    for n in range(1, officers + 1):
        user = User(username=f"load{n:02d}", display_name=f"DC Load {n}")
        user.set_password(DEMO_POLICE_PASSWORD)
        user.save()
        accounts.grant_role(actor=operator, user=user, unit=unit, role=Role.INVESTIGATOR)
        TOTPDevice.objects.create(
            user=user, name="Load test", key=totp_key(user.username).hex(), confirmed=True
        )
    for n in range(1, victims + 1):
        user = User(username=f"victim{n:02d}", display_name=f"Victim {n}")
        user.set_password(VICTIM_PASSWORD)
        user.save()
        log = services.create_vault(
            actor=user, name="My log", initials="V" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n % 26]
        )
        seed_incidents(log, INCIDENTS_PER_VICTIM, seed=n)
        first = Incident.objects.filter(vault=log).order_by("number").first()
        services.add_exhibit(
            actor=user,
            vault=log,
            incident=first,
            stream=io.BytesIO(os.urandom(50_000)),
            original_name="photo.bin",
        )
    print(f"case {case.pk}")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    seed(int(sys.argv[1]), int(sys.argv[2]))
