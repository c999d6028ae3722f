// What `npm run register` changes: the bot's command definitions against what Discord has, command by
// command (matched by type and name, as Discord identifies them). Only the fields a definition can set are
// compared, after dropping what Discord fills in or leaves out when it is the default (false, null, [], {}),
// so an unchanged command is not rewritten and its id, permissions and version stay.

export interface LocalCommand {
  name: string;
  type?: number;
  [field: string]: unknown;
}
export interface RemoteCommand extends LocalCommand {
  id: string;
}

export type CommandChange =
  | { kind: 'create'; name: string; type: number; command: LocalCommand }
  | { kind: 'update'; name: string; type: number; id: string; fields: string[]; command: LocalCommand }
  | { kind: 'delete'; name: string; type: number; id: string }
  | { kind: 'same'; name: string; type: number; id: string };

/** Fields a definition sets; everything else on Discord's side (id, version, application_id…) is Discord's. */
const FIELDS = [
  'description',
  'options',
  'default_member_permissions',
  'nsfw',
  'contexts',
  'integration_types',
  'name_localizations',
  'description_localizations',
];

/** Drops empty/default values everywhere and sorts keys, so equal meanings compare equal as JSON. */
export function normalize(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(normalize);
    return items.length === 0 ? undefined : items;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = normalize((value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  if (value === null || value === false || value === '') return undefined;
  return value;
}

const key = (c: { name: string; type?: number }) => `${c.type ?? 1}:${c.name}`;

export function changedFields(local: LocalCommand, remote: RemoteCommand): string[] {
  return FIELDS.filter((field) => {
    const mine = local[field];
    // Fields the definition leaves out are Discord's to default (contexts, integration_types).
    if (mine === undefined && (field === 'contexts' || field === 'integration_types')) return false;
    return JSON.stringify(normalize(mine)) !== JSON.stringify(normalize(remote[field]));
  });
}

export function diffCommands(local: readonly LocalCommand[], remote: readonly RemoteCommand[]): CommandChange[] {
  const remoteByKey = new Map(remote.map((c) => [key(c), c]));
  const localKeys = new Set(local.map(key));
  const changes: CommandChange[] = [];
  for (const command of local) {
    const type = command.type ?? 1;
    const existing = remoteByKey.get(key(command));
    if (!existing) {
      changes.push({ kind: 'create', name: command.name, type, command });
      continue;
    }
    const fields = changedFields(command, existing);
    changes.push(
      fields.length === 0
        ? { kind: 'same', name: command.name, type, id: existing.id }
        : { kind: 'update', name: command.name, type, id: existing.id, fields, command },
    );
  }
  for (const command of remote) {
    if (!localKeys.has(key(command)))
      changes.push({ kind: 'delete', name: command.name, type: command.type ?? 1, id: command.id });
  }
  return changes;
}

const label = (c: { name: string; type: number }) => (c.type === 1 ? `/${c.name}` : `${c.name} (context menu)`);

/** One line per command: `+` created, `~` changed (which fields), `-` deleted, `=` unchanged. */
export function describeChange(change: CommandChange): string {
  switch (change.kind) {
    case 'create':
      return `+ ${label(change)}`;
    case 'update':
      return `~ ${label(change)} (${change.fields.join(', ')})`;
    case 'delete':
      return `- ${label(change)}`;
    case 'same':
      return `= ${label(change)}`;
  }
}
