from django.urls import path

from cairn.integrity import views

app_name = "integrity"

urlpatterns = [
    path("vaults/<uuid:vault_id>/integrity/", views.integrity, name="page"),
    path("vaults/<uuid:vault_id>/integrity/seal/", views.seal, name="seal"),
    path(
        "vaults/<uuid:vault_id>/integrity/checkpoint.txt",
        views.checkpoint_download,
        name="checkpoint",
    ),
]
