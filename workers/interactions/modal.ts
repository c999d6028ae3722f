// The values a user typed into a modal, by text input custom_id. Discord sends each text input inside a
// Label (components.component) or, in older layouts, an action row (components.components): Discord docs,
// Interactions > Receiving and Responding > Modal Submit Data.
import type { APIModalSubmitInteraction } from 'discord-api-types/v10';

interface Node {
  type?: number;
  custom_id?: string;
  value?: unknown;
  component?: Node;
  components?: Node[];
}

export function modalValues(interaction: APIModalSubmitInteraction): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (node: Node) => {
    if (typeof node.custom_id === 'string' && typeof node.value === 'string') out[node.custom_id] = node.value;
    if (node.component) walk(node.component);
    for (const child of node.components ?? []) walk(child);
  };
  for (const node of interaction.data.components as unknown as Node[]) walk(node);
  return out;
}
