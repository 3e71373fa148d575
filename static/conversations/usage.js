// Token and cost counters that move with the stream. The backend reports usage once per response
// (conversation.response.done, summed by the projection); between two of them the page counts
// the streamed output of the response under way, about four characters a token, and marks the
// figure as an estimate until the exact usage arrives.

const CHARS_PER_TOKEN = 4;

function streamedChars(projection) {
  if (projection.done) return 0;
  let chars = 0;
  for (const key of projection.turnOutputs) {
    const entry = projection.entries.get(key);
    if (!entry) continue;
    chars += entry.text.length + String(entry.data.arguments || "").length;
  }
  return chars;
}

// The tokens of the response under way, estimated from what it streamed so far (0 between two).
export function estimatedTokens(projection) {
  return Math.ceil(streamedChars(projection) / CHARS_PER_TOKEN);
}

// price: [USD per million prompt tokens, USD per million completion tokens], or null.
export function createUsageMeter({ tokens, cost, price }) {
  function money(usage) {
    if (!price) return null;
    return (usage.prompt_tokens * price[0] + usage.completion_tokens * price[1]) / 1_000_000;
  }

  function update(projection) {
    const exact = projection.totalUsage;
    const estimated = estimatedTokens(projection);
    const total = exact.total_tokens + estimated;
    tokens.textContent = estimated ? `≈ ${total}` : String(total);
    tokens.dataset.exact = String(exact.total_tokens);
    tokens.title = estimated ? `${estimated} while the reply streams` : "As the backend reported";
    if (!cost) return;
    const dollars = money({ ...exact, completion_tokens: exact.completion_tokens + estimated });
    cost.textContent = dollars === null ? "—" : `${estimated ? "≈ " : ""}$${dollars.toFixed(dollars < 0.01 ? 4 : 2)}`;
  }

  return { update };
}
