/**
 * Every route of the app, read from Express's own router (so routes added later are covered without editing
 * this suite), and a way to fill their parameters with the ids of a given organisation.
 */
import type { Express } from 'express';

export interface Route {
  method: 'get' | 'post';
  path: string;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  /** The mount path of a router mounted with `app.use(path, router)`. */
  rawPath?: unknown;
}

const under = (prefix: string, path: string) => (prefix && path === '/' ? prefix : `${prefix}${path}`);

export function appRoutes(app: Express): Route[] {
  const out: Route[] = [];
  const seen = new Set<string>();
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = under(prefix, layer.route.path);
        for (const method of Object.keys(layer.route.methods)) {
          if (method !== 'get' && method !== 'post') continue;
          const key = `${method} ${path}`;
          if (!seen.has(key)) out.push({ method, path });
          seen.add(key);
        }
      } else if (layer.handle?.stack) {
        walk(
          layer.handle.stack,
          typeof layer.rawPath === 'string' ? under(prefix, layer.rawPath).replace(/\/$/, '') : prefix,
        );
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out;
}

export const postRoutes = (app: Express) => appRoutes(app).filter((r) => r.method === 'post');

export interface RouteIds {
  draftId: number;
  attachmentId: number;
  dossiernummer: string;
  /** A right request (gebruikersbeheer/aanvragen/:id). */
  requestId: number;
  personId: number;
  rightId: number;
  mailId: number;
  /** For parameters this suite does not know (routes added later). */
  other: number | string;
}

export function routeTable(ids: RouteIds) {
  return {
    fill(path: string): string {
      return path.replace(/:(\w+)/g, (_m, name: string) => {
        switch (name) {
          case 'draftId':
            return String(ids.draftId);
          case 'slug':
            return 'werknemer';
          case 'attachmentId':
            return String(ids.attachmentId);
          case 'dossiernummer':
            return ids.dossiernummer;
          case 'personId':
            return String(ids.personId);
          case 'rightId':
            return String(ids.rightId);
          case 'id':
            return path.startsWith('/gebruikersbeheer/aanvragen')
              ? String(ids.requestId)
              : path.startsWith('/dev/mailbox')
                ? String(ids.mailId)
                : String(ids.other);
          default:
            return String(ids.other);
        }
      });
    },
  };
}
