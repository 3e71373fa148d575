"""Project-wide DRF plumbing named in settings.REST_FRAMEWORK. APIView reads these settings
while rest_framework.views is imported, so this module must not import that (or generics)."""

from __future__ import annotations

from rest_framework import throttling
from rest_framework.metadata import SimpleMetadata
from rest_framework.settings import api_settings


class Metadata(SimpleMetadata):
    """OPTIONS describes the input of views that declare a serializer. Views that validate with
    serializers of their own (import, restore, …) answer without `actions` instead of failing
    on the missing `serializer_class`: DRF asserts it, so OPTIONS was a 500."""

    def determine_actions(self, request, view):
        get_serializer_class = getattr(view, "get_serializer_class", None)
        if get_serializer_class is not None:
            try:
                get_serializer_class()
            except AssertionError:  # GenericAPIView's "should include a serializer_class"
                return {}
        return super().determine_actions(request, view)


class _SettingsRate:
    """DRF reads the rates once, at import; reading them per request lets `override_settings`
    and tests change them."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class UserRateThrottle(_SettingsRate, throttling.UserRateThrottle):
    pass


class AnonRateThrottle(_SettingsRate, throttling.AnonRateThrottle):
    pass
