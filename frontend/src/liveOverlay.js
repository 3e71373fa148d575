// The editor's live overlay: which conversation on this graph to follow comes from the workspace
// feed (/ws/feed/ status changes) or, at page load, from a running one; the conversation's own
// socket (/ws/conversations/<id>/?after=<seq>) then replays and follows its events through the one
// projection of the conversation pages (static/conversations/projection.js), which gives the
// agent path and the handoffs taken. Remote agents are matched to the cards by name.
import { useCallback, useEffect, useRef } from "react";
import { Projection } from "../../static/conversations/projection.js";
import { liveSocket } from "../../static/conversations/socket.js";
import { api } from "./api.js";

// The store's `live`: null, or {conversation, status, active (agent id), visited (Set of agent
// ids), travelled (Set of "source->target" edge ids)}. The sockets are this hook's, the state the
// store's.
export function useLiveOverlay(store) {
  const setLive = useCallback((live) => store.getState().setLive(live), [store]);
  const liveRef = useRef(null);

  const showLive = useCallback(() => {
    const s = liveRef.current;
    if (!s) return;
    const byName = {};
    for (const a of Object.values(store.getState().doc.agents)) byName[a.name] = a.id;
    const path = s.projection.agentPath().map((a) => byName[a.name]).filter(Boolean);
    const travelled = new Set();
    for (const { from, to } of s.projection.handoffs()) {
      if (byName[from.name] && byName[to.name]) travelled.add(`${byName[from.name]}->${byName[to.name]}`);
    }
    const view = {
      conversation: s.conversation,
      status: s.socketStatus || s.feedStatus, // the socket's is in log order
      active: path.length ? path[path.length - 1] : s.feedActive,
      visited: new Set([...s.feedVisited, ...path]),
      travelled,
    };
    // Only the events that move the overlay re-render the graph, not every streamed token.
    const signature = JSON.stringify([view.status, view.active, [...view.visited], [...view.travelled]]);
    if (signature === s.signature) return;
    s.signature = signature;
    setLive(view);
  }, [store, setLive]);

  const stopFollowing = useCallback(() => {
    liveRef.current?.socket.close();
    liveRef.current = null;
  }, []);

  const follow = useCallback(
    (conversation, status, activeAgent) => {
      let s = liveRef.current;
      if (!s || s.conversation !== conversation) {
        s?.socket.close();
        s = { conversation, projection: new Projection(), feedVisited: new Set(), socketStatus: null, signature: null };
        liveRef.current = s;
        const followed = s;
        s.socket = liveSocket({
          path: `/ws/conversations/${conversation}/`,
          query: () => `after=${followed.projection.lastSeq}`,
          onMessage: (event) => {
            if (liveRef.current !== followed || !followed.projection.apply(event)) return;
            if (event.type === "conversation.status" && event.data?.status) followed.socketStatus = event.data.status;
            showLive();
          },
        });
      }
      s.feedStatus = status;
      if (activeAgent) {
        s.feedActive = activeAgent;
        s.feedVisited.add(activeAgent);
      }
      showLive();
    },
    [showLive],
  );

  useEffect(() => {
    let socket;
    let closed = false;
    let retry = 1000;
    const connect = () => {
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      socket = new WebSocket(`${scheme}://${location.host}/ws/feed/`);
      socket.onopen = () => {
        retry = 1000;
      };
      socket.onmessage = (message) => {
        let payload;
        try {
          payload = JSON.parse(message.data);
        } catch {
          return;
        }
        const data = payload.data || {};
        if (payload.type === "conversation.status" && data.graph === store.getState().graph.id) {
          follow(data.conversation, data.status, data.active_agent || null);
        }
      };
      socket.onclose = (event) => {
        if (closed || event.code === 4403) return;
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 15000);
      };
    };
    connect();
    // A conversation that was already running when the page opened.
    api("GET", `/api/conversations/?graph=${store.getState().graph.id}&status=running`)
      .then((page) => {
        const first = (Array.isArray(page) ? page : page?.results || [])[0];
        if (first) follow(first.id, first.status, first.active_agent || first.agent || null);
      })
      .catch(() => {});
    return () => {
      closed = true;
      socket?.close();
      stopFollowing();
    };
  }, [follow, stopFollowing, store]);

  const clearLive = useCallback(() => {
    stopFollowing();
    setLive(null);
  }, [stopFollowing, setLive]);

  return { clearLive };
}

