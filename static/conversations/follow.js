// Following the stream on the conversation page: while the reader is at the bottom, the newest
// activity is kept in view; once they scroll up, a "New activity" pill says more arrived (and
// takes them back down). Past the header, a compact bar keeps the status, the active agent, the
// tokens and the connection in sight, mirrored from the header so live.js needs no second copy.

const NEAR_BOTTOM_PX = 48;

function scroller() {
  return document.scrollingElement || document.documentElement;
}

function atBottom() {
  const root = scroller();
  return root.scrollTop + window.innerHeight >= root.scrollHeight - NEAR_BOTTOM_PX;
}

export function createFollower({ header, bar, pill }) {
  let following = true; // a reader who has not scrolled up yet is at the (short page's) bottom
  let lastTop = scroller().scrollTop;
  let frame = null;

  function toBottom(smooth = false) {
    window.scrollTo({ top: scroller().scrollHeight, behavior: smooth ? "smooth" : "auto" });
    following = true;
    pill.hidden = true;
  }

  // Our own scrolls only ever go down; a scroll up away from the bottom is the reader's.
  window.addEventListener(
    "scroll",
    () => {
      const top = scroller().scrollTop;
      if (atBottom()) {
        following = true;
        pill.hidden = true;
      } else if (top < lastTop) {
        following = false;
      }
      lastTop = top;
    },
    { passive: true },
  );
  pill.addEventListener("click", () => toBottom(true));

  // Called after every event that changed the page. `live`: the run is going on (a replay of a
  // finished conversation leaves the reader where they are).
  function changed({ live }) {
    if (!live) return;
    if (following) {
      if (frame === null) {
        frame = requestAnimationFrame(() => {
          frame = null;
          if (following) toBottom(); // unless the reader scrolled up meanwhile
        });
      }
    } else if (!atBottom()) {
      pill.hidden = false;
    }
  }

  // -- the compact bar: shown once the header has scrolled out of view -----------------------
  const mirrors = [...bar.querySelectorAll("[data-mirror]")];
  function mirror() {
    for (const target of mirrors) {
      const source = document.getElementById(target.dataset.mirror);
      if (!source) continue;
      target.replaceChildren(...[...source.childNodes].map((node) => node.cloneNode(true)));
      if (source.dataset.state) target.dataset.state = source.dataset.state;
    }
  }
  const observer = new MutationObserver(mirror);
  for (const target of mirrors) {
    const source = document.getElementById(target.dataset.mirror);
    if (source) observer.observe(source, { childList: true, subtree: true, characterData: true, attributes: true });
  }
  mirror();
  new IntersectionObserver(([entry]) => {
    const compact = !entry.isIntersecting && entry.boundingClientRect.top < 0;
    bar.hidden = !compact;
    document.body.classList.toggle("conv-compact", compact);
  }).observe(header);

  return { changed, toBottom, isFollowing: () => following };
}
