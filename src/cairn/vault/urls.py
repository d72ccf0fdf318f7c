from django.urls import path

app_name = "vault"

urlpatterns: list = []
