from integrations.mistral.backend import active_backend


def backend(request):
    return {"active_backend": active_backend()}
