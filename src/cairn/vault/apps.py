from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "cairn.vault"
    label = "vault"
    verbose_name = "Vault"
