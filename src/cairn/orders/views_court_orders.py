"""Recording an order a court made without a police application (docs/adr/0041): from the
case page, the kind and how it was made, its dates and its terms (rows as in the draft
editor, without a necessity reason: the court decided them). The order's page, variation,
discharge, breaches and the victim's reports are those of every order. Who may act, and how
refusals look, as in ``views_applications``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cairn.cases import access as case_access
from cairn.orders import court_orders
from cairn.orders.forms import CourtOrderForm
from cairn.orders.term_forms import term_rows, term_specs
from cairn.orders.views_applications import _act, _errors
from cairn.web.forms import posted_data


@login_required
@require_http_methods(["GET", "POST"])
def court_order_new(request: HttpRequest, case_id: str) -> HttpResponse:
    case = case_access.get_case_for_user(request.user, case_id)
    suspects = list(case.suspects.all())
    data = posted_data(request)
    form = CourtOrderForm(data, suspects=suspects)
    rows = term_rows(data)
    status = 200
    if data is not None:
        if data.get("action") == "save" and data.get("remove") is None:
            specs = term_specs(rows)
            if form.is_valid() and specs is not None:
                d = form.cleaned_data
                order_type, basis = d["made"].split(":", 1)
                defendant = next((s for s in suspects if str(s.pk) == d["defendant"]), None)
                order = _act(
                    lambda: court_orders.record_court_order(
                        actor=request.user,
                        case=case,
                        order_type=order_type,
                        basis=basis,
                        made_on=d["made_on"],
                        terms=specs,
                        court=d["court"],
                        duration_months=d["duration_months"],
                        until_further_order=d["until_further_order"],
                        ends_on=d["ends_on"],
                        defendant=defendant,
                        note=d["note"],
                    ),
                    form,
                    {"order_type": "made", "basis": "made"},
                )
                if order is not None:
                    messages.success(request, "Order recorded")
                    return redirect("orders:spo-order", case.pk, order.pk)
            status = 400
        else:
            form.is_valid()
    return render(
        request,
        "orders/court_order_new.html",
        {
            "nav": "cases",
            "case": case,
            "form": form,
            "rows": rows,
            "errors": _errors(form, *[r for r in rows if r.is_bound]) if status == 400 else [],
        },
        status=status,
    )
