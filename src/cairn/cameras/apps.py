from django.apps import AppConfig


class CamerasConfig(AppConfig):
    name = "cairn.cameras"
    label = "cameras"
    verbose_name = "Cameras and footage"

    def ready(self) -> None:
        # Two hooks into lower apps, which know nothing of cameras: the closure guard asks
        # about cameras nobody asked for, and deleting an incident erases its cameras' words.
        from django.db.models.signals import post_save

        from cairn.cameras.signals import incident_saved
        from cairn.cases.closure_hooks import register_sign_off_reason
        from cairn.vault.models import Incident

        register_sign_off_reason("cairn.cameras.guard.unasked_clauses")
        post_save.connect(
            incident_saved, sender=Incident, dispatch_uid="cairn.cameras.incident_saved"
        )
