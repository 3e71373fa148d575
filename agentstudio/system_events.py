from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

SYSTEM_GROUP = "system"


def publish_system_notice(data: dict) -> None:
    async_to_sync(get_channel_layer().group_send)(
        SYSTEM_GROUP, {"type": "system.notice", "data": data}
    )
