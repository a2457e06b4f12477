import type { Express } from 'express';
import nunjucks from 'nunjucks';
import type { Config } from '../config.js';
import { addYears, formatDateNl, todayInBrussels } from '../domain/dates.js';
import { formatKbo } from '../domain/kbo.js';
import { defaultRules, type RulesData } from '../domain/rules-data.js';
import { MAX_UPLOAD_BYTES } from './multipart.js';
import { registerHelpGlobals } from '../help/anchors.js';
import { paths } from '../paths.js';
import { formActions } from './form-actions.js';

/** One nunjucks environment for the app; templates are compiled once and cached outside development. */
export function configureViews(
  app: Express,
  config: Config,
  viewsDir: string,
  assetBase: string,
  rules: RulesData = defaultRules,
  now: () => Date = () => new Date(),
): nunjucks.Environment {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader(viewsDir, { noCache: config.env === 'development', watch: false }),
    {
      autoescape: true,
      throwOnUndefined: false,
      trimBlocks: true,
      lstripBlocks: true,
    },
  );
  env.express(app);
  app.set('view engine', 'njk');
  app.set('views', viewsDir);
  env.addGlobal('paths', paths);
  env.addGlobal('formActions', formActions);
  env.addGlobal('asset', (file: string) => `${assetBase}/${file}`);
  env.addGlobal('publicUrl', config.publicUrl);
  env.addGlobal('devMode', !config.isProduction);
  // Hints and help texts quote the same numbers the rules check (deadlines, minimum size, upload limit).
  env.addGlobal('rules', rules);
  // A date field's example is a date near today (the app's clock), not one that lies years back.
  env.addGlobal('dateExample', (years = 0) => formatDateNl(addYears(todayInBrussels(now()), years)));
  env.addGlobal('maxUploadMb', Math.floor(MAX_UPLOAD_BYTES / 1024 / 1024));
  // A plain string (not a macro's SafeString, which is truthy even when empty) so `{% if message %}` works.
  env.addGlobal(
    'fieldError',
    (errors: { text: string; href: string }[] | undefined, id: string) =>
      errors?.find((e) => e.href === `#${id}`)?.text ?? '',
  );
  env.addFilter('kbo', (v: string) => formatKbo(v));
  registerHelpGlobals(env); // helpLink('stepWerknemer') → '/hulp#stap-werknemer', and friends
  return env;
}
