from django.urls import path

from cairn.ledger import views

app_name = "ledger"

urlpatterns = [
    path("vaults/<uuid:vault_id>/integrity/", views.integrity, name="integrity"),
    path("vaults/<uuid:vault_id>/integrity/checkpoint.txt", views.checkpoint_download,
         name="checkpoint"),
]
