"""Variation and renewal of an SPO (s.4) at the service level: a new full order each time,
the one it replaces kept as it was (``Order.replaces``); the application's status follows
(varied, renewed, discharged); only the current order can be varied or renewed; and only the
current order's terms count as in force."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cairn.audit.models import AuditRecord
from cairn.orders import changes
from cairn.orders import services as orders
from cairn.orders.models import ApplicationStatus, Order, OrderKind
from cairn.orders.rules import TermSpec
from tests.factories import SPO_ANSWERS

GROUNDS = {key: {"text": "Ground.", "evidence": []} for key in orders.LIMBS}
NO_CONTACT = TermSpec("no_contact", necessity="He messages her daily.")
NO_IMAGES = TermSpec("no_images", necessity="He photographs her.")


@pytest.fixture
def order(case, investigator):
    application = orders.start_application(
        **SPO_ANSWERS,
        actor=investigator,
        case=case,
        terms=[NO_CONTACT],
        duration_months=24,
        interim_requested=True,
        interim_reasoning="He came twice this week.",
        grounds=GROUNDS,
    )
    orders.change_status(actor=investigator, application=application, status="submitted")
    return orders.record_order(
        actor=investigator,
        application=application,
        kind="full",
        made_on=date(2027, 1, 10),
        duration_months=24,
    )


def test_a_variation_is_a_new_order_with_the_same_expiry(order, investigator, case):
    varied = changes.vary_order(
        actor=investigator,
        order=order,
        varied_on=date(2027, 5, 1),
        terms=[NO_CONTACT, NO_IMAGES],
        note="Varied at the hearing.",
    )
    assert varied.pk != order.pk and varied.kind == OrderKind.FULL
    assert varied.replaces == order
    assert varied.made_on == date(2027, 5, 1) and varied.expires_on == order.expires_on
    assert varied.renewal_review_on == order.renewal_review_on
    assert not varied.notification_required
    assert [t.kind for t in varied.terms.all()] == ["no_contact", "no_images"]
    assert [t.kind for t in Order.objects.get(pk=order.pk).terms.all()] == ["no_contact"]
    order.application.refresh_from_db()
    assert order.application.status == ApplicationStatus.VARIED
    change = order.application.status_changes.last()
    assert (change.status, change.note) == ("varied", "Varied at the hearing.")
    assert AuditRecord.objects.filter(
        action="spo_order.varied", object_id=str(varied.pk), detail__replaces=str(order.pk)
    ).exists()
    # Only the varied order is in force now.
    assert orders.orders_in_force(case, today=date(2027, 6, 1)) == [varied]


def test_a_variation_needs_terms_with_reasons(order, investigator):
    with pytest.raises(ValidationError) as caught:
        changes.vary_order(actor=investigator, order=order, varied_on=date(2027, 5, 1), terms=[])
    assert "terms" in caught.value.message_dict
    with pytest.raises(ValidationError, match="necessary"):
        changes.vary_order(
            actor=investigator,
            order=order,
            varied_on=date(2027, 5, 1),
            terms=[TermSpec("no_images")],
        )
    with pytest.raises(ValidationError) as caught:
        changes.vary_order(
            actor=investigator, order=order, varied_on=date(2026, 12, 1), terms=[NO_CONTACT]
        )
    assert "varied_on" in caught.value.message_dict
    assert Order.objects.count() == 1


def test_a_renewal_runs_from_its_own_day(order, investigator):
    renewed = changes.renew_order(
        actor=investigator, order=order, renewed_on=date(2028, 12, 1), duration_months=36
    )
    # s.3(2): 36 months beginning with 1 December 2028 run to the end of 30 November 2031.
    assert renewed.expires_on == date(2031, 11, 30)
    assert renewed.renewal_review_on == date(2031, 9, 1)
    assert [t.kind for t in renewed.terms.all()] == ["no_contact"]
    order.application.refresh_from_db()
    assert order.application.status == ApplicationStatus.RENEWED
    open_ended = changes.renew_order(
        actor=investigator, order=renewed, renewed_on=date(2031, 11, 1), until_further_order=True
    )
    assert open_ended.expires_on is None and open_ended.renewal_review_on == date(2032, 11, 1)


def test_a_renewal_keeps_to_section_3(order, investigator):
    with pytest.raises(ValidationError, match="at least 2 years"):
        changes.renew_order(
            actor=investigator, order=order, renewed_on=date(2028, 12, 1), duration_months=12
        )
    assert Order.objects.count() == 1


def test_only_the_current_full_order_can_change(order, investigator):
    changes.vary_order(
        actor=investigator, order=order, varied_on=date(2027, 5, 1), terms=[NO_CONTACT]
    )
    with pytest.raises(ValidationError, match="later order replaced"):
        changes.renew_order(
            actor=investigator, order=order, renewed_on=date(2028, 12, 1), duration_months=24
        )


def test_an_interim_order_is_varied_as_an_interim_order_s5_7(case, investigator):
    application = orders.start_application(
        **SPO_ANSWERS,
        actor=investigator,
        case=case,
        terms=[NO_CONTACT],
        duration_months=24,
        interim_requested=True,
        interim_reasoning="Urgent.",
        grounds=GROUNDS,
    )
    orders.change_status(actor=investigator, application=application, status="submitted")
    interim = orders.record_order(
        actor=investigator,
        application=application,
        kind="interim",
        made_on=date(2027, 1, 1),
        ends_on=date(2027, 2, 1),
    )
    varied = changes.vary_order(
        actor=investigator,
        order=interim,
        varied_on=date(2027, 1, 5),
        terms=[NO_CONTACT, NO_IMAGES],
        applicant="defendant",
    )
    assert (varied.kind, varied.expires_on, varied.replaces) == (
        "interim",
        date(2027, 2, 1),
        interim,
    )
    application.refresh_from_db()
    assert (application.status, application.interim_status) == ("submitted", "interim_varied")


def test_a_discharged_order_cannot_be_varied_or_renewed(order, investigator):
    changes.discharge_order(
        actor=investigator,
        order=order,
        discharged_on=date(2027, 2, 1),
        applicant="defendant",
        consent_defendant=True,
        consent_chief_officer=True,
        note="Discharged on the defendant's application.",
    )
    with pytest.raises(ValidationError, match="cannot become"):
        changes.vary_order(
            actor=investigator, order=order, varied_on=date(2027, 5, 1), terms=[NO_CONTACT]
        )
    with pytest.raises(ValidationError, match="cannot become"):
        changes.renew_order(
            actor=investigator, order=order, renewed_on=date(2028, 12, 1), duration_months=24
        )
    assert orders.orders_in_force(order.application.case, today=date(2027, 6, 1)) == []


def test_someone_outside_the_unit_cannot_vary(order, unit_peer):
    with pytest.raises(PermissionDenied):
        changes.vary_order(
            actor=unit_peer, order=order, varied_on=date(2027, 5, 1), terms=[NO_CONTACT]
        )


def test_the_deadlines_follow_the_order_that_replaced_another(order, investigator):
    from cairn.orders.calendar import unit_deadlines

    renewed = changes.renew_order(
        actor=investigator, order=order, renewed_on=date(2028, 12, 1), duration_months=24
    )
    found = {(d.kind, d.on) for d in unit_deadlines(investigator)}
    assert ("expiry", date(2030, 11, 30)) in found
    assert ("renewal_review", renewed.renewal_review_on) in found
    assert ("expiry", order.expires_on) not in found
    assert ("renewal_review", order.renewal_review_on) not in found
