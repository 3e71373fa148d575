from channels.generic.websocket import AsyncJsonWebsocketConsumer

from agentstudio.system_events import SYSTEM_GROUP

FORBIDDEN = 4403


class SystemConsumer(AsyncJsonWebsocketConsumer):
    """Staff-only stream of system notices (worker broadcasts, maintenance messages)."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_staff:
            # Accept first: a close before accept is an HTTP 403 without a code to read.
            await self.accept()
            await self.close(code=FORBIDDEN)
            return
        await self.channel_layer.group_add(SYSTEM_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(SYSTEM_GROUP, self.channel_name)

    async def system_notice(self, event):
        await self.send_json({"type": "system.notice", "data": event["data"]})
