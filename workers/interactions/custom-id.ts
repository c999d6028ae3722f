// Typed custom_id patterns for components and modals: `'vote:{choice}:{n:int}'` routes every custom_id
// `vote:…` to one handler, whose `ctx.args` is `{ choice: string; n: number }`; `pattern.id({ choice, n })`
// builds the custom_id for the button, so the two sides cannot drift. The first segment (before ':') is the
// routing key and is literal. Discord docs, Message Components > Custom ID: at most 100 characters.
import { EdgeshardError, ERROR_CODES } from '../../protocol/index.ts';

type Simplify<X> = { [K in keyof X]: X[K] } & {};
type Param<S extends string> = S extends `${infer K}:${'int' | 'number'}` ? { [k in K]: number } : { [k in S]: string };
type Collect<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Param<Name> & Collect<Rest> : {};
/** The arguments a custom_id pattern carries, e.g. `{ choice: string; n: number }` for `vote:{choice}:{n:int}`. */
export type ArgsOf<P extends string> = Simplify<Collect<P>>;

export const MAX_CUSTOM_ID = 100;

export interface CustomIdPattern<P extends string = string> {
  pattern: P;
  /** The routing key: the pattern's first segment. */
  key: string;
  /** The arguments of a custom_id, or undefined when it does not fit the pattern. */
  parse(customId: string): ArgsOf<P> | undefined;
  /** The custom_id for these arguments (arguments may not contain ':'). */
  id(args: ArgsOf<P>): string;
}

const TOKEN = /\{([A-Za-z_][A-Za-z0-9_]*)(?::(int|number))?\}/g;

export function customIdPattern<P extends string>(pattern: P): CustomIdPattern<P> {
  const key = pattern.split(':', 1)[0]!;
  if (key === '' || key.includes('{'))
    throw new EdgeshardError(
      ERROR_CODES.CONFIG_INVALID,
      `custom_id pattern "${pattern}" must start with a literal name, e.g. "vote:{choice}"`,
    );
  const params: { name: string; kind: 'string' | 'int' | 'number' }[] = [];
  let source = '';
  let last = 0;
  for (const match of pattern.matchAll(TOKEN)) {
    source += escape(pattern.slice(last, match.index));
    const kind = (match[2] ?? 'string') as 'string' | 'int' | 'number';
    params.push({ name: match[1]!, kind });
    source += kind === 'int' ? '(-?\\d+)' : kind === 'number' ? '(-?\\d+(?:\\.\\d+)?)' : '([^:]*)';
    last = match.index + match[0].length;
  }
  source += escape(pattern.slice(last));
  // A bare name ("vote") also takes "vote:anything", as before patterns existed.
  const regex = new RegExp(params.length === 0 && !pattern.includes(':') ? `^${source}(?::.*)?$` : `^${source}$`);
  return {
    pattern,
    key,
    parse(customId) {
      const m = regex.exec(customId);
      if (!m) return undefined;
      const args: Record<string, string | number> = {};
      params.forEach((p, i) => (args[p.name] = p.kind === 'string' ? m[i + 1]! : Number(m[i + 1])));
      return args as ArgsOf<P>;
    },
    id(args) {
      const values = args as Record<string, string | number>;
      const id = pattern.replace(TOKEN, (_m, name: string) => {
        const value = String(values[name]);
        if (value.includes(':'))
          throw new EdgeshardError(ERROR_CODES.CONFIG_INVALID, `custom_id argument ${name} may not contain ':'`);
        return value;
      });
      if (id.length > MAX_CUSTOM_ID)
        throw new EdgeshardError(
          ERROR_CODES.CONFIG_INVALID,
          `custom_id "${id.slice(0, 40)}…" is ${id.length} characters; Discord takes at most ${MAX_CUSTOM_ID}`,
        );
      return id;
    },
  };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
