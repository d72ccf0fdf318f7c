from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "cairn.analysis"
    label = "analysis"
    verbose_name = "Analysis"

    def ready(self) -> None:
        # Deleting an incident (a tombstone: the row stays) takes the facts kept of its words
        # and the vault's kept analyses with it.
        from django.db.models.signals import post_save

        from cairn.analysis.signals import forget_incident
        from cairn.vault.models import Incident

        post_save.connect(
            forget_incident, sender=Incident, dispatch_uid="cairn.analysis.forget_incident"
        )
