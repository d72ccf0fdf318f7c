from django.urls import path

from cairn.vault.views import exhibits, home, incidents, persons, redaction, timeline

app_name = "vault"

# URLs carry only ids (UUIDs), never content (DESIGN.md invariant 5).
urlpatterns = [
    path("", home.home, name="home"),
    path("vaults/<uuid:vault_id>/", home.vault_overview, name="vault"),
    path("vaults/<uuid:vault_id>/incidents/new/", incidents.incident_new, name="incident-new"),
    path("vaults/<uuid:vault_id>/timeline/", timeline.timeline, name="timeline"),
    path("vaults/<uuid:vault_id>/people/", persons.person_list, name="persons"),
    path("vaults/<uuid:vault_id>/people/new/", persons.person_new, name="person-new"),
    path("vaults/<uuid:vault_id>/exhibits/", exhibits.exhibit_list, name="exhibits"),
    path("incidents/<uuid:incident_id>/", incidents.incident_detail, name="incident"),
    path("incidents/<uuid:incident_id>/edit/", incidents.incident_edit, name="incident-edit"),
    path("incidents/<uuid:incident_id>/delete/", incidents.incident_delete, name="incident-delete"),
    path(
        "incidents/<uuid:incident_id>/revisions/<int:number>/",
        incidents.revision_detail,
        name="revision",
    ),
    path(
        "incidents/<uuid:incident_id>/exhibits/",
        exhibits.incident_exhibit_upload,
        name="incident-exhibit-upload",
    ),
    path("exhibits/<uuid:exhibit_id>/", exhibits.exhibit_detail, name="exhibit"),
    path(
        "exhibits/<uuid:exhibit_id>/download/", exhibits.exhibit_download, name="exhibit-download"
    ),
    path("exhibits/<uuid:exhibit_id>/image/", redaction.exhibit_image, name="exhibit-image"),
    path("exhibits/<uuid:exhibit_id>/redact/", redaction.exhibit_redact, name="exhibit-redact"),
    path(
        "exhibits/<uuid:exhibit_id>/clean-copy/",
        redaction.exhibit_clean_copy,
        name="exhibit-clean-copy",
    ),
    path("people/<uuid:person_id>/", persons.person_detail, name="person"),
    path("people/<uuid:person_id>/edit/", persons.person_edit, name="person-edit"),
    path("people/<uuid:person_id>/together/", persons.person_combine, name="person-combine"),
]
