from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers (a load balancer restarts it otherwise)."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: the database answers a query and the evidence store can be written to
    (a load balancer sends no traffic here otherwise). 503 names what failed, nothing more."""
    from django.db import connection

    from cairn.store.blobs import StoreError, default_backend

    failed = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        failed.append("database")
    try:
        default_backend().ready()
    except (StoreError, OSError):
        failed.append("evidence store")
    if failed:
        return HttpResponse("not ready: " + ", ".join(failed), status=503,
                            content_type="text/plain")
    return HttpResponse("ready", content_type="text/plain")
