from django.urls import path

app_name = "packs"

# URLs carry only ids (UUIDs), never content (DESIGN.md invariant 5).
urlpatterns: list = []
