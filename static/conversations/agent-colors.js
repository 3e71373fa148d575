// Agent colours come from the server as data-agent-color and are applied through the CSSOM:
// the Content-Security-Policy allows no inline style="" attributes (they would be blocked).
const apply = (root) => {
  const nodes = root.matches?.("[data-agent-color]") ? [root] : [];
  nodes.push(...(root.querySelectorAll?.("[data-agent-color]") ?? []));
  for (const node of nodes) node.style.setProperty("--agent", node.dataset.agentColor);
};

apply(document.documentElement);
// Cards and rows the pages insert later (the inbox, the live conversation) carry the attribute too.
new MutationObserver((mutations) => {
  for (const mutation of mutations) {
    for (const node of mutation.addedNodes) if (node.nodeType === Node.ELEMENT_NODE) apply(node);
  }
}).observe(document.documentElement, { childList: true, subtree: true });
