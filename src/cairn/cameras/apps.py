from django.apps import AppConfig


class CamerasConfig(AppConfig):
    name = "cairn.cameras"
    label = "cameras"
    verbose_name = "Cameras and footage"

    def ready(self) -> None:
        # Two hooks into lower apps, which know nothing of cameras: the closure guard asks
        # about cameras nobody asked for, and deleting an incident erases its cameras' words.
        from django.db.models.signals import post_save

        from cairn.cameras import guard
        from cairn.cases import closure
        from cairn.vault.models import Incident

        if guard.unasked_clauses not in closure.CLOSING_CHECKS:
            closure.CLOSING_CHECKS.append(guard.unasked_clauses)
        post_save.connect(
            guard.incident_saved, sender=Incident, dispatch_uid="cairn.cameras.incident_saved"
        )
